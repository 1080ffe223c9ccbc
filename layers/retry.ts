/**
 * The {@linkcode retry} layer: retries failed calls with backoff, within a
 * budget.
 *
 * @module
 */

import {
  OverloadedError,
  rejectUnknownKeys,
  reportCallbackError,
  TimeoutError,
} from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";
import { refuseSignal } from "../_abort.ts";
import { deadlineOf, isOwnAbort } from "./_call_options.ts";
import { delay } from "./_delay.ts";
import {
  callInner,
  callInnerAt,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import { unitRandom } from "./_random.ts";
import {
  noMoreArguments,
  nonNegativeNumber,
  optionalFunction,
  optionsObject,
  positiveInteger,
  timerDelay,
} from "./_validate.ts";
import {
  depositAt,
  RetryBudget,
  type RetryBudgetOptions,
} from "./retry_budget.ts";
import { CALL_AT, type FailedHook, failedHook, takesNow } from "../_timers.ts";

/**
 * When and how {@linkcode retry} retries. Every field is optional.
 *
 * @example Retry anything but bad requests, five attempts at most
 * ```ts
 * import type { RetryPolicy } from "@norpc/norpc/layers";
 *
 * const policy: RetryPolicy = {
 *   attempts: 5,
 *   base: 20,
 *   max: 2000,
 *   retryIf: (error) => !(error instanceof RangeError),
 *   budget: { ratio: 0.1 },
 * };
 * ```
 */
export interface RetryPolicy {
  /**
   * Most attempts per call, the first included: a positive integer.
   * `1` disables retrying. Defaults to `3`.
   */
  attempts?: number;
  /**
   * Backoff before the first retry is drawn from `[0, base)` ms, doubling for
   * each further retry ("full jitter"): a finite number >= 0. Defaults to `25`.
   */
  base?: number;
  /**
   * Cap on the backoff range in ms: a number >= 0 and at most 2147483647, the
   * timer limit. Defaults to `1000`.
   */
  max?: number;
  /**
   * Whether an error is worth retrying; `attempt` is the number of attempts
   * made so far. Defaults to {@linkcode retryableByDefault}. The caller's own
   * abort is never retried, whatever this says.
   */
  retryIf?: (error: unknown, attempt: number) => boolean;
  /**
   * The retry budget: a shared {@linkcode RetryBudget}, options for a new one
   * owned by this service, or `false` for none (retries then multiply load in
   * an outage: only for tests and tools). Defaults to `new RetryBudget()`
   * (20% of requests plus 10 retries a second over 10 s).
   */
  budget?: RetryBudget | RetryBudgetOptions | false;
  /**
   * Source of randomness for the jitter, returning a number in `[0, 1)`
   * (a value outside is clamped into it, `NaN` counts as 0; if it throws,
   * the call rejects with what it threw). Defaults to `Math.random`; pass a
   * seeded one for reproducible tests.
   */
  random?: () => number;
  /**
   * Called before each retry, with the error that caused it: the place to
   * log or count an attempt's failure. A call that gives up rejects with
   * its last error only, unchanged (retry never writes to an error it did
   * not create: the same error object may be shared by several calls), so
   * this hook is where the history of a call's attempts is seen.
   */
  onRetry?: (event: RetryEvent<unknown>) => void;
  /**
   * Receives what `retryIf` or `onRetry` threw, with a `context` naming
   * the callback. Defaults to `console.error`; never `reportError()`, which
   * would end a Deno process. A `retryIf` that throws means "do not retry":
   * the call rejects with the service's own error.
   */
  onHookError?: (error: unknown, context: string) => void;
}

/**
 * A retry about to happen, as passed to {@linkcode RetryPolicy.onRetry}.
 *
 * @typeParam Req The request type.
 *
 * @example Log every retry
 * ```ts
 * import type { RetryEvent } from "@norpc/norpc/layers";
 *
 * const log = ({ attempt, error, delayMs }: RetryEvent<string>) =>
 *   console.warn(`attempt ${attempt} failed (${error}), retry in ${delayMs} ms`);
 * ```
 */
export interface RetryEvent<Req> {
  /** The request, sent again unchanged. */
  readonly req: Req;
  /** The error the attempt failed with. */
  readonly error: unknown;
  /** The number of attempts made so far (1 before the first retry). */
  readonly attempt: number;
  /** The backoff before the retry, in ms. */
  readonly delayMs: number;
}

/**
 * The default retry predicate: {@linkcode OverloadedError} (the service shed
 * the call; it did no work) and {@linkcode TimeoutError} raised below the
 * retry layer (an attempt timed out). A `TimeoutError` from a timeout *above*
 * the retry layer reaches it as the caller's abort reason, which is never
 * retried.
 *
 * @param error The error an attempt failed with.
 * @returns Whether to retry.
 *
 * @example
 * ```ts
 * import { OverloadedError } from "@norpc/norpc";
 * import { retryableByDefault } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * assert.equal(retryableByDefault(new OverloadedError("busy")), true);
 * assert.equal(retryableByDefault(new TypeError("bug")), false);
 * ```
 */
export function retryableByDefault(error: unknown): boolean {
  return error instanceof OverloadedError || error instanceof TimeoutError;
}

/**
 * Retries calls that fail with an error the policy accepts, after an
 * exponential backoff with full jitter: before retry `k` (1-based) it waits a
 * random time in `[0, min(max, base * 2^(k-1)))` ms. A caller's abort during
 * the backoff rejects at once with `signal.reason` and clears the timer; a
 * caller's own abort is never retried.
 *
 * Retries draw on a {@linkcode RetryBudget}: each call deposits, each retry
 * withdraws, so in an outage retries add at most `ratio` (default 20%) to the
 * load instead of multiplying it.
 *
 * Retries respect the call's `options.deadline`: a retry is made only if its
 * backoff ends before the deadline; otherwise the call gives up at once with
 * the last error (rather than sleeping past the deadline or starting an
 * attempt that cannot answer in time). The layer enforces deadlines when the
 * service below does (each attempt is then bounded by it, and no backoff
 * crosses the deadline).
 *
 * When it gives up (attempts exhausted, error not retryable, budget spent,
 * no time left) the call rejects with the last error itself, unchanged, so
 * `instanceof` checks still work and an error object shared by several
 * calls (a constant, a batch's error) never carries another call's history;
 * the earlier attempts' errors are passed to `onRetry` as they happen.
 *
 * Requests are passed again as they are, so they must be safe to send twice
 * (idempotent), as with any retry.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param policy What to retry, how often and how long to wait.
 * @returns A layer producing a {@linkcode RetryService}.
 * @throws {InvalidOptionError} When a policy field is out of range.
 *
 * @example
 * ```ts
 * import { OverloadedError, serviceFn } from "@norpc/norpc";
 * import { retry } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * let failures = 2;
 * const flaky = serviceFn((n: number) => {
 *   if (failures-- > 0) throw new OverloadedError("busy");
 *   return n * 2;
 * });
 * const svc = retry<number, number>({ attempts: 3, base: 1 })(flaky);
 * assert.equal(await svc.call(21), 42);
 * ```
 */
export function retry<Req, Res>(
  policy: RetryPolicy = {},
): Layer<Service<Req, Res>, RetryService<Req, Res>> {
  noMoreArguments("retry", arguments, 1);
  const config = validate(policy);
  return (inner) => new RetryService(inner, config);
}

interface Config {
  attempts: number;
  base: number;
  max: number;
  retryIf: (error: unknown, attempt: number) => boolean;
  budget: RetryBudget | RetryBudgetOptions | false;
  random: () => number;
  onRetry: RetryPolicy["onRetry"];
  onHookError: RetryPolicy["onHookError"];
}

const POLICY = [
  "attempts",
  "base",
  "max",
  "retryIf",
  "budget",
  "random",
  "onRetry",
  "onHookError",
];

function validate(policy: RetryPolicy): Config {
  optionsObject("retry policy", policy);
  rejectUnknownKeys("retry()", policy, POLICY);
  const {
    attempts = 3,
    base = 25,
    max = 1000,
    retryIf = retryableByDefault,
    budget = {},
    random = Math.random,
    onRetry,
    onHookError,
  } = policy;
  positiveInteger("retry.attempts", attempts);
  nonNegativeNumber("retry.base", base);
  // The backoff never exceeds `max`, so capping `max` at the timer limit
  // keeps every backoff timer honest (a longer setTimeout fires after 1 ms).
  timerDelay("retry.max", max, true);
  optionalFunction("retry.retryIf", retryIf);
  optionalFunction("retry.random", random);
  optionalFunction("retry.onRetry", onRetry);
  optionalFunction("retry.onHookError", onHookError);
  // Validates budget options now, at construction, not at first use.
  if (budget !== false && !(budget instanceof RetryBudget)) {
    new RetryBudget(budget);
  }
  return {
    attempts,
    base,
    max,
    retryIf,
    budget,
    random,
    onRetry,
    onHookError,
  };
}

/**
 * The service {@linkcode retry} produces. {@linkcode RetryService.retrying}
 * counts calls that have failed at least once and are backing off or
 * retrying; it returns to zero once they settle, with no timer left.
 * {@linkcode RetryService.hookErrors} counts exceptions thrown by `retryIf`
 * and `onRetry`.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { retry } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = retry<number, number>()(serviceFn((n: number) => n));
 * await svc.call(1);
 * assert.equal(svc.retrying, 0);
 * assert.equal(svc.budget?.requests, 1);
 * ```
 */
export class RetryService<Req, Res> implements Service<Req, Res> {
  /** The budget retries draw on, or `undefined` when disabled. */
  readonly budget: RetryBudget | undefined;
  /** Whether the service below rejects calls at their deadline. */
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Res>;
  /** Whether the inner service takes a caller's `now` (see `CALL_AT`). */
  readonly #innerTakesNow: boolean;
  readonly #attempts: number;
  readonly #base: number;
  readonly #max: number;
  readonly #retryIf: (error: unknown, attempt: number) => boolean;
  readonly #random: () => number;
  readonly #onRetry: RetryPolicy["onRetry"];
  readonly #onHookError: RetryPolicy["onHookError"];
  #retrying = 0;
  #hookErrors = 0;

  /**
   * Prefer the {@linkcode retry} layer factory.
   *
   * @param inner The service to retry.
   * @param policy What to retry, how often and how long to wait.
   */
  constructor(inner: Service<Req, Res>, policy: RetryPolicy = {}) {
    checkInner(inner, "retry()");
    const config = validate(policy);
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
    this.#innerTakesNow = takesNow(inner);
    this.#onRetry = config.onRetry;
    this.#onHookError = config.onHookError;
    this.#attempts = config.attempts;
    this.#base = config.base;
    this.#max = config.max;
    this.#retryIf = config.retryIf;
    this.#random = config.random;
    this.budget = config.budget === false
      ? undefined
      : config.budget instanceof RetryBudget
      ? config.budget
      : new RetryBudget(config.budget);
  }

  /** Calls that failed at least once and are backing off or retrying. */
  get retrying(): number {
    return this.#retrying;
  }

  /** Exceptions thrown by `retryIf` and `onRetry` so far. */
  get hookErrors(): number {
    return this.#hookErrors;
  }

  /**
   * Calls the inner service, retrying as the policy says.
   *
   * @param req The request; sent again unchanged on each retry.
   * @param options The call's options; aborting `signal` during a backoff
   * rejects with `signal.reason` at once; no retry starts whose backoff
   * would end past `deadline`.
   * @returns The first successful response.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    const refused = refuseSignal(options?.signal);
    if (refused !== undefined) return refused;
    this.budget?.deposit();
    if (this.#attempts === 1) return callInner(this.#inner, req, options);
    return this.#first(req, options);
  }

  /**
   * Internal: `call` with `Date.now()` read just before (see `CALL_AT`):
   * the budget's deposit and the first attempt use it instead of reading
   * the clock again (under `timeout`, the deposit's own `Date.now()` was
   * ~45 ns of every call). No user code runs before the first attempt, so
   * `now` is still fresh for the service below.
   */
  [CALL_AT](
    req: Req,
    options: CallOptions | undefined,
    now: number,
  ): Promise<Res> {
    const refused = refuseSignal(options?.signal);
    if (refused !== undefined) return refused;
    if (this.budget !== undefined) depositAt(this.budget, now);
    if (!this.#innerTakesNow) {
      if (this.#attempts === 1) return callInner(this.#inner, req, options);
      return this.#first(req, options);
    }
    if (this.#attempts === 1) {
      return callInnerAt(this.#inner, req, options, now);
    }
    return this.#firstAt(req, options, now);
  }

  /** The inner service's readiness. */
  ready(): boolean {
    return innerReady(this.#inner);
  }

  // `.then(undefined, closure)`, not an async method: an async function's
  // generator and await cost more than the closure (A/B, the full stack
  // timeout -> retry -> concurrencyLimit over a client: 349 -> 306 ns a
  // call at c=1, 349 -> 299 in batches of 256).
  #first(req: Req, options: CallOptions | undefined): Promise<Res> {
    return callInner(this.#inner, req, options).then(
      undefined,
      (error) => this.#again(req, options, error),
    );
  }

  // #first, passing on the caller's `now` (see CALL_AT). A client below
  // (through concurrencyLimit too) takes the failed hook: it offers a
  // failure to this layer instead of rejecting, and the caller holds the
  // client's own promise, with no reaction here on the way (see
  // `failedHook` in _timers.ts). A/B, the full stack over a client:
  // 302 -> 251 ns a call at c=1 without any hook, the bound it nears.
  #firstAt(
    req: Req,
    options: CallOptions | undefined,
    now: number,
  ): Promise<Res> {
    const failed: FailedHook<Res> = (error, resolve, reject) => {
      // The caller's own abort is never retried: it rejects at once.
      if (isOwnAbort(error, options)) return false;
      // Later, never inside the client's bookkeeping: #again runs the
      // user's retryIf, random and onRetry.
      queueMicrotask(() =>
        this.#again(req, options, error).then(resolve, reject)
      );
      return true;
    };
    failedHook.taken = undefined;
    const result = callInnerAt(
      this.#inner,
      req,
      options,
      now,
      undefined,
      failed,
    );
    if (failedHook.taken === failed) {
      failedHook.taken = undefined;
      return result;
    }
    return result.then(
      undefined,
      (error) => this.#again(req, options, error),
    );
  }

  async #again(
    req: Req,
    options: CallOptions | undefined,
    first: unknown,
  ): Promise<Res> {
    const signal = options?.signal;
    const deadline = deadlineOf(options);
    let error = first;
    this.#retrying++;
    try {
      for (let attempt = 1;; attempt++) {
        if (signal?.aborted) throw signal.reason;
        if (
          attempt >= this.#attempts || !this.#retryable(error, attempt)
        ) {
          throw error;
        }
        const ceiling = Math.min(this.#max, this.#base * 2 ** (attempt - 1));
        const backoff = unitRandom(this.#random) * ceiling;
        // No retry that cannot start before the deadline: give up now with
        // the last error instead of sleeping past it.
        if (deadline !== Infinity && Date.now() + backoff >= deadline) {
          throw error;
        }
        if (this.budget !== undefined && !this.budget.withdraw()) throw error;
        this.#notify(req, error, attempt, backoff);
        await delay(backoff, signal);
        try {
          return await callInner(this.#inner, req, options);
        } catch (next) {
          error = next;
        }
      }
    } finally {
      this.#retrying--;
    }
  }

  /** `retryIf`, guarded: a predicate that throws means "do not retry". */
  #retryable(error: unknown, attempt: number): boolean {
    try {
      return Boolean(this.#retryIf(error, attempt));
    } catch (hookError) {
      this.#hookFailed("retry() retryIf", hookError);
      return false;
    }
  }

  #notify(req: Req, error: unknown, attempt: number, delayMs: number): void {
    const onRetry = this.#onRetry;
    if (onRetry === undefined) return;
    try {
      onRetry({ req, error, attempt, delayMs });
    } catch (hookError) {
      this.#hookFailed("retry() onRetry", hookError);
    }
  }

  #hookFailed(context: string, error: unknown): void {
    this.#hookErrors++;
    reportCallbackError(context, error, this.#onHookError);
  }
}
