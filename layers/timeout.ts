/**
 * The {@linkcode timeout} layer: gives up on a call after a time limit.
 *
 * @module
 */

import { TimeoutError } from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";
import { offAbort, onAbort } from "../_abort.ts";
import {
  callInner,
  innerReady,
  methodOf,
  refuseSignal,
  withSignal,
} from "./_util.ts";
import { Deadline, TimerQueue } from "../_timers.ts";
import { timerDelay } from "./_validate.ts";

/**
 * Rejects a call with {@linkcode TimeoutError} when it has not settled
 * within `ms` milliseconds, and aborts the inner call's signal with that
 * error as its reason, so the work below stops too. A call's deadline is
 * dropped as soon as it settles; the calls in flight share one timer, which
 * is cleared once none is left, so an idle layer holds no timer. A caller's
 * abort rejects at once with `signal.reason` and aborts the inner call with
 * the same reason.
 *
 * The error names the request's `method` when the request has one (generated
 * requests do) and the time that had elapsed, measured with the monotonic
 * `performance.now()`.
 *
 * Placed outermost, the limit covers queueing in the layers below it
 * (concurrency and rate limits, retries); placed innermost, it bounds each
 * attempt separately.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param ms The limit in milliseconds: a number greater than 0 and at most
 * 2147483647 (about 24.8 days, the timer limit).
 * @returns A layer producing a {@linkcode TimeoutService}.
 * @throws {InvalidOptionError} When `ms` is not a number in (0, 2147483647].
 *
 * @example
 * ```ts
 * import { ServiceBuilder, serviceFn, TimeoutError } from "@norpc/norpc";
 * import { timeout } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const slow = serviceFn((req: { method: string }, { signal }) =>
 *   new Promise<string>((_, reject) =>
 *     signal?.addEventListener("abort", () => reject(signal.reason), { once: true })
 *   )
 * );
 * const svc = new ServiceBuilder<{ method: string }, string>()
 *   .layer(timeout(10))
 *   .service(slow);
 * await assert.rejects(svc.call({ method: "hello" }), (err) => {
 *   assert.ok(err instanceof TimeoutError);
 *   assert.equal(err.method, "hello");
 *   return true;
 * });
 * ```
 */
export function timeout<Req, Res>(
  ms: number,
): Layer<Service<Req, Res>, TimeoutService<Req, Res>> {
  // Capped at the timer limit: a longer setTimeout fires after 1 ms.
  timerDelay("timeout.ms", ms, false);
  return (inner) => new TimeoutService(inner, ms);
}

/**
 * The service {@linkcode timeout} produces. Besides `call` and `ready` it
 * exposes {@linkcode TimeoutService.active}, the number of calls whose
 * deadline is pending, which returns to zero once every call has settled.
 * The deadlines of one service share a single timer, armed for the earliest
 * one and cleared once no call is pending.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { timeout } from "@norpc/norpc/layers";
 *
 * const svc = timeout<number, number>(100)(serviceFn((n: number) => n + 1));
 * console.log(await svc.call(1), svc.active); // 2 0
 * ```
 */
export class TimeoutService<Req, Res> implements Service<Req, Res> {
  /** The limit in milliseconds. */
  readonly ms: number;
  readonly #inner: Service<Req, Res>;
  readonly #timers = new TimerQueue();
  readonly #counter = { active: 0 };

  /**
   * Prefer the {@linkcode timeout} layer factory, which validates `ms`.
   *
   * @param inner The service to time.
   * @param ms The limit in milliseconds.
   */
  constructor(inner: Service<Req, Res>, ms: number) {
    this.#inner = inner;
    this.ms = timerDelay("timeout.ms", ms, false);
  }

  /** Calls still running, each with a deadline pending. */
  get active(): number {
    return this.#counter.active;
  }

  /**
   * Calls the inner service with a signal the layer aborts on timeout.
   *
   * @param req The request.
   * @param options The call's options; `signal` aborts the call.
   * @returns The inner response, or a rejection with `TimeoutError`.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    const outer = options?.signal;
    const refused = refuseSignal(outer);
    if (refused !== undefined) return refused;
    const timed = new TimedCall<Res>(
      this.ms,
      req,
      outer,
      this.#timers,
      this.#counter,
    );
    callInner(this.#inner, req, withSignal(options, timed.controller.signal))
      .then(
        (value) => timed.settle(true, value),
        (error) => timed.settle(false, error),
      );
    return timed.promise;
  }

  /** The inner service's readiness. */
  ready(): boolean {
    return innerReady(this.#inner);
  }
}

/** One call in flight: its deadline, its abort listener and its outcome. */
class TimedCall<Res> extends Deadline {
  readonly controller = new AbortController();
  readonly promise: Promise<Res>;
  readonly #resolve: (value: Res) => void;
  readonly #reject: (reason: unknown) => void;
  readonly #ms: number;
  readonly #req: unknown;
  readonly #outer: AbortSignal | undefined;
  readonly #start = performance.now();
  readonly #timers: TimerQueue;
  readonly #counter: { active: number };
  #done = false;

  constructor(
    ms: number,
    req: unknown,
    outer: AbortSignal | undefined,
    timers: TimerQueue,
    counter: { active: number },
  ) {
    super();
    const { promise, resolve, reject } = Promise.withResolvers<Res>();
    this.promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#ms = ms;
    this.#req = req;
    this.#outer = outer;
    this.#timers = timers;
    this.#counter = counter;
    counter.active++;
    timers.add(this, this.#start, ms);
    if (outer != null) onAbort(outer, this);
  }

  /** The inner call settled: pass its outcome on, unless already given up. */
  settle(ok: boolean, value: unknown): void {
    if (this.#done) return;
    this.#finish();
    if (ok) this.#resolve(value as Res);
    else this.#reject(value);
  }

  /** The deadline passed (called by the timer queue). */
  expire(): void {
    if (this.#done) return;
    this.#finish();
    const error = new TimeoutError(
      this.#ms,
      performance.now() - this.#start,
      methodOf(this.#req),
    );
    this.#reject(error);
    this.controller.abort(error);
  }

  /** The caller aborted (EventListener interface: no closure per call). */
  handleEvent(): void {
    if (this.#done) return;
    this.#finish();
    const reason = this.#outer!.reason;
    this.#reject(reason);
    this.controller.abort(reason);
  }

  #finish(): void {
    this.#done = true;
    this.#timers.remove(this);
    if (this.#outer != null) offAbort(this.#outer, this);
    this.#counter.active--;
  }
}
