/**
 * Test helpers for the Worker transport. Deno's sanitizers do not see
 * Workers, so every Worker a test starts is tracked here and
 * {@linkcode assertWorkersEnded} fails the test if one is left running.
 */
import assert from "node:assert/strict";

const running = new Set<Worker>();
let started = 0;

/** A Worker that records whether it was ended. */
class TrackedWorker extends Worker {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    running.add(this);
    started++;
  }

  override terminate(): void {
    running.delete(this);
    super.terminate();
  }
}

globalThis.Worker = TrackedWorker;

/** How many Workers were started so far. */
export function workersStarted(): number {
  return started;
}

/** Fails (and ends them) if any Worker started by the test still runs. */
export function assertWorkersEnded(): void {
  const left = running.size;
  for (const worker of running) worker.terminate();
  assert.equal(left, 0, `${left} Worker(s) were left running`);
}

/**
 * Runs `body`, then asserts every Worker it started was ended.
 *
 * @param body The test body.
 */
export function withWorkers(
  body: () => Promise<void>,
): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      // Report the body's failure, not the workers it left behind.
      for (const worker of running) worker.terminate();
      throw error;
    }
    assertWorkersEnded();
  };
}

/** Resolves after `ms` milliseconds (real time: Workers run for real). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` until it holds, for at most `ms`. */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  ms = 5_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(5);
  }
}
