/**
 * Property runs that can be replayed: {@linkcode assertProperty} runs a
 * fast-check property with a recorded seed (random, or `NORPC_FC_SEED` from
 * the environment) and, on failure, throws an `AssertionError` whose message
 * starts with the exact command line that replays the failing case
 * (`NORPC_FC_SEED=… NORPC_FC_PATH=…`), followed by fast-check's report
 * (counterexample, shrinking path, the property's own error).
 *
 * @module
 */

import { AssertionError } from "node:assert/strict";
import fc from "fast-check";

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: run with a fresh seed
  }
}

/** The seed and path a run uses: the environment's, else a fresh seed. */
export function propertySeed(): { seed: number; path: string | undefined } {
  const text = env("NORPC_FC_SEED");
  const seed = text === undefined ? Number.NaN : Number(text);
  return {
    seed: Number.isSafeInteger(seed)
      ? seed
      : crypto.getRandomValues(new Int32Array(1))[0],
    path: env("NORPC_FC_PATH"),
  };
}

/**
 * Runs `property` like `fc.assert`, with a recorded seed, and reports the
 * seed and shrinking path on failure so the run can be replayed.
 *
 * @param property The property (sync or async).
 * @param parameters fast-check parameters (`numRuns`…); `seed` and `path`
 * come from {@linkcode propertySeed}.
 * @param test The test's name, for the replay command's `--filter`.
 * @throws {AssertionError} When the property fails; the message names the
 * seed and path.
 */
export async function assertProperty<Ts>(
  property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
  parameters: fc.Parameters<Ts>,
  test: string,
): Promise<void> {
  const { seed, path } = propertySeed();
  const details = await fc.check(property, {
    ...parameters,
    seed,
    ...(path === undefined ? {} : { path, endOnFailure: true }),
  });
  if (!details.failed) return;
  const replay = `NORPC_FC_SEED=${details.seed} NORPC_FC_PATH=${
    details.counterexamplePath ?? ""
  } deno test -A --filter ${JSON.stringify(test)}`;
  throw new AssertionError({
    message: `property failed (seed ${details.seed}, path ${
      JSON.stringify(details.counterexamplePath)
    }); replay with:\n  ${replay}\n\n${fc.defaultReportMessage(details)}`,
  });
}
