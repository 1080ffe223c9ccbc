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
