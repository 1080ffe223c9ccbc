// Internal: the per-call options a layer passes down. A layer that owns the
// inner call's signal (timeout, hedge) or shrinks its deadline builds a new
// options object of one fixed shape (monomorphic for the engine); the other
// fields travel unchanged.

import type { CallOptions } from "../service.ts";

/**
 * The options to pass to an inner call whose signal the layer owns; that
 * signal must abort whenever `options.signal` does (so when the caller's
 * signal aborts at the deadline, as a {@linkcode SignalledDeadline} says,
 * the layer's own does too).
 */
export function withSignal(
  options: CallOptions | undefined,
  signal: AbortSignal,
): CallOptions {
  if (options instanceof SignalledDeadline) {
    return new SignalledDeadline(signal, options.deadline, options.metadata);
  }
  return {
    signal,
    deadline: options?.deadline,
    metadata: options?.metadata,
  };
}

/** The options to pass to an inner call with a (shrunk) deadline. */
export function withDeadline(
  options: CallOptions | undefined,
  deadline: number,
): CallOptions {
  return {
    signal: options?.signal,
    deadline,
    metadata: options?.metadata,
  };
}

/**
 * Options whose `signal` aborts at their `deadline`: a timeout layer above
 * owns that signal and enforces the deadline with its own timer, so a layer
 * waiting below it needs no deadline timer of its own (the abort releases
 * the wait at the same moment).
 */
export class SignalledDeadline implements CallOptions {
  constructor(
    readonly signal: AbortSignal,
    readonly deadline: number,
    readonly metadata: Readonly<Record<string, string>> | undefined,
  ) {}
}

/**
 * The deadline a waiting layer must watch itself: the options' deadline,
 * or `Infinity` when there is none or when the signal already aborts at it
 * ({@linkcode SignalledDeadline}).
 */
export function deadlineToWatch(options: CallOptions | undefined): number {
  return options instanceof SignalledDeadline ? Infinity : deadlineOf(options);
}

/** The options' deadline when it is a number, else `Infinity`. */
export function deadlineOf(options: CallOptions | undefined): number {
  const deadline = options?.deadline;
  return typeof deadline === "number" && !Number.isNaN(deadline)
    ? deadline
    : Infinity;
}

/** True when `error` is the caller's own abort, which layers never retry, count or map. */
export function isOwnAbort(
  error: unknown,
  options: CallOptions | undefined,
): boolean {
  const signal = options?.signal;
  return signal != null && signal.aborted && error === signal.reason;
}
