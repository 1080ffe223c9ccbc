/**
 * The {@linkcode rateLimit} layer: a token bucket in front of a service.
 *
 * @module
 */

import type { CallOptions, Layer, Service } from "../service.ts";
import { refuseSignal } from "../_abort.ts";
import { rejectUnknownKeys } from "../errors.ts";
import { deadlineOf } from "./_call_options.ts";
import { deadlineExceeded } from "./_deadline.ts";
import {
  callInner,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import { FifoList } from "./_list.ts";
import {
  MAX_TIMER_MS,
  noMoreArguments,
  optionsObject,
  positiveInteger,
  positiveNumber,
} from "./_validate.ts";
import { Waiter } from "./_waiter.ts";

/**
 * Options of {@linkcode rateLimit}.
 *
 * @example Ten calls a second, in bursts of up to five
 * ```ts
 * import type { RateLimitOptions } from "@norpc/norpc/layers";
 *
 * const options: RateLimitOptions = { requests: 10, per: 1000, burst: 5 };
 * ```
 */
export interface RateLimitOptions {
  /** Tokens added per period `per`: a positive integer. */
  requests: number;
  /** The period in milliseconds: a finite number greater than 0. */
  per: number;
  /**
   * The bucket's size, i.e. the most calls let through at once after a quiet
   * spell: a positive integer. Defaults to `requests`.
   */
  burst?: number;
}

/**
 * Lets calls through at `requests` per `per` milliseconds: a token bucket of
 * `burst` tokens (default `requests`) refilled steadily, one token every
 * `per / requests` ms. A call takes a token, or waits in FIFO order until one
 * is due; a waiting caller that aborts leaves the queue at once (rejecting
 * with `signal.reason`) and the next waiter moves up; so does one whose
 * `options.deadline` passes while it waits (rejecting with `TimeoutError`).
 * At most one timer runs per service, and only while callers wait.
 *
 * Over any span of `t` ms at most `burst + t * requests / per` calls pass.
 * Timers fire on whole milliseconds, so waiting callers are let through at
 * most `burst` per millisecond: for rates above one call per ms, set `burst`
 * to at least `requests / per` or the bucket caps the rate at `burst` per ms.
 * Time is read from the monotonic `performance.now()`. The bucket is
 * implemented as a GCRA (generic cell rate algorithm): one number of state,
 * no refill loop. `ready()` is false while the bucket is empty.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param options `requests`, `per` and optionally `burst`.
 * @returns A layer producing a {@linkcode RateLimitService}.
 * @throws {InvalidOptionError} When an option is missing or out of range.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { rateLimit } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = rateLimit<string, string>({ requests: 2, per: 1000 })(
 *   serviceFn((s: string) => s),
 * );
 * await svc.call("a");
 * await svc.call("b");
 * assert.equal(svc.available, 0);
 * assert.equal(svc.ready(), false); // a third call would wait ~500 ms
 * ```
 */
export function rateLimit<Req, Res>(
  options: RateLimitOptions,
): Layer<Service<Req, Res>, RateLimitService<Req, Res>> {
  noMoreArguments("rateLimit", arguments, 1);
  const config = validate(options);
  return (inner) => new RateLimitService(inner, config);
}

function validate(options: RateLimitOptions): Required<RateLimitOptions> {
  optionsObject("rateLimit options", options);
  rejectUnknownKeys("rateLimit()", options, ["requests", "per", "burst"]);
  const requests = positiveInteger("rateLimit.requests", options.requests);
  const per = positiveNumber("rateLimit.per", options.per);
  const burst = options.burst === undefined
    ? requests
    : positiveInteger("rateLimit.burst", options.burst);
  return { requests, per, burst };
}

/** Slack for floating-point error when comparing times, in ms. */
const EPSILON = 1e-6;

/**
 * The service {@linkcode rateLimit} produces. Its read-only `available`
 * (whole tokens now) and `waiting` counters let tests and metrics check the
 * queue drains: `waiting` returns to zero once every call has been let
 * through or aborted, and then no timer is left.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { rateLimit } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = rateLimit<number, number>({ requests: 100, per: 1000 })(
 *   serviceFn((n: number) => n),
 * );
 * assert.equal(await svc.call(1), 1);
 * assert.equal(svc.available, 99);
 * assert.equal(svc.waiting, 0);
 * ```
 */
export class RateLimitService<Req, Res> implements Service<Req, Res> {
  /** Tokens added per period. */
  readonly requests: number;
  /** The period in milliseconds. */
  readonly per: number;
  /** The bucket's size. */
  readonly burst: number;
  /**
   * True when the inner service enforces deadlines: a call then rejects at
   * its `options.deadline` whether it waits here (this layer enforces it)
   * or runs below.
   */
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Res>;
  readonly #queue = new FifoList<Waiter<Req, Res>>();
  /** What a waiter leaves: the queue, stopping the timer once it is empty. */
  readonly #waitQueue = {
    remove: (waiter: Waiter<Req, Res>) => this.#leave(waiter),
  };
  /** Milliseconds between tokens. */
  readonly #interval: number;
  /** How far `#tat` may run ahead of now: `(burst - 1) * interval`. */
  readonly #tolerance: number;
  /** GCRA's theoretical arrival time of the next call. */
  #tat = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;

  /**
   * Prefer the {@linkcode rateLimit} layer factory.
   *
   * @param inner The service to guard.
   * @param options `requests`, `per` and optionally `burst`.
   */
  constructor(inner: Service<Req, Res>, options: RateLimitOptions) {
    checkInner(inner, "rateLimit()");
    const { requests, per, burst } = validate(options);
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
    this.requests = requests;
    this.per = per;
    this.burst = burst;
    this.#interval = per / requests;
    this.#tolerance = (burst - 1) * this.#interval;
  }

  /** Whole tokens in the bucket now (0 while callers wait). */
  get available(): number {
    if (this.#queue.size > 0) return 0;
    const slack = performance.now() - (this.#tat - this.#tolerance);
    if (slack < -EPSILON) return 0;
    return Math.min(
      this.burst,
      Math.floor(slack / this.#interval + EPSILON) + 1,
    );
  }

  /** Calls queued for a token. */
  get waiting(): number {
    return this.#queue.size;
  }

  /**
   * Takes a token and calls the inner service, or waits for one.
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
    if (this.#queue.size === 0 && this.#take(performance.now())) {
      return callInner(this.#inner, req, options);
    }
    const deadline = deadlineOf(options);
    if (deadline <= Date.now()) {
      return Promise.reject(deadlineExceeded(req, 0, performance.now()));
    }
    const waiter = new Waiter(this.#waitQueue, req, options);
    this.#queue.push(waiter);
    if (this.#timer === undefined) this.#schedule(performance.now());
    return waiter.promise;
  }

  /** True while a token is available and the inner service is ready. */
  ready(): boolean {
    return this.#queue.size === 0 &&
      performance.now() + EPSILON >= this.#tat - this.#tolerance &&
      innerReady(this.#inner);
  }

  /** Takes a token if one is due at `now`. */
  #take(now: number): boolean {
    if (now + EPSILON < this.#tat - this.#tolerance) return false;
    this.#tat = Math.max(this.#tat, now) + this.#interval;
    return true;
  }

  #schedule(now: number): void {
    // Capped at the timer limit: a longer setTimeout fires after 1 ms and
    // would poll every millisecond; a capped one fires early at worst, and
    // #onTimer then finds no token due and schedules the rest of the wait.
    const wait = Math.min(
      MAX_TIMER_MS,
      Math.max(0, Math.ceil(this.#tat - this.#tolerance - now)),
    );
    this.#timer = setTimeout(this.#onTimer, wait);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    let waiter;
    while ((waiter = this.#queue.head) !== undefined && this.#take(now)) {
      this.#queue.remove(waiter);
      // An aborted waiter gives its token to the next one.
      if (!waiter.admit(this.#run)) this.#untake();
    }
    // An admitted call may have called back into this service and queued a
    // call, which armed the timer already: never arm a second one.
    if (this.#queue.size > 0 && this.#timer === undefined) {
      this.#schedule(now);
    }
  };

  readonly #run = (req: Req, options: CallOptions | undefined): Promise<Res> =>
    callInner(this.#inner, req, options);

  /** Gives back the token just taken. */
  #untake(): void {
    this.#tat -= this.#interval;
  }

  /** Removes a waiter that gave up; stops the timer if none is left. */
  #leave(waiter: Waiter<Req, Res>): void {
    if (!this.#queue.remove(waiter)) return;
    if (this.#queue.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
