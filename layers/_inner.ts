// Internal: how a layer talks to the service it wraps. Every layer checks
// its inner service when it is applied (not at the first call), calls it
// only through `callInner`, which turns whatever `call` does (a promise, a
// thenable, a plain value, a synchronous throw, a thenable whose `then`
// throws) into one real Promise, and reads readiness and deadline
// enforcement the same way.

import { assertService, type CallOptions, type Service } from "../service.ts";
import { CALL_AT, type CallAt, type FailedHook } from "../_timers.ts";

/**
 * Throws a TypeError naming `where` unless `inner` is a service, so
 * `timeout(10)(42)` fails when the layer is applied.
 */
export function checkInner(inner: unknown, where: string): void {
  assertService(inner, where);
}

/**
 * Calls `inner.call` and returns a real Promise whatever it did: a native
 * promise is returned as it is (`Promise.resolve` of a native promise is
 * that promise), a thenable is adopted (a `then` that throws becomes a
 * rejection, in a later job), any other value resolves, and a synchronous
 * throw becomes a rejection.
 */
export function callInner<Req, Res>(
  inner: Service<Req, Res>,
  req: Req,
  options: CallOptions | undefined,
): Promise<Res> {
  try {
    return Promise.resolve(inner.call(req, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `inner.ready()`, or `true` when the inner service has no readiness probe. */
export function innerReady(inner: Service<unknown, unknown>): boolean {
  return inner.ready === undefined || inner.ready();
}

/** Whether `inner` itself rejects a call at its `options.deadline`. */
export function innerEnforcesDeadline(
  inner: Service<unknown, unknown>,
): boolean {
  return inner.enforcesDeadline === true;
}

/**
 * `callInner` for an inner service that takes its caller's `now` (checked
 * once, with `takesNow`, when the layer is built): passes on the
 * `Date.now()` the layer has just read, so the service below reads no
 * clock again, and the `settled` and `failed` hooks, if any (see
 * `CALL_AT`, `settledHook` and `failedHook` in `_timers.ts`).
 */
export function callInnerAt<Req, Res>(
  inner: Service<Req, Res>,
  req: Req,
  options: CallOptions | undefined,
  now: number,
  settled?: () => void,
  failed?: FailedHook<Res>,
): Promise<Res> {
  try {
    return Promise.resolve(
      (inner as Service<Req, Res> & CallAt<Req, Res>)[CALL_AT](
        req,
        options,
        now,
        settled,
        failed,
      ),
    );
  } catch (error) {
    return Promise.reject(error);
  }
}
