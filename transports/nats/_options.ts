/**
 * Internal: option checks shared by `serveNats` and `natsClient`.
 *
 * @module
 */

import { InvalidOptionError } from "../../mod.ts";
import type { Codec } from "./codec.ts";

/** Checks that `options` is an object (or absent) with only `allowed` keys. */
export function checkOptions(
  where: string,
  options: unknown,
  allowed: readonly string[],
): void {
  if (options === undefined) return;
  if (
    options === null || typeof options !== "object" || Array.isArray(options)
  ) {
    throw new InvalidOptionError(
      `${where} options`,
      options,
      `an options object with ${allowed.join(", ")}, or nothing`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidOptionError(
        key,
        (options as Record<string, unknown>)[key],
        `no such option of ${where}; valid options: ${allowed.join(", ")}`,
      );
    }
  }
}

/** The codec option, or the default. */
export function codecOption(value: unknown, fallback: Codec): Codec {
  if (value === undefined) return fallback;
  if (
    value === null || typeof value !== "object" ||
    typeof (value as Codec).encode !== "function" ||
    typeof (value as Codec).decode !== "function"
  ) {
    throw new InvalidOptionError(
      "codec",
      value,
      "an object with encode(value) => Uint8Array and decode(bytes) => value",
    );
  }
  return value as Codec;
}

/** A positive integer (or `Infinity` when `infinite`), or the default. */
export function countOption(
  option: string,
  value: unknown,
  fallback: number,
  infinite: boolean,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value === "number" &&
    ((infinite && value === Infinity) ||
      (Number.isInteger(value) && value > 0))
  ) {
    return value;
  }
  throw new InvalidOptionError(
    option,
    value,
    infinite ? "a positive integer or Infinity" : "a positive integer",
  );
}

/** Largest `setTimeout` delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A positive duration in ms (or `false` when `allowFalse`), or the default. */
export function durationOption(
  option: string,
  value: unknown,
  fallback: number | false,
): number | false {
  if (value === undefined) return fallback;
  if (value === false) return false;
  if (typeof value === "number" && value > 0 && value <= MAX_TIMER_MS) {
    return value;
  }
  throw new InvalidOptionError(
    option,
    value,
    `a number of milliseconds > 0 and <= ${MAX_TIMER_MS}, or false`,
  );
}

/** A non-empty string without whitespace, or the default. */
export function nameOption(
  option: string,
  value: unknown,
  fallback: string,
): string {
  if (value === undefined) return fallback;
  if (typeof value === "string" && value.length > 0 && !/\s/.test(value)) {
    return value;
  }
  throw new InvalidOptionError(
    option,
    value,
    "a non-empty string without spaces",
  );
}
