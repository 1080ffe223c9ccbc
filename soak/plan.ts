/**
 * The soak's plan: what each call will meet, drawn from a seeded
 * {@linkcode Rng} before the call is issued. A plan is pure data; the fault
 * injection (`faults.ts`) plays it, the driver (`driver.ts`) issues it and
 * the oracle (`oracle.ts`) derives the expected outcome from it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drawPlan, RETRY_ATTEMPTS } from "./plan.ts";
 * import { Rng } from "./rng.ts";
 *
 * const a = drawPlan(new Rng(7));
 * const b = drawPlan(new Rng(7));
 * assert.deepEqual(a, b); // a seed fixes the plan
 * assert.equal(
 *   a.behaviours.length,
 *   a.stack === "resilient" ? RETRY_ATTEMPTS : 1,
 * );
 * ```
 *
 * @module
 */

import { OverloadedError, TimeoutError } from "../mod.ts";
import type { Rng } from "./rng.ts";

/** How long a handler takes. */
export type Latency = "sync" | "microtask" | "timer" | "hang";
/** How a handler ends. */
export type ResultKind = "ok" | "throw" | "reject" | "non-error" | "overloaded";
/** Which layers sit between the caller and the client. */
export type StackKind =
  | "direct"
  | "timeout-long"
  | "timeout-short"
  | "resilient";
/** When the caller aborts. */
export type AbortKind = "none" | "before" | "queued" | "running" | "race";
/** How an abort is delayed. */
export type DelayKind = "sync" | "microtask" | "timer";
/** What the caller gives `abort()`. */
export type ReasonKind = "error" | "default" | "string" | "object";
/**
 * The call's deadline (`CallOptions.deadline`): none, already past when
 * issued, tight (0–3 ms ahead, often beaten by the handler) or loose
 * (5–40 ms ahead).
 */
export type DeadlineKind = "none" | "past" | "tight" | "loose";

/** What a handler does for one attempt. */
export interface Behaviour {
  readonly latency: Latency;
  readonly result: ResultKind;
  /** Microtask hops before answering (`microtask` latency). */
  readonly hops: number;
  /** Timer delay (`timer` latency). */
  readonly timerMs: number;
  /** A `timer` handler that stops and rejects when its signal aborts. */
  readonly cooperative: boolean;
  /** A non-error result is thrown (else returned as a rejected promise). */
  readonly thrown: boolean;
  /** A sync `ok` answers with a plain value, not a promise. */
  readonly raw: boolean;
  /** Which non-Error value or Error class to use. */
  readonly variant: number;
  /**
   * The handler relays the request to a downstream server with its own
   * options (signal, deadline, metadata), which plays this behaviour: the
   * second hop of a cascade.
   */
  readonly relay: boolean;
}

/** Everything one call will meet. */
export interface Plan {
  readonly stack: StackKind;
  readonly abort: AbortKind;
  readonly behaviours: readonly Behaviour[];
  readonly abortDelay: DelayKind;
  readonly abortHops: number;
  readonly abortMs: number;
  readonly reason: ReasonKind;
  /** Send to the previous (closed) server instead of the current one. */
  readonly previous: boolean;
  readonly deadline: DeadlineKind;
  /** Deadline offset from the issue time, in ms (negative when past). */
  readonly deadlineMs: number;
  /** The call carries `CallOptions.metadata` (a `traceparent`). */
  readonly metadata: boolean;
}

const STACK_WEIGHTS: Record<StackKind, number> = {
  "direct": 35,
  "timeout-long": 20,
  "timeout-short": 8,
  "resilient": 37,
};
const ABORT_WEIGHTS: Record<AbortKind, number> = {
  none: 70,
  before: 4,
  queued: 8,
  running: 7,
  race: 11,
};
const LATENCY_WEIGHTS: Record<Exclude<Latency, "hang">, number> = {
  sync: 35,
  microtask: 35,
  timer: 30,
};
const RESULT_WEIGHTS: Record<ResultKind, number> = {
  ok: 60,
  throw: 10,
  reject: 10,
  "non-error": 10,
  overloaded: 10,
};
/** Retries need failures to retry: more overloads in the resilient stack. */
const RESILIENT_RESULT_WEIGHTS: Record<ResultKind, number> = {
  ok: 45,
  throw: 5,
  reject: 5,
  "non-error": 5,
  overloaded: 40,
};
const DELAY_WEIGHTS: Record<DelayKind, number> = {
  sync: 30,
  microtask: 40,
  timer: 30,
};
const DEADLINE_WEIGHTS: Record<DeadlineKind, number> = {
  none: 80,
  past: 3,
  tight: 9,
  loose: 8,
};
/** Every abort reason kind, for a draw. */
export const REASON_KINDS: readonly ReasonKind[] = [
  "error",
  "default",
  "string",
  "object",
];
/** Server concurrency, by weight (`1` is an actor). */
export const CONCURRENCY: Record<string, number> = {
  "1": 3,
  "2": 3,
  "8": 14,
  "32": 20,
  "128": 20,
  "512": 20,
  "Infinity": 20,
};
/** `concurrencyLimit` sizes under `loadShed` in the resilient stack. */
export const SHED_LIMITS: readonly number[] = [4, 16, 64, 256];
/** Tries the retry layer makes at most. */
export const RETRY_ATTEMPTS = 3;
/** The long timeout: it never fires in a passing run. */
export const LONG_TIMEOUT_MS = 120_000;

