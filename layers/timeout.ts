/**
 * The {@linkcode timeout} layer: gives up on a call after a time limit.
 *
 * @module
 */

import type { CallOptions, Layer, Service } from "../service.ts";
import { offAbort, onAbort, refuseSignal } from "../_abort.ts";
import { CALL_AT, takesNow, TimerQueue } from "../_timers.ts";
import {
  deadlineOf,
  SignalledDeadline,
  withDeadline,
} from "./_call_options.ts";
import { deadlineExceeded, expireAt } from "./_deadline.ts";
import {
  callInner,
  callInnerAt,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import { SettleOnce } from "./_settle_once.ts";
import { noMoreArguments, timerDelay } from "./_validate.ts";

/**
 * Bounds a call to `ms` milliseconds by its deadline: the call's deadline
 * becomes the earlier of `options.deadline` and `Date.now() + ms`, and is
 * passed down in the options, so every hop below (and a handler behind a
 * norpc client) sees it. Nested timeouts compose: the earliest deadline
 * wins.
 *
 * Over a service that enforces deadlines itself (`enforcesDeadline: true`,
 * as a norpc client does: its server rejects the call at the deadline and
 * aborts the handler's signal) the layer only shrinks the deadline: no
 * timer, no `AbortController` and no listener per call. Over any other
 * service it enforces the deadline itself: it rejects the call with
 * {@linkcode TimeoutError} at the deadline and aborts the inner call's
 * signal with that error as its reason, so the work below stops too. The
 * deadlines in flight share one timer, cleared once none is left, so an
 * idle layer holds no timer. A caller's abort rejects at once with
 * `signal.reason` and aborts the inner call with the same reason.
 *
 * Either way the service it builds enforces deadlines, so a `timeout` above
 * it only shrinks the deadline too.
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
  noMoreArguments("timeout", arguments, 1);
  // Capped at the timer limit: a longer setTimeout fires after 1 ms.
  timerDelay("timeout.ms", ms, false);
  return (inner) => new TimeoutService(inner, ms);
}

/**
 * The service {@linkcode timeout} produces. Besides `call` and `ready` it
 * exposes {@linkcode TimeoutService.active}, the number of calls whose
 * deadline this layer enforces itself (always 0 over a service that
 * enforces deadlines), which returns to zero once every call has settled.
 * Those deadlines share a single timer, armed for the earliest one and
 * cleared once no call is pending.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { timeout } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = timeout<number, number>(100)(serviceFn((n: number) => n + 1));
 * assert.equal(svc.enforcesDeadline, true);
 * assert.equal(await svc.call(1), 2);
 * assert.equal(svc.active, 0);
 * ```
 */
export class TimeoutService<Req, Res> implements Service<Req, Res> {
  /** The limit in milliseconds. */
  readonly ms: number;
  /** Always true: a call rejects at its deadline, here or below. */
  readonly enforcesDeadline = true;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Res>;
  /** Whether the inner service enforces the deadline (then no timer here). */
  readonly #innerEnforces: boolean;
  /** Whether the inner service takes the `now` read here (see `CALL_AT`). */
  readonly #innerTakesNow: boolean;
  readonly #timers = new TimerQueue();
  readonly #counter = { active: 0 };

  /**
   * Prefer the {@linkcode timeout} layer factory, which validates `ms`.
   *
   * @param inner The service to time.
   * @param ms The limit in milliseconds.
   */
  constructor(inner: Service<Req, Res>, ms: number) {
    checkInner(inner, "timeout()");
    this.#inner = inner;
    this.serviceName = inner.serviceName;
    this.#innerEnforces = innerEnforcesDeadline(inner);
    this.#innerTakesNow = takesNow(inner);
    this.ms = timerDelay("timeout.ms", ms, false);
  }

  /** Calls whose deadline this layer enforces itself, still running. */
  get active(): number {
    return this.#counter.active;
  }

  /**
   * Calls the inner service with the deadline shrunk to `now + ms`.
   *
   * @param req The request.
   * @param options The call's options; `signal` aborts the call, an earlier
   * `deadline` than `now + ms` is kept.
   * @returns The inner response, or a rejection with `TimeoutError`.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    return this.#call(req, options, Date.now());
  }

  /** Internal: `call` with `Date.now()` read just before (see `CALL_AT`). */
  [CALL_AT](
    req: Req,
    options: CallOptions | undefined,
    now: number,
  ): Promise<Res> {
    return this.#call(req, options, now);
  }

  #call(req: Req, options: CallOptions | undefined, now: number): Promise<Res> {
    const refused = refuseSignal(options?.signal);
    if (refused !== undefined) return refused;
    const own = now + this.ms;
    const given = deadlineOf(options);
    if (this.#innerEnforces) {
      // The inner service rejects at the deadline: only pass it down, with
      // the `now` just read when the inner service takes it (a client then
      // reads no clock again: ~45 ns of a ~250 ns call).
      const down = given <= own ? options : withDeadline(options, own);
      return this.#innerTakesNow
        ? callInnerAt(this.#inner, req, down, now)
        : callInner(this.#inner, req, down);
    }
    const deadline = given <= own ? given : own;
    if (deadline <= now) {
      // The caller's deadline has passed already: never start the call.
      return Promise.reject(deadlineExceeded(req, 0, performance.now()));
    }
    return new TimedCall<Req, Res>(
      this.#inner,
      req,
      options,
      deadline,
      deadline - now,
      this.#timers,
      this.#counter,
    ).promise;
  }

  /** The inner service's readiness. */
  ready(): boolean {
    return innerReady(this.#inner);
  }
}

/** One call whose deadline the layer enforces: its timer entry, listener, outcome. */
class TimedCall<Req, Res> extends SettleOnce<Res> {
  readonly controller = new AbortController();
  readonly #limit: number;
  readonly #req: Req;
  readonly #outer: AbortSignal | undefined;
  readonly #start = performance.now();
  readonly #timers: TimerQueue;
  readonly #counter: { active: number };

  constructor(
    inner: Service<Req, Res>,
    req: Req,
    options: CallOptions | undefined,
    deadline: number,
    limit: number,
    timers: TimerQueue,
    counter: { active: number },
  ) {
    super();
    this.#limit = limit;
    this.#req = req;
    this.#outer = options?.signal ?? undefined;
    this.#timers = timers;
    this.#counter = counter;
    counter.active++;
    expireAt(timers, this, deadline);
    if (this.#outer !== undefined) onAbort(this.#outer, this);
    const down = new SignalledDeadline(
      this.controller.signal,
      deadline,
      options?.metadata,
    );
    callInner(inner, req, down).then(
      (value) => this.resolveOnce(value),
      (error) => this.rejectOnce(error),
    );
  }

  /** The deadline passed (called by the timer queue). */
  override expire(): void {
    const error = deadlineExceeded(this.#req, this.#limit, this.#start);
    if (this.rejectOnce(error)) this.controller.abort(error);
  }

  /** The caller aborted (EventListener interface: no closure per call). */
  handleEvent(): void {
    const reason = this.#outer!.reason;
    if (this.rejectOnce(reason)) this.controller.abort(reason);
  }

  protected release(): void {
    this.#timers.remove(this);
    if (this.#outer !== undefined) offAbort(this.#outer, this);
    this.#counter.active--;
  }
}
