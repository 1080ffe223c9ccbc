// Internal: deadlines on the layers' waiting paths. A call that waits in a
// layer (for a permit, a token, a batch, an asynchronous filter verdict)
// must still give up at its `options.deadline`; those waits, and retry's
// backoffs, share one TimerQueue, so a waiting call costs a list insertion,
// not a timer, and a call that never waits costs nothing. Deadlines are absolute on the `Date.now()` clock (the call
// context's); the queue runs on `performance.now()`, so a deadline is turned
// into a delay once, when the wait starts.

import { TimeoutError } from "../errors.ts";
import { type Deadline, TimerQueue } from "../_timers.ts";

/** The one timer queue for every layer's waiting calls. */
export const waitTimers: TimerQueue = new TimerQueue();

/**
 * Queues `entry` in `timers` to expire at the absolute `deadline`
 * (`Date.now()` clock); a deadline already past expires on the next timer
 * turn.
 */
export function expireAt(
  timers: TimerQueue,
  entry: Deadline,
  deadline: number,
): void {
  timers.add(entry, performance.now(), Math.max(0, deadline - Date.now()));
}

/**
 * The TimeoutError for a call that reached its deadline: `limitMs` is the
 * time it had when the layer got it, `start` when that was
 * (`performance.now()`).
 */
export function deadlineExceeded(
  req: unknown,
  limitMs: number,
  start: number,
): TimeoutError {
  return new TimeoutError(
    Math.max(0, Math.round(limitMs)),
    performance.now() - start,
    methodOf(req),
  );
}

/** The request's `method` when it is a string (generated requests have one). */
export function methodOf(req: unknown): string | undefined {
  if (typeof req === "object" && req !== null && "method" in req) {
    const method = (req as { method: unknown }).method;
    if (typeof method === "string") return method;
  }
  return undefined;
}
