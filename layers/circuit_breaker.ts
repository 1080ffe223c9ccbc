/**
 * The {@linkcode circuitBreaker} layer: stop calling a failing service for a
 * while.
 *
 * @module
 */

import {
  CircuitOpenError,
  rejectUnknownKeys,
  reportCallbackError,
} from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";
import { refuseSignal } from "../_abort.ts";
import { isOwnAbort } from "./_call_options.ts";
import {
  callInner,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import {
  noMoreArguments,
  optionalFunction,
  optionsObject,
  positiveInteger,
  positiveNumber,
} from "./_validate.ts";

/**
 * A circuit breaker's state.
 *
 * - `"closed"`: calls pass; consecutive failures are counted.
 * - `"open"`: calls are refused with {@linkcode CircuitOpenError}.
 * - `"half-open"`: a few probe calls pass to test the service.
 *
 * @example
 * ```ts
 * import type { CircuitState } from "@norpc/norpc/layers";
 *
 * const state: CircuitState = "half-open";
 * ```
 */
export type CircuitState = "closed" | "open" | "half-open";

/**
 * A state change, as passed to {@linkcode CircuitBreakerOptions.onStateChange}.
 *
 * @example
 * ```ts
 * import type { CircuitStateChange } from "@norpc/norpc/layers";
 *
 * const log = (change: CircuitStateChange) =>
 *   console.log(`circuit ${change.from} -> ${change.to}`, change.cause ?? "");
 * ```
 */
export interface CircuitStateChange {
  /** The state left. */
  from: CircuitState;
  /** The state entered. */
  to: CircuitState;
  /** The failure that opened the circuit (only when `to` is `"open"`). */
  cause?: unknown;
}

/**
 * Options of {@linkcode circuitBreaker}. Every field is optional.
 *
 * @example
 * ```ts
 * import type { CircuitBreakerOptions } from "@norpc/norpc/layers";
 *
 * const options: CircuitBreakerOptions = {
 *   failureThreshold: 5,
 *   resetAfter: 10_000,
 *   halfOpenMax: 2,
 *   isFailure: (error) => !(error instanceof RangeError),
 *   onStateChange: ({ from, to }) => console.log(`${from} -> ${to}`),
 * };
 * ```
 */
export interface CircuitBreakerOptions {
  /**
   * Consecutive failures that open the circuit: a positive integer.
   * Defaults to `5`.
   */
  failureThreshold?: number;
  /**
   * How long the circuit stays open before letting probes through, in
   * milliseconds: a finite number > 0. Defaults to `10_000`.
   */
  resetAfter?: number;
  /**
   * Probe calls let through at once while half-open; that many successes
   * close the circuit, one failure opens it again: a positive integer.
   * Defaults to `1`.
   */
  halfOpenMax?: number;
  /**
   * Whether an error counts as a failure of the service. Defaults to every
   * error; errors it rejects count as successes (the service answered). The
   * caller's own abort never counts either way. If it throws, the error
   * counts as a failure, the caller still gets the service's own error, and
   * what it threw goes to `onHookError` (and is counted in
   * {@linkcode CircuitBreakerService.hookErrors}).
   */
  isFailure?: (error: unknown) => boolean;
  /**
   * Called after each state change. If it throws, the change stands, the
   * call is not affected, and what it threw goes to `onHookError` (and is
   * counted in {@linkcode CircuitBreakerService.hookErrors}).
   */
  onStateChange?: (change: CircuitStateChange) => void;
  /**
   * Receives what `isFailure` or `onStateChange` threw, with a `context`
   * naming the callback; it has no call to fail. Defaults to
   * `console.error`. Never `reportError()`, which would end a Deno process:
   * a bug in a metrics hook must not take a server down. If it throws too,
   * both errors go to `console.error`.
   */
  onHookError?: (error: unknown, context: string) => void;
}

/**
 * Stops calling a service that keeps failing. While **closed**, calls pass
 * and consecutive failures are counted; `failureThreshold` of them in a row
 * **open** the circuit: calls are then refused at once with
 * {@linkcode CircuitOpenError} (its `retryAfterMs` says for how long, its
 * `cause` is the failure that opened it). After `resetAfter` ms the circuit
 * is **half-open**: up to `halfOpenMax` probe calls pass at once (more are
 * refused); one failed probe opens the circuit again, `halfOpenMax`
 * successful ones close it.
 *
 * Only the outcomes of calls admitted in the current state count: a slow call
 * started before the circuit opened cannot close or reopen it later. The
 * open → half-open change happens when the state is next looked at (a call,
 * `ready()` or `state`), so the breaker holds no timer. `ready()` is false
 * while calls would be refused.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param options Thresholds, timing, failure classification and the hook.
 * @returns A layer producing a {@linkcode CircuitBreakerService}.
 * @throws {InvalidOptionError} When an option is out of range.
 *
 * @example
 * ```ts
 * import { CircuitOpenError, serviceFn } from "@norpc/norpc";
 * import { circuitBreaker, type CircuitStateChange } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const changes: CircuitStateChange[] = [];
 * const svc = circuitBreaker<number, number>({
 *   failureThreshold: 2,
 *   resetAfter: 5_000,
 *   onStateChange: (change) => changes.push(change),
 * })(serviceFn((_n: number): number => {
 *   throw new Error("database down");
 * }));
 * await assert.rejects(svc.call(1), /database down/);
 * await assert.rejects(svc.call(2), /database down/);
 * assert.equal(svc.state, "open");
 * await assert.rejects(svc.call(3), CircuitOpenError);
 * assert.deepEqual(changes.map((c) => c.to), ["open"]);
 * ```
 */
export function circuitBreaker<Req, Res>(
  options: CircuitBreakerOptions = {},
): Layer<Service<Req, Res>, CircuitBreakerService<Req, Res>> {
  noMoreArguments("circuitBreaker", arguments, 1);
  const config = validate(options);
  return (inner) => new CircuitBreakerService(inner, config);
}

const OPTIONS = [
  "failureThreshold",
  "resetAfter",
  "halfOpenMax",
  "isFailure",
  "onStateChange",
  "onHookError",
];

function validate(
  options: CircuitBreakerOptions,
):
  & Required<
    Omit<CircuitBreakerOptions, "onStateChange" | "onHookError">
  >
  & {
    onStateChange: CircuitBreakerOptions["onStateChange"];
    onHookError: CircuitBreakerOptions["onHookError"];
  } {
  optionsObject("circuitBreaker options", options);
  rejectUnknownKeys("circuitBreaker()", options, OPTIONS);
  const {
    failureThreshold = 5,
    resetAfter = 10_000,
    halfOpenMax = 1,
    isFailure = everyError,
    onStateChange,
    onHookError,
  } = options;
  positiveInteger("circuitBreaker.failureThreshold", failureThreshold);
  positiveNumber("circuitBreaker.resetAfter", resetAfter);
  positiveInteger("circuitBreaker.halfOpenMax", halfOpenMax);
  optionalFunction("circuitBreaker.isFailure", isFailure);
  optionalFunction("circuitBreaker.onStateChange", onStateChange);
  optionalFunction("circuitBreaker.onHookError", onHookError);
  return {
    failureThreshold,
    resetAfter,
    halfOpenMax,
    isFailure,
    onStateChange,
    onHookError,
  };
}

function everyError(): boolean {
  return true;
}

/**
 * The service {@linkcode circuitBreaker} produces. Read-only `state`,
 * `failures` (consecutive, while closed), `probes` (in flight, while
 * half-open) and `hookErrors` (exceptions thrown by `isFailure` and
 * `onStateChange`) let tests and dashboards follow it. It enforces deadlines
 * when the service it guards does.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { circuitBreaker } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = circuitBreaker<number, number>()(serviceFn((n: number) => n));
 * await svc.call(1);
 * assert.equal(svc.state, "closed");
 * assert.equal(svc.failures, 0);
 * assert.equal(svc.hookErrors, 0);
 * ```
 */
export class CircuitBreakerService<Req, Res> implements Service<Req, Res> {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** Milliseconds the circuit stays open. */
  readonly resetAfter: number;
  /** Probes let through at once while half-open. */
  readonly halfOpenMax: number;
  /** Whether the guarded service rejects calls at their deadline. */
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Res>;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #onStateChange: ((change: CircuitStateChange) => void) | undefined;
  readonly #onHookError: CircuitBreakerOptions["onHookError"];
  #hookErrors = 0;
  #state: CircuitState = "closed";
  /** Bumped on every state change; outcomes of older calls are ignored. */
  #generation = 0;
  #failures = 0;
  #probes = 0;
  #successes = 0;
  #openedAt = 0;
  #lastFailure: unknown = undefined;

  /**
   * Prefer the {@linkcode circuitBreaker} layer factory.
   *
   * @param inner The service to guard.
   * @param options Thresholds, timing, failure classification and the hook.
   */
  constructor(inner: Service<Req, Res>, options: CircuitBreakerOptions = {}) {
    checkInner(inner, "circuitBreaker()");
    const config = validate(options);
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
    this.#onHookError = config.onHookError;
    this.failureThreshold = config.failureThreshold;
    this.resetAfter = config.resetAfter;
    this.halfOpenMax = config.halfOpenMax;
    this.#isFailure = config.isFailure;
    this.#onStateChange = config.onStateChange;
  }

  /** The current state (moving from open to half-open if it is time). */
  get state(): CircuitState {
    this.#tick();
    return this.#state;
  }

  /** Consecutive failures counted while closed. */
  get failures(): number {
    return this.#failures;
  }

  /** Probe calls in flight while half-open. */
  get probes(): number {
    return this.#probes;
  }

  /** Exceptions thrown by `isFailure` and `onStateChange` so far. */
  get hookErrors(): number {
    return this.#hookErrors;
  }

  /**
   * Calls the inner service unless the circuit refuses the call.
   *
   * @param req The request.
   * @param options The call's options, passed through.
   * @returns The inner response, or a rejection with `CircuitOpenError`.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    const signal = options?.signal;
    const refused = refuseSignal(signal);
    if (refused !== undefined) return refused;
    this.#tick();
    if (this.#state === "open") {
      const retryAfter = this.#openedAt + this.resetAfter - performance.now();
      return Promise.reject(
        new CircuitOpenError(retryAfter, {
          cause: this.#lastFailure,
          service: this.serviceName,
        }),
      );
    }
    if (this.#state === "half-open") {
      if (this.#probes >= this.halfOpenMax) {
        return Promise.reject(
          new CircuitOpenError(0, {
            cause: this.#lastFailure,
            service: this.serviceName,
          }),
        );
      }
      this.#probes++;
    }
    const generation = this.#generation;
    return callInner(this.#inner, req, options).then(
      (value) => {
        this.#record(generation, false);
        return value;
      },
      (error) => {
        if (isOwnAbort(error, options)) this.#release(generation);
        else this.#record(generation, this.#failed(error), error);
        throw error;
      },
    );
  }

  /** False while calls would be refused; otherwise the inner readiness. */
  ready(): boolean {
    this.#tick();
    if (this.#state === "open") return false;
    if (this.#state === "half-open" && this.#probes >= this.halfOpenMax) {
      return false;
    }
    return innerReady(this.#inner);
  }

  /** `isFailure(error)`; a predicate that throws counts it as a failure. */
  #failed(error: unknown): boolean {
    try {
      return Boolean(this.#isFailure(error));
    } catch (hookError) {
      this.#hookFailed("circuitBreaker() isFailure", hookError);
      return true;
    }
  }

  #hookFailed(context: string, error: unknown): void {
    this.#hookErrors++;
    reportCallbackError(context, error, this.#onHookError);
  }

  #tick(): void {
    if (
      this.#state === "open" &&
      performance.now() >= this.#openedAt + this.resetAfter
    ) {
      this.#enter("half-open");
    }
  }

  /** An aborted call settled: it frees its probe slot and counts for nothing. */
  #release(generation: number): void {
    if (generation === this.#generation && this.#state === "half-open") {
      this.#probes--;
    }
  }

  #record(generation: number, failed: boolean, error?: unknown): void {
    if (generation !== this.#generation) return;
    if (this.#state === "closed") {
      if (!failed) {
        this.#failures = 0;
      } else if (++this.#failures >= this.failureThreshold) {
        this.#open(error);
      }
      return;
    }
    // half-open: this was a probe
    this.#probes--;
    if (failed) this.#open(error);
    else if (++this.#successes >= this.halfOpenMax) this.#enter("closed");
  }

  #open(error: unknown): void {
    this.#lastFailure = error;
    this.#openedAt = performance.now();
    this.#enter("open", error);
  }

  #enter(to: CircuitState, cause?: unknown): void {
    const from = this.#state;
    this.#state = to;
    this.#generation++;
    this.#failures = 0;
    this.#probes = 0;
    this.#successes = 0;
    const hook = this.#onStateChange;
    if (hook === undefined) return;
    try {
      hook(to === "open" ? { from, to, cause } : { from, to });
    } catch (error) {
      this.#hookFailed("circuitBreaker() onStateChange", error);
    }
  }
}
