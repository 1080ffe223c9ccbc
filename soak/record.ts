/**
 * The soak's records of what happened: one {@linkcode Call} per logical
 * call, one {@linkcode Attempt} per request that reached a client, one
 * {@linkcode Try} per try of the retry layer. The driver and the fault
 * injection write them; the oracle (`oracle.ts`) reads them once a window has
 * settled.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Call } from "./record.ts";
 * import { drawPlan } from "./plan.ts";
 * import { Rng } from "./rng.ts";
 * import type { Generation } from "./generation.ts";
 *
 * const call = new Call(3, drawPlan(new Rng(1)), {} as Generation, 0);
 * assert.deepEqual(call.response, { call: 3 });
 * assert.equal(call.outcomes, 0);
 * ```
 *
 * @module
 */

import type { Generation } from "./generation.ts";
import type { Plan } from "./plan.ts";

/**
 * The checks a run makes:
 * - `one outcome`: every call settled exactly once (and no handler twice);
 * - `outcome`: each outcome is the one the injected fault implies;
 * - `deadline`: a call with a deadline ends by its deadline (where the
 *   server enforces deadlines), and a handler never starts past it;
 * - `metadata`: a handler sees its caller's metadata, unchanged, through
 *   every layer and hop;
 * - `cascade`: a relayed request's downstream handler is aborted when the
 *   upstream handler's signal aborts first (caller, deadline, server abort);
 * - `server counters`: each server's counters equal the attempts it got;
 * - `layer counts`: timers, permits and retries in the layers return to 0;
 * - `queue slots`: a call aborted while queued leaves the queue at once;
 * - `unhandled rejection`: no promise rejection goes unhandled;
 * - `hang`: every window settles, every server finishes closing.
 */
export type Check =
  | "one outcome"
  | "outcome"
  | "deadline"
  | "metadata"
  | "cascade"
  | "server counters"
  | "layer counts"
  | "queue slots"
  | "unhandled rejection"
  | "hang";

/** What records need from the run: a logical clock and a mismatch sink. */
export interface Recorder {
  /** The next tick of the run's logical clock (orders events). */
  tick(): number;
  /** Records a failed check. */
  mismatch(check: Check, call: Call | undefined, what: string): void;
}

/** Whatever a call, attempt or handler ended with. */
export interface Settled {
  ok: boolean;
  value: unknown;
}

/** One logical call, as the test harness issued it. */
export class Call {
  readonly id: number;
  readonly plan: Plan;
  readonly gen: Generation;
  /** The response a successful handler gives (identity is checked). */
  readonly response: { readonly call: number };
  /** `CallOptions.deadline` (a `Date.now()` value), if the plan has one. */
  readonly deadline: number | undefined;
  /** Virtual `Date.now()` when the call was issued. */
  readonly issuedAt: number;
  /** `CallOptions.metadata`, if the plan has it. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  controller: AbortController | undefined = undefined;
  aborted = false;
  abortTick = Infinity;
  abortReason: unknown = undefined;
  /** Whether the first attempt had been dispatched when the abort fired. */
  dispatchedAtAbort = false;
  runningAbortScheduled = false;
  /** Attempts that reached the client (`connect`). */
  readonly attempts: Attempt[] = [];
  /** Tries made by the retry layer (resilient stack only). */
  readonly tries: Try[] = [];
  outcomes = 0;
  outcomeTick = Infinity;
  /** Virtual `Date.now()` when the outcome arrived. */
  outcomeAt = Infinity;
  ok = false;
  result: unknown = undefined;
  syncThrow = false;

  constructor(id: number, plan: Plan, gen: Generation, now: number) {
    this.id = id;
    this.plan = plan;
    this.gen = gen;
    this.response = { call: id };
    this.issuedAt = now;
    this.deadline = plan.deadline === "none"
      ? undefined
      : now + plan.deadlineMs;
    this.metadata = plan.metadata
      ? { traceparent: `00-${id.toString(16).padStart(32, "0")}-1-01` }
      : undefined;
  }
}

/** One try of the retry layer, seen just below it. */
export interface Try {
  shed: boolean;
  preAborted: boolean;
  preReason: unknown;
  closedServer: boolean;
  attempt: Attempt | undefined;
  done: boolean;
  ok: boolean;
  outcome: unknown;
}

/** One call through a client: the request object the server receives. */
export class Attempt {
  readonly call: Call;
  readonly gen: Generation;
  /** Which behaviour of the plan the handler plays. */
  readonly index: number;
  readonly callTick: number;
  readonly signal: AbortSignal | undefined;
  /** The deadline the client was given (layers may shrink it). */
  readonly deadline: number | undefined;
  readonly preAborted: boolean;
  readonly preReason: unknown;
  readonly closedAtCall: boolean;
  /** Its deadline was already due when it reached the client. */
  readonly preExpired: boolean;
  abortedAt = Infinity;
  abortReason: unknown = undefined;
  dispatched = false;
  /** Virtual `Date.now()` when the handler started. */
  startedAt = Infinity;
  /** What the plan told the handler to do. */
  injected: Settled | undefined = undefined;
  /** What the handler did (differs from `injected` when it was aborted). */
  handler: Settled | undefined = undefined;
  /** The downstream hop, when the handler relayed the request. */
  relay: Relay | undefined = undefined;
  outcomes = 0;
  outcomeTick = Infinity;
  outcomeAt = Infinity;
  ok = false;
  outcome: unknown = undefined;
  readonly #recorder: Recorder;

  constructor(
    recorder: Recorder,
    call: Call,
    gen: Generation,
    index: number,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
  ) {
    this.#recorder = recorder;
    this.call = call;
    this.gen = gen;
    this.index = index;
    this.callTick = recorder.tick();
    this.signal = signal;
    this.deadline = deadline;
    this.preAborted = signal?.aborted ?? false;
    this.preReason = this.preAborted ? signal!.reason : undefined;
    this.closedAtCall = gen.closeTick !== Infinity;
    this.preExpired = deadline !== undefined && deadline <= Date.now();
  }

  /** The attempt's signal aborted (EventListener interface). */
  handleEvent(): void {
    this.abortedAt = this.#recorder.tick();
    this.abortReason = this.signal!.reason;
  }

  /** The client's reply arrived. */
  settle(ok: boolean, value: unknown): void {
    this.outcomes++;
    this.outcomeTick = this.#recorder.tick();
    this.outcomeAt = Date.now();
    this.ok = ok;
    this.outcome = value;
    this.signal?.removeEventListener("abort", this);
  }
}

/**
 * The second hop of a relayed attempt: the upstream handler called a
 * downstream server with its own options.
 */
export interface Relay {
  /** The upstream handler's signal, passed downstream. */
  readonly upSignal: AbortSignal | undefined;
  /** When the upstream handler's signal aborted (a tick). */
  upAbortedAt: number;
  /** The downstream handler's signal, once it started. */
  downSignal: AbortSignal | undefined;
  /** When the downstream handler finished (a tick). */
  downDoneAt: number;
}

/** A server's counters. */
export interface Counts {
  served: number;
  failed: number;
  cancelled: number;
  rejected: number;
}

/** The counter an attempt is booked to (`none`: it never reached a server). */
export type Bucket = keyof Counts | "none";