function drawBehaviour(rng: Rng, resilient: boolean, hang: boolean): Behaviour {
  const latency: Latency = hang ? "hang" : rng.weighted(LATENCY_WEIGHTS);
  const result = rng.weighted(
    resilient ? RESILIENT_RESULT_WEIGHTS : RESULT_WEIGHTS,
  );
  return {
    latency,
    result,
    hops: rng.range(1, 6),
    timerMs: rng.chance(0.8) ? 0 : 1,
    cooperative: rng.chance(0.5),
    thrown: rng.chance(0.5),
    raw: rng.chance(0.3),
    variant: rng.int(8),
    relay: rng.chance(0.1),
  };
}

function deadlineOffset(rng: Rng, kind: DeadlineKind): number {
  switch (kind) {
    case "none":
      return 0;
    case "past":
      return -rng.range(0, 2) - 1;
    case "tight":
      return rng.range(0, 3);
    default:
      return rng.range(5, 40);
  }
}

/**
 * Draws one call's plan.
 *
 * @param rng The plan's generator (advanced by the draw).
 * @returns The plan.
 */
export function drawPlan(rng: Rng): Plan {
  const stack = rng.weighted(STACK_WEIGHTS);
  const abort = rng.weighted(ABORT_WEIGHTS);
  const resilient = stack === "resilient";
  // A handler may hang only when something ends it: the short timeout, or
  // the caller's abort triggered from inside the handler. (A deadline ends
  // it only where the server enforces deadlines, so it does not count.)
  const hang = stack === "timeout-short" || abort === "running";
  const behaviours: Behaviour[] = [];
  const n = resilient ? RETRY_ATTEMPTS : 1;
  for (let i = 0; i < n; i++) {
    behaviours.push(drawBehaviour(rng, resilient, hang));
  }
  const abortDelay = rng.weighted(DELAY_WEIGHTS);
  const abortHops = rng.range(0, 12);
  const abortMs = rng.chance(0.7) ? 0 : 1;
  const reason = rng.pick(REASON_KINDS);
  const previous = rng.chance(0.02);
  const deadline = rng.weighted(DEADLINE_WEIGHTS);
  return {
    stack,
    abort,
    behaviours,
    abortDelay,
    abortHops,
    abortMs,
    reason,
    previous,
    deadline,
    deadlineMs: deadlineOffset(rng, deadline),
    metadata: rng.chance(0.15),
  };
}

/** An error class a handler throws (distinct classes, all plain Errors). */
class InjectedError extends Error {}
const ERROR_CLASSES = [Error, TypeError, RangeError, InjectedError] as const;

/** The `Error` a failing handler throws or rejects with. */
export function injectedError(variant: number, id: number): Error {
  const Class = ERROR_CLASSES[variant % ERROR_CLASSES.length];
  return new Class(`injected failure of call ${id}`);
}

/** The non-`Error` value a handler throws or rejects with. */
export function nonErrorValue(variant: number, id: number): unknown {
  switch (variant) {
    case 0:
      return `thrown string ${id}`;
    case 1:
      return id;
    case 2:
      return undefined;
    case 3:
      return null;
    case 4:
      return { thrown: id };
    case 5:
      return Symbol(`thrown ${id}`);
    case 6:
      return BigInt(id);
    default:
      return NaN;
  }
}

/** The reason given to `abort()` (caller or server). */
export function abortReasonOf(kind: ReasonKind, id: number): unknown {
  switch (kind) {
    case "error":
      return new Error(`caller of call ${id} gave up`);
    case "default":
      return undefined; // the signal makes a DOMException "AbortError"
    case "string":
      return `call ${id} cancelled`;
    default:
      return { cancelled: id };
  }
}

/** Errors the default retry policy retries. */
export function retryable(error: unknown): boolean {
  return error instanceof OverloadedError || error instanceof TimeoutError;
}

/** A one-line description of a plan, for mismatch messages. */
export function describePlan(plan: Plan): string {
  const b = plan.behaviours.map((x) =>
    `${x.relay ? "relay:" : ""}${x.latency}/${x.result}`
  ).join(",");
  return `stack=${plan.stack} abort=${plan.abort}${
    plan.abort === "none" ? "" : `@${plan.abortDelay}`
  } handler=${b}${plan.previous ? " to-closed-server" : ""}${
    plan.deadline === "none"
      ? ""
      : ` deadline=${plan.deadline}(${plan.deadlineMs} ms)`
  }`;
}
