/**
 * The {@linkcode concurrencyLimit} layer: a semaphore in front of a service.
 *
 * @module
 */

import type { CallOptions, Layer, Service } from "../service.ts";
import { deadlineOf } from "./_call_options.ts";
import { deadlineExceeded } from "./_deadline.ts";
import {
  callInner,
  callInnerAt,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import { FifoList } from "./_list.ts";
import { noMoreArguments, positiveInteger } from "./_validate.ts";
import { Waiter } from "./_waiter.ts";
import { refuseSignal } from "../_abort.ts";
import { CALL_AT, settledHook, takesNow } from "../_timers.ts";

/**
 * Lets at most `max` calls run in the inner service at once. Further calls
 * wait in FIFO order for a permit; a waiting caller that aborts leaves the
 * queue at once (rejecting with `signal.reason`) and takes no permit. A
 * permit is returned when the inner call settles, and handed straight to the
 * oldest waiter. A waiting call whose `options.deadline` passes leaves the
 * queue too, rejecting with `TimeoutError` (the waits of every layer share
 * one timer; a call that gets a permit at once arms nothing).
 *
 * `ready()` is false while no permit is free (put {@linkcode loadShed} in
 * front to fail fast instead of waiting). Each service the layer builds has
 * its own permits (Tower's `ConcurrencyLimitLayer`); apply the layer once and
 * share the service to share the limit.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param max Most calls in the inner service at once: a positive integer.
 * @returns A layer producing a {@linkcode ConcurrencyLimitService}.
 * @throws {InvalidOptionError} When `max` is not a positive integer.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { concurrencyLimit } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const gate = Promise.withResolvers<void>();
 * const svc = concurrencyLimit<number, number>(2)(
 *   serviceFn(async (n: number) => {
 *     await gate.promise;
 *     return n;
 *   }),
 * );
 * const calls = [svc.call(1), svc.call(2), svc.call(3)];
 * assert.equal(svc.inFlight, 2);
 * assert.equal(svc.waiting, 1);
 * assert.equal(svc.ready(), false);
 * gate.resolve();
 * assert.deepEqual(await Promise.all(calls), [1, 2, 3]);
 * assert.equal(svc.inFlight, 0);
 * ```
 */
export function concurrencyLimit<Req, Res>(
  max: number,
): Layer<Service<Req, Res>, ConcurrencyLimitService<Req, Res>> {
  noMoreArguments("concurrencyLimit", arguments, 1);
  positiveInteger("concurrencyLimit.max", max);
  return (inner) => new ConcurrencyLimitService(inner, max);
}

/**
 * The service {@linkcode concurrencyLimit} produces. Its read-only counters
 * let tests and metrics check that permits are never lost:
 * `inFlight + available === max` always, and `inFlight` and `waiting` return
 * to zero once every call has settled.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { concurrencyLimit } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = concurrencyLimit<string, string>(4)(serviceFn((s: string) => s));
 * const call = svc.call("a");
 * const counters = [svc.max, svc.available, svc.inFlight, svc.waiting];
 * assert.deepEqual(counters, [4, 3, 1, 0]);
 * assert.equal(await call, "a");
 * assert.equal(svc.available, 4);
 * ```
 */
export class ConcurrencyLimitService<Req, Res> implements Service<Req, Res> {
  /** The number of permits. */
  readonly max: number;
  /**
   * True when the inner service enforces deadlines: a call then rejects at
   * its `options.deadline` whether it waits here (this layer enforces it)
   * or runs below.
   */
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Res>;
  /** Whether the inner service takes a caller's `now` (see `CALL_AT`). */
  readonly #innerTakesNow: boolean;
  readonly #queue = new FifoList<Waiter<Req, Res>>();
  #available: number;

  /**
   * Prefer the {@linkcode concurrencyLimit} layer factory.
   *
   * @param inner The service to guard.
   * @param max The number of permits: a positive integer.
   */
  constructor(inner: Service<Req, Res>, max: number) {
    checkInner(inner, "concurrencyLimit()");
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
    this.#innerTakesNow = takesNow(inner);
    this.max = positiveInteger("concurrencyLimit.max", max);
    this.#available = max;
  }

  /** Free permits. */
  get available(): number {
    return this.#available;
  }

  /** Calls holding a permit (running in the inner service). */
  get inFlight(): number {
    return this.max - this.#available;
  }

  /** Calls queued for a permit. */
  get waiting(): number {
    return this.#queue.size;
  }

  /**
   * Runs the call when a permit is free, otherwise queues it.
   *
   * @param req The request.
   * @param options The call's options; aborting `signal` while queued
   * rejects with `signal.reason` and leaves the queue; a call still
   * waiting at `deadline` rejects with `TimeoutError`.
   * @returns The inner service's response.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    const refused = refuseSignal(options?.signal);
    if (refused !== undefined) return refused;
    if (this.#available > 0) {
      this.#available--;
      return this.#run(req, options);
    }
    const deadline = deadlineOf(options);
    if (deadline <= Date.now()) {
      return Promise.reject(deadlineExceeded(req, 0, performance.now()));
    }
    const waiter = new Waiter(this.#queue, req, options);
    this.#queue.push(waiter);
    return waiter.promise;
  }

  /**
   * Internal: `call` with `Date.now()` read just before (see `CALL_AT`). A
   * call that gets a permit at once runs with no user code in between, so
   * `now` is passed on to the service below; a waiting one reads the clock
   * when its turn comes.
   */
  [CALL_AT](
    req: Req,
    options: CallOptions | undefined,
    now: number,
    _settled?: () => void,
    failed?: (
      error: unknown,
      resolve: (value: Res) => void,
      reject: (reason: unknown) => void,
    ) => boolean,
  ): Promise<Res> {
    if (this.#available > 0 && this.#innerTakesNow) {
      const refused = refuseSignal(options?.signal);
      if (refused !== undefined) return refused;
      this.#available--;
      const hook = this.#settled;
      settledHook.taken = undefined;
      const result = callInnerAt(this.#inner, req, options, now, hook, failed);
      if (settledHook.taken === hook) {
        // The client below gives the permit back when it answers the call.
        settledHook.taken = undefined;
        return result;
      }
      return result.then(this.#onFulfilled, this.#onRejected);
    }
    return this.call(req, options);
  }

  /** True while a permit is free and the inner service is ready. */
  ready(): boolean {
    return this.#available > 0 && innerReady(this.#inner);
  }

  readonly #run = (req: Req, options: CallOptions | undefined): Promise<Res> =>
    callInner(this.#inner, req, options).then(
      this.#onFulfilled,
      this.#onRejected,
    );

  /** A call settled: its permit goes to the oldest live waiter, or back. */
  #release(): void {
    let waiter;
    while ((waiter = this.#queue.shift()) !== undefined) {
      if (waiter.admit(this.#run)) return;
    }
    this.#available++;
  }

  /**
   * The permit's return, called by the client below when it answers a call
   * (see `settledHook` in `_timers.ts`). It runs synchronously inside the
   * client, so a waiter is let through in a microtask, as after a `.then`,
   * never from within the client's own bookkeeping.
   */
  readonly #settled = (): void => {
    if (this.#queue.size === 0) this.#available++;
    else queueMicrotask(this.#releaseLater);
  };

  readonly #releaseLater = (): void => this.#release();

  readonly #onFulfilled = (value: Res): Res => {
    this.#release();
    return value;
  };

  readonly #onRejected = (error: unknown): never => {
    this.#release();
    throw error;
  };
}
