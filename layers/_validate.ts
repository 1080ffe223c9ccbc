// Option validation shared by the layers. Every check throws
// InvalidOptionError(option, value, expected) at construction time, so a bad
// option never surfaces during a call.

import { InvalidOptionError } from "../errors.ts";

/** A positive safe integer (counts: permits, requests, attempts, sizes). */
export function positiveInteger(option: string, value: unknown): number {
  if (
    typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0
  ) {
    throw new InvalidOptionError(option, value, "a positive integer");
  }
  return value;
}

/** A finite number greater than zero (durations that must elapse). */
export function positiveNumber(option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(
      option,
      value,
      "a finite number greater than 0",
    );
  }
  return value;
}

/** A finite number, zero or more (delays that may be zero, ratios). */
export function nonNegativeNumber(option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(option, value, "a finite number >= 0");
  }
  return value;
}

/**
 * The longest delay `setTimeout` honours, in ms (about 24.8 days). A longer
 * one does not wait: it fires after 1 ms (with a TimeoutOverflowWarning), so
 * `batch({ maxDelay: 3e9 })` would send every batch at once, `retry` would
 * not back off, and the deadline timers of `timeout`/`hedge` would wake every
 * millisecond. Durations that arm a timer are capped here, at construction,
 * instead of misbehaving later.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A delay that arms a timer: finite, at most {@linkcode MAX_TIMER_MS}, and
 * greater than 0 (or, with `allowZero`, zero or more).
 */
export function timerDelay(
  option: string,
  value: unknown,
  allowZero: boolean,
): number {
  if (
    typeof value !== "number" || !(allowZero ? value >= 0 : value > 0) ||
    !(value <= MAX_TIMER_MS)
  ) {
    throw new InvalidOptionError(
      option,
      value,
      `a number of ms ${
        allowZero ? ">= 0" : "greater than 0"
      } and at most ${MAX_TIMER_MS} (about 24.8 days, the timer limit)`,
    );
  }
  return value;
}

/** An options object (not null, not an array). */
export function optionsObject(option: string, value: unknown): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(option, value, "an options object");
  }
}

/** A function, or `undefined` when the option is optional. */
export function optionalFunction(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== "function") {
    throw new InvalidOptionError(option, value, "a function");
  }
}

/** A function. */
export function requiredFunction(option: string, value: unknown): void {
  if (typeof value !== "function") {
    throw new InvalidOptionError(option, value, "a function");
  }
}

/**
 * Refuses arguments past the `count` a factory takes, as an untyped caller
 * could pass: `concurrencyLimit(5, { queue: 10 })` or `loadShed("x")` would
 * otherwise be accepted and the extra argument silently ignored.
 */
export function noMoreArguments(
  factory: string,
  args: IArguments,
  count: number,
): void {
  if (args.length <= count) return;
  const option = `${factory}() argument ${count + 1}`;
  throw new InvalidOptionError(
    option,
    args[count],
    `no such argument: ${factory}() takes ${
      count === 0 ? "none" : count === 1 ? "one" : count
    }`,
  );
}
