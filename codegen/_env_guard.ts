/**
 * Lets the TypeScript compiler load without env permission.
 *
 * `npm:typescript` reads `process.env.TSC_WATCHFILE` (and a few other
 * `TSC_*` variables for its file watchers) while its module initialises. In
 * Deno, without `--allow-env`, that read throws `NotCapable` and the import
 * of `@norpc/norpc/codegen` dies before any of our code runs. The generator
 * never watches through TypeScript and never needs those variables, so while
 * the compiler initialises, `process.env` reads that are not permitted
 * answer `undefined` instead of throwing. {@linkcode restoreEnv} (called by
 * `_env_restore.ts`, imported right after the compiler) puts the real
 * `process.env` back, so the user's program sees the permission it was given.
 * With env permission granted nothing is replaced.
 *
 * This module must be imported before anything that imports `typescript`.
 *
 * @module
 */

import process from "node:process";

let real: typeof process.env | undefined;

if (Deno.permissions.querySync({ name: "env" }).state !== "granted") {
  const env = process.env;
  real = env;
  // Reads only what is granted: never throws, and never prompts (at a
  // terminal, a read that is not granted would ask the user about
  // TSC_WATCHFILE, which the generator does not need).
  const readable = (key: string | symbol): key is string =>
    typeof key === "string" &&
    Deno.permissions.querySync({ name: "env", variable: key }).state ===
      "granted";
  process.env = new Proxy({}, {
    get: (_target, key) => readable(key) ? Reflect.get(env, key) : undefined,
    has: (_target, key) => readable(key) && Reflect.has(env, key),
  }) as typeof process.env;
}

/** Puts back the `process.env` this module replaced, if it did. */
export function restoreEnv(): void {
  if (real !== undefined) {
    process.env = real;
    real = undefined;
  }
}
