/**
 * What each call of the Worker soak (`deno task soak --workers`) meets,
 * drawn from a seeded {@linkcode Rng}: the request the worker plays
 * (`worker_service.ts`) and what the caller does around it.
 *
 * @module
 */

import type { Rng } from "./rng.ts";

/**
 * What the soak worker does with a request:
 * - `echo`: answers `{ id, tag }` after `delay` ms (0: at once), `tag` being
 *   the call's `soak-id` metadata as the handler saw it;
 * - `throw`: throws a `SoakError` naming the call;
 * - `throw-value`: throws a string (the caller must get a `HandlerError`);
 * - `hang`: waits for its signal (the caller's abort or deadline);
 * - `die-throw`: an uncaught error in the worker, from a timer;
 * - `die-close`: the worker calls `self.close()`.
 */
export type WorkerAction =
  | "echo"
  | "throw"
  | "throw-value"
  | "hang"
  | "die-throw"
  | "die-close";

/** A request to the soak worker. */
export interface WorkerSoakRequest {
  readonly id: number;
  readonly action: WorkerAction;
  /** For `echo`: ms before answering. */
  readonly delay: number;
}

/** The soak worker's answer to `echo`. */
export interface WorkerSoakResponse {
  readonly id: number;
  /** The `soak-id` metadata the handler saw, if any. */
  readonly tag: string | undefined;
}

/** One call of the Worker soak: the request and the caller's side. */
export interface WorkerCallPlan {
  readonly req: WorkerSoakRequest;
  /** Send `metadata: { "soak-id": … }` with the call. */
  readonly metadata: boolean;
  /** Abort the call after this many ms (0: before sending); none if undefined. */
  readonly abortAfter: number | undefined;
  /** A deadline this many ms after the call starts; none if undefined. */
  readonly deadlineIn: number | undefined;
}

/** How often each kind of call is drawn (weights, not percentages). */
const WEIGHTS = {
  echo: 62,
  "echo, aborted while it runs": 5,
  throw: 8,
  "throw-value": 4,
  "hang, aborted": 9,
  "hang, aborted before sending": 1,
  "hang, deadline": 8,
  "die-throw": 0.15,
  "die-close": 0.15,
} as const;

/** A kind of call, as drawn (the key of the summary's table). */
export type WorkerCallKind = keyof typeof WEIGHTS;

/**
 * Draws one call.
 *
 * @param rng The run's generator.
 * @param id The call's number.
 * @returns Its kind and its plan.
 */
export function planWorkerCall(
  rng: Rng,
  id: number,
): [WorkerCallKind, WorkerCallPlan] {
  const kind = rng.weighted(WEIGHTS);
  const metadata = rng.chance(0.5);
  const echoDelay = rng.chance(0.6) ? 0 : rng.range(1, 3);
  const plan = (
    action: WorkerAction,
    delay: number,
    abortAfter?: number,
    deadlineIn?: number,
  ): WorkerCallPlan => ({
    req: { id, action, delay },
    metadata,
    abortAfter,
    deadlineIn,
  });
  switch (kind) {
    case "echo":
      return [kind, plan("echo", echoDelay)];
    case "echo, aborted while it runs":
      return [kind, plan("echo", 2, rng.range(0, 4))];
    case "throw":
    case "throw-value":
    case "die-throw":
    case "die-close":
      return [kind, plan(kind, 0)];
    case "hang, aborted":
      return [kind, plan("hang", 0, rng.range(1, 4))];
    case "hang, aborted before sending":
      return [kind, plan("hang", 0, 0)];
    case "hang, deadline":
      return [kind, plan("hang", 0, undefined, rng.range(1, 6))];
  }
}
