/**
 * {@linkcode RetryBudget}: caps retries at a share of recent requests.
 *
 * @module
 */

import { rejectUnknownKeys } from "../errors.ts";
import {
  nonNegativeNumber,
  optionsObject,
  positiveNumber,
} from "./_validate.ts";

/**
 * Options of {@linkcode RetryBudget}.
 *
 * @example Retries may add at most 10% load, plus 5 a second
 * ```ts
 * import { RetryBudget, type RetryBudgetOptions } from "@norpc/norpc/layers";
 *
 * const options: RetryBudgetOptions = { ratio: 0.1, minPerSecond: 5, window: 10_000 };
 * const budget = new RetryBudget(options);
 * ```
 */
export interface RetryBudgetOptions {
  /**
   * Retries allowed per request over the window, e.g. `0.2` lets retries add
   * at most 20% to the load: a finite number >= 0. Defaults to `0.2`.
   */
  ratio?: number;
  /**
   * Retries allowed per second regardless of traffic, so that a quiet
   * service can still retry: a finite number >= 0. Defaults to `10`.
   */
  minPerSecond?: number;
  /**
   * How far back requests and retries count, in milliseconds: a finite
   * number > 0. Defaults to `10_000`.
   */
  window?: number;
}

/**
 * Internal: {@linkcode RetryBudget.deposit} with the `Date.now()` the retry
 * layer was handed (see `CALL_AT` in `_timers.ts`): reading the clock is
 * most of a deposit's cost, and a `timeout` above has just read it.
 */
export let depositAt: (budget: RetryBudget, now: number) => void;

/** Slots the window is divided into; old slots expire one at a time. */
const SLOTS = 10;

/**
 * A retry budget as in Tower (`TpsBudget`) and Finagle (`RetryBudget`): every
 * request deposits `ratio` of a retry, every retry withdraws one, over a
 * sliding window of `window` ms, on top of a reserve of
 * `minPerSecond * window / 1000` retries. A retry is allowed only while the
 * balance covers it, so when everything fails, retries add at most `ratio`
 * to the load instead of multiplying it by the number of attempts.
 *
 * The window is kept as 10 slots of `window / 10` ms each, expiring one slot
 * at a time; time is read from `Date.now()` (a clock set back advances no slot). A budget
 * may be shared by several {@linkcode retry} layers to cap them together.
 *
 * @example
 * ```ts
 * import { RetryBudget } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 0 });
 * budget.deposit();
 * budget.deposit(); // two requests: one retry's worth
 * assert.equal(budget.withdraw(), true);
 * assert.equal(budget.withdraw(), false);
 * ```
 */
export class RetryBudget {
  /** Retries allowed per request. */
  readonly ratio: number;
  /** Retries allowed per second regardless of traffic. */
  readonly minPerSecond: number;
  /** The window in milliseconds. */
  readonly window: number;
  readonly #reserve: number;
  readonly #slotMs: number;
  readonly #requests = new Float64Array(SLOTS);
  readonly #retries = new Float64Array(SLOTS);
  #totalRequests = 0;
  #totalRetries = 0;
  /** Absolute index of the current slot: `floor(now / slotMs)`. */
  #slot: number;
  /** When the next slot starts: `(#slot + 1) * slotMs`. */
  #nextSlotAt: number;

  /**
   * Creates an empty budget (only the reserve is available).
   *
   * @param options `ratio`, `minPerSecond` and `window`, all optional.
   * @throws {InvalidOptionError} When an option is out of range.
   */
  constructor(options: RetryBudgetOptions = {}) {
    optionsObject("retry.budget", options);
    rejectUnknownKeys("RetryBudget", options, [
      "ratio",
      "minPerSecond",
      "window",
    ]);
    this.ratio = options.ratio === undefined
      ? 0.2
      : nonNegativeNumber("retry.budget.ratio", options.ratio);
    this.minPerSecond = options.minPerSecond === undefined
      ? 10
      : nonNegativeNumber("retry.budget.minPerSecond", options.minPerSecond);
    this.window = options.window === undefined
      ? 10_000
      : positiveNumber("retry.budget.window", options.window);
    this.#reserve = this.minPerSecond * this.window / 1000;
    this.#slotMs = this.window / SLOTS;
    this.#slot = Math.floor(Date.now() / this.#slotMs);
    this.#nextSlotAt = (this.#slot + 1) * this.#slotMs;
  }

  /** Records a request (call it once per original call, not per retry). */
  deposit(): void {
    this.#deposit(Date.now());
  }

  #deposit(now: number): void {
    this.#advance(now);
    this.#requests[this.#slot % SLOTS]++;
    this.#totalRequests++;
  }

  /**
   * Spends one retry if the balance allows it.
   *
   * @returns Whether the retry may be made.
   */
  withdraw(): boolean {
    this.#advance(Date.now());
    if (this.#balance() < 1) return false;
    this.#retries[this.#slot % SLOTS]++;
    this.#totalRetries++;
    return true;
  }

  /** Retries that could be made now (may be fractional). */
  get balance(): number {
    this.#advance(Date.now());
    return this.#balance();
  }

  /** Requests deposited within the window. */
  get requests(): number {
    this.#advance(Date.now());
    return this.#totalRequests;
  }

  /** Retries withdrawn within the window. */
  get retries(): number {
    this.#advance(Date.now());
    return this.#totalRetries;
  }

  #balance(): number {
    return this.#reserve + this.ratio * this.#totalRequests -
      this.#totalRetries;
  }

  /** Expires the slots that have left the window. */
  #advance(now: number): void {
    // Date.now(), not performance.now(): every call deposits, and in Deno
    // performance.now() costs about twice as much (an op call). A clock set
    // back advances nothing (slots never go back); one set forward expires
    // slots early, so the budget errs on the side of fewer retries.
    // Every call deposits: a compare, not a division, while the slot lasts.
    if (now < this.#nextSlotAt) return;
    const slot = Math.floor(now / this.#slotMs);
    if (slot <= this.#slot) return;
    const expired = Math.min(slot - this.#slot, SLOTS);
    for (let i = 1; i <= expired; i++) {
      const index = (this.#slot + i) % SLOTS;
      this.#totalRequests -= this.#requests[index];
      this.#totalRetries -= this.#retries[index];
      this.#requests[index] = 0;
      this.#retries[index] = 0;
    }
    this.#slot = slot;
    this.#nextSlotAt = (slot + 1) * this.#slotMs;
  }

  static {
    depositAt = (budget, now) => budget.#deposit(now);
  }
}
