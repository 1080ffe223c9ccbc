/**
 * The {@linkcode retry} layer: retries failed calls with backoff, within a
 * budget.
 *
 * @module
 */

import { OverloadedError, TimeoutError } from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";
import { delay } from "./_delay.ts";
import { callInner, innerReady, refuseSignal } from "./_util.ts";
import {
  nonNegativeNumber,
  optionalFunction,
  optionsObject,
  positiveInteger,
  timerDelay,
} from "./_validate.ts";
import { RetryBudget, type RetryBudgetOptions } from "./retry_budget.ts";

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
   * Source of randomness for the jitter, returning a number in `[0, 1)`.
   * Defaults to `Math.random`; pass a seeded one for reproducible tests.
   */
  random?: () => number;
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
 *
 * console.log(retryableByDefault(new OverloadedError("busy"))); // true
 * console.log(retryableByDefault(new TypeError("bug"))); // false
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
 * When it gives up (attempts exhausted, error not retryable, budget spent)
 * the call rejects with the last error itself, so `instanceof` checks still
 * work; the earlier attempts' errors are attached as its `cause`, an
 * `AggregateError`, when it is an `Error` without a cause of its own.
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
}

function validate(policy: RetryPolicy): Config {
  optionsObject("retry policy", policy);
  const {
    attempts = 3,
    base = 25,
    max = 1000,
    retryIf = retryableByDefault,
    budget = {},
    random = Math.random,
  } = policy;
  positiveInteger("retry.attempts", attempts);
  nonNegativeNumber("retry.base", base);
  // The backoff never exceeds `max`, so capping `max` at the timer limit
  // keeps every backoff timer honest (a longer setTimeout fires after 1 ms).
  timerDelay("retry.max", max, true);
  optionalFunction("retry.retryIf", retryIf);
  optionalFunction("retry.random", random);
  // Validates budget options now, at construction, not at first use.
  if (budget !== false && !(budget instanceof RetryBudget)) {
    new RetryBudget(budget);
  }
  return { attempts, base, max, retryIf, budget, random };
}

/**
 * The service {@linkcode retry} produces. {@linkcode RetryService.retrying}
 * counts calls that have failed at least once and are backing off or
 * retrying; it returns to zero once they settle, with no timer left.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { retry } from "@norpc/norpc/layers";
 *
 * const svc = retry<number, number>()(serviceFn((n: number) => n));
 * await svc.call(1);
 * console.log(svc.retrying, svc.budget?.requests); // 0 1
 * ```
 */
export class RetryService<Req, Res> implements Service<Req, Res> {
  /** The budget retries draw on, or `undefined` when disabled. */
  readonly budget: RetryBudget | undefined;
  readonly #inner: Service<Req, Res>;
  readonly #attempts: number;
  readonly #base: number;
  readonly #max: number;
  readonly #retryIf: (error: unknown, attempt: number) => boolean;
  readonly #random: () => number;
  #retrying = 0;

  /**
   * Prefer the {@linkcode retry} layer factory.
   *
   * @param inner The service to retry.
   * @param policy What to retry, how often and how long to wait.
   */
  constructor(inner: Service<Req, Res>, policy: RetryPolicy = {}) {
    const config = validate(policy);
    this.#inner = inner;
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

  /**
   * Calls the inner service, retrying as the policy says.
   *
   * @param req The request; sent again unchanged on each retry.
   * @param options The call's options; aborting `signal` during a backoff
   * rejects with `signal.reason` at once.
   * @returns The first successful response.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    const refused = refuseSignal(options?.signal);
    if (refused !== undefined) return refused;
    this.budget?.deposit();
    const first = callInner(this.#inner, req, options);
    if (this.#attempts === 1) return first;
    return first.catch((error) => this.#again(req, options, error));
  }

  /** The inner service's readiness. */
  ready(): boolean {
    return innerReady(this.#inner);
  }

  async #again(
    req: Req,
    options: CallOptions | undefined,
    first: unknown,
  ): Promise<Res> {
    const signal = options?.signal;
    const errors = [first];
    this.#retrying++;
    try {
      for (let attempt = 1;; attempt++) {
        if (signal?.aborted) throw signal.reason;
        const error = errors[errors.length - 1];
        if (
          attempt >= this.#attempts || !this.#retryIf(error, attempt) ||
          (this.budget !== undefined && !this.budget.withdraw())
        ) {
          throw withEarlier(error, errors);
        }
        const ceiling = Math.min(this.#max, this.#base * 2 ** (attempt - 1));
        await delay(this.#random() * ceiling, signal);
        try {
          return await callInner(this.#inner, req, options);
        } catch (next) {
          errors.push(next);
        }
      }
    } finally {
      this.#retrying--;
    }
  }
}

/** The last error, with the earlier attempts' errors as its `cause`. */
function withEarlier(last: unknown, errors: unknown[]): unknown {
  const earlier = errors.filter((error) => error !== last);
  if (
    earlier.length > 0 && last instanceof Error && last.cause === undefined &&
    !Object.hasOwn(last, "cause") && Object.isExtensible(last)
  ) {
    Object.defineProperty(last, "cause", {
      value: new AggregateError(
        earlier,
        `${earlier.length} earlier attempt(s) failed too`,
      ),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return last;
}
