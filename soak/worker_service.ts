/// <reference lib="deno.worker" />
/**
 * The soak worker (`deno task soak --workers`): plays the action each
 * request names (see `worker_plan.ts`), including dying on purpose.
 *
 * @module
 */

import { type CallOptions, serviceFn } from "../mod.ts";
import { serveWorker } from "../transports/worker/mod.ts";
import type { WorkerSoakRequest, WorkerSoakResponse } from "./worker_plan.ts";

/** The error `throw` requests raise; its name crosses to the caller. */
class SoakError extends Error {
  override name = "SoakError";
}

/** Resolves after `ms`, or rejects with the signal's reason. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Rejects with the signal's reason once it aborts; never resolves. */
function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (signal === undefined) return; // planned with an abort or deadline
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    });
  });
}

async function play(
  req: WorkerSoakRequest,
  options?: CallOptions,
): Promise<WorkerSoakResponse> {
  switch (req.action) {
    case "echo":
      if (req.delay > 0) await sleep(req.delay, options?.signal);
      return { id: req.id, tag: options?.metadata?.["soak-id"] };
    case "throw":
      throw new SoakError(`call ${req.id} failed on purpose`);
    case "throw-value":
      throw `call ${req.id} threw a string`;
    case "hang":
      return await untilAborted(options?.signal);
    case "die-throw":
      // Uncaught, outside any call: it ends the worker (the parent is told
      // through the worker's error event).
      setTimeout(() => {
        throw new Error(`soak: worker dies on purpose (call ${req.id})`);
      });
      return await new Promise<never>(() => {});
    case "die-close":
      setTimeout(() => self.close());
      return await new Promise<never>(() => {});
  }
}

serveWorker(serviceFn(play));
