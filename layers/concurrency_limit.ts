/**
 * The {@linkcode concurrencyLimit} layer: a semaphore in front of a service.
 *
 * @module
 */

import type { CallOptions, Layer, Service } from "../service.ts";
import { offAbort, onAbort } from "../_abort.ts";
import {
  callInner,
  FifoList,
  innerReady,
  QueuedCall,
  refuseSignal,
} from "./_util.ts";
import { positiveInteger } from "./_validate.ts";

/**
 * Lets at most `max` calls run in the inner service at once. Further calls
 * wait in FIFO order for a permit; a waiting caller that aborts leaves the
 * queue at once (rejecting with `signal.reason`) and takes no permit. A
 * permit is returned when the inner call settles, and handed straight to the
 * oldest waiter.
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
 *
 * const svc = concurrencyLimit<string, string>(4)(serviceFn((s: string) => s));
 * console.log(svc.max, svc.available, svc.inFlight, svc.waiting); // 4 4 0 0
 * ```
 */
export class ConcurrencyLimitService<Req, Res> implements Service<Req, Res> {
  /** The number of permits. */
  readonly max: number;
  readonly #inner: Service<Req, Res>;
  readonly #queue = new FifoList<QueuedCall<Req, Res>>();
  #available: number;
  /** Takes a waiter whose caller aborted out of the queue. */
  readonly #leave = (waiter: QueuedCall<Req, Res>): boolean =>
    this.#queue.remove(waiter);

  /**
   * Prefer the {@linkcode concurrencyLimit} layer factory.
   *
   * @param inner The service to guard.
   * @param max The number of permits: a positive integer.
   */
  constructor(inner: Service<Req, Res>, max: number) {
    this.#inner = inner;
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
   * rejects with `signal.reason` and leaves the queue.
   * @returns The inner service's response.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    const signal = options?.signal;
    const refused = refuseSignal(signal);
    if (refused !== undefined) return refused;
    if (this.#available > 0) {
      this.#available--;
      return this.#run(req, options);
    }
    const waiter = new QueuedCall(this.#leave, req, options);
    this.#queue.push(waiter);
    if (signal != null) onAbort(signal, waiter);
    return waiter.promise;
  }

  /** True while a permit is free and the inner service is ready. */
  ready(): boolean {
    return this.#available > 0 && innerReady(this.#inner);
  }

  #run(req: Req, options: CallOptions | undefined): Promise<Res> {
    return callInner(this.#inner, req, options).then(
      this.#onFulfilled,
      this.#onRejected,
    );
  }

  #release(): void {
    let waiter;
    while ((waiter = this.#queue.shift()) !== undefined) {
      const signal = waiter.options?.signal;
      if (signal == null) {
        waiter.resolve(this.#run(waiter.req, waiter.options));
        return;
      }
      offAbort(signal, waiter);
      if (!signal.aborted) {
        waiter.resolve(this.#run(waiter.req, waiter.options));
        return;
      }
      waiter.reject(signal.reason);
    }
    this.#available++;
  }

  readonly #onFulfilled = (value: Res): Res => {
    this.#release();
    return value;
  };

  readonly #onRejected = (error: unknown): never => {
    this.#release();
    throw error;
  };
}
