// Shared by the example tests: run an example as a user would, match its
// output, and check its generated code is fresh.

import assert from "node:assert/strict";
import { generate } from "../../codegen/mod.ts";

/** The repository root: examples run from here, as the README says. */
export const ROOT = new URL("../../", import.meta.url);

/**
 * Runs `deno run <path>` from the repository root and returns its stdout.
 * Fails on a non-zero exit or on anything printed to stderr.
 */
export async function runExample(path: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", path],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `exit code ${out.code}; stderr:\n${stderr}`);
  assert.equal(stderr, "", "the example printed to stderr");
  return new TextDecoder().decode(out.stdout);
}

/** Asserts that each pattern matches a line of `output`, in this order. */
export function assertLinesInOrder(
  output: string,
  patterns: (string | RegExp)[],
): void {
  const lines = output.split("\n");
  let at = 0;
  for (const pattern of patterns) {
    const found = lines.findIndex((line, i) =>
      i >= at &&
      (typeof pattern === "string" ? line === pattern : pattern.test(line))
    );
    assert.ok(
      found >= 0,
      `no line matching ${pattern} after line ${at + 1} in:\n${output}`,
    );
    at = found + 1;
  }
}

/**
 * Asserts that `<dir>/<name>.gen.ts` is exactly what the generator writes
 * for `<dir>/<name>.ts`, i.e. the generator has nothing to change.
 */
export async function assertGeneratedFresh(
  dir: string,
  name: string,
): Promise<void> {
  const base = new URL(`${dir}/`, ROOT);
  const result = generate(
    await Deno.readTextFile(new URL(`${name}.ts`, base)),
    { fileName: `${dir}/${name}.ts` },
  );
  assert.deepEqual(result.diagnostics, []);
  assert.equal(
    result.code,
    await Deno.readTextFile(new URL(`${name}.gen.ts`, base)),
    `${dir}/${name}.gen.ts is stale: run \`deno run --allow-read --allow-write codegen/main.ts ${dir}/${name}.ts\``,
  );
}
