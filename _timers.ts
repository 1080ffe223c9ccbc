// Internal: a queue of deadlines served by one timer, shared by the server
// (deadline enforcement) and the layers (timeout, hedge). A timer per call
// would cost a timer op to set and another to clear on every call.
// Deadlines of one source arrive almost always in order (same delay,
// increasing start), so they are kept in a list sorted by deadline with
// insertion from the tail: O(1) in practice.
//
// The timer is armed for the earliest deadline. What happens when the queue
// empties is the owner's choice: "clear" clears it at once, so an idle layer
// holds no timer; "keep" leaves it armed, so a stream of calls with the same
// timeout arms one timer per expiry period instead of one per call. The
// timer is a plain (ref'd) one: a call waiting for its deadline must get its
// TimeoutError even when nothing else keeps the process alive. Once the
// queue is empty a kept timer lingers at most KEEP_TICK_MS (one armed further
// ahead is moved in), so an idle process still exits within a second.
// `release()` clears a kept timer when its owner shuts down.

import type { CallOptions } from "./service.ts";
import type { AbortNode } from "./_abort.ts";

/**
 * Internal: the method of a service that can take the `Date.now()` its
 * caller has just read. `Date.now()` is an op call in Deno (about 45 ns, a
 * fifth of a call through `timeout` over a client): `timeout` reads it to
 * shrink the deadline, and the client needs it again at once to refuse a
 * past deadline and arm the server's timer. A layer that computed `now`
 * hands it down through `[CALL_AT]`, and a layer that calls its inner
 * service synchronously with no user code in between (retry's first
 * attempt, concurrencyLimit with a free permit) passes it on. `now` must be
 * fresh: read in the same synchronous stretch, with no user callback run
 * since, so a past deadline is still refused and never starts a handler.
 */
export const CALL_AT: unique symbol = Symbol("norpc.callAt");

/** Internal: a service implementing {@linkcode CALL_AT}. */
export interface CallAt<Req, Res> {
  /**
   * `call(req, options)`, with `now` = `Date.now()` read just before.
   * `settled`, when given, may be taken by the service (see
   * {@linkcode settledHook}).
   */
  [CALL_AT](
    req: Req,
    options: CallOptions | undefined,
    now: number,
    settled?: () => void,
    failed?: FailedHook<Res>,
  ): Promise<Res>;
}

/**
 * Internal: a retry layer's offer to take over a failed call (see
 * {@linkcode failedHook}). Called once, synchronously, with the error the
 * call would reject with and the resolvers of the caller's promise; returns
 * true when it takes them (it then settles the caller's promise exactly
 * once, later), false to let the call reject as usual.
 */
export type FailedHook<Res> = (
  error: unknown,
  resolve: (value: Res) => void,
  reject: (reason: unknown) => void,
) => boolean;

/**
 * Internal: a {@linkcode FailedHook} handed down through `[CALL_AT]` and
 * whether a client took it, as with {@linkcode settledHook}. `retry` over a
 * client then returns the client's own promise and decides on a retry only
 * when the call fails, instead of chaining a `.then` on every call (a
 * promise reaction and a microtask: ~40 ns of a ~290 ns call through
 * `timeout → retry → concurrencyLimit`).
 */
export const failedHook: { taken: FailedHook<never> | undefined } = {
  taken: undefined,
};

/**
 * Internal: a hook handed down through `[CALL_AT]` and whether it was
 * taken. A client that takes it (it made an envelope for the call) sets
 * `taken` to it and calls it exactly once, synchronously, when the call is
 * answered. `concurrencyLimit` uses it to give its permit back without a
 * `.then` of its own on every call (a promise reaction and a microtask:
 * ~30 ns); when the hook was not taken (a refusal, the envelope-free path)
 * it chains `.then` as before. The hook is compared by identity, so a hook
 * taken below can never be mistaken for another layer's.
 */
export const settledHook: { taken: (() => void) | undefined } = {
  taken: undefined,
};

/** Whether `service` takes a caller's `now` (see {@linkcode CALL_AT}). */
export function takesNow<Req, Res>(
  service: unknown,
): service is CallAt<Req, Res> {
  return typeof (service as Partial<CallAt<Req, Res>>)[CALL_AT] === "function";
}

/**
 * An entry of a {@linkcode TimerQueue}: a call waiting for its deadline. A
 * hot class may declare these fields itself instead of extending
 * {@linkcode Deadline}: each level of a class hierarchy with field
 * initializers costs ~10 ns per object in V8 (8 ns flat, 22 ns for two
 * levels, 31 ns for three, measured in Deno 2.9).
 */
export interface TimerEntry {
  prev: TimerEntry | undefined;
  next: TimerEntry | undefined;
  /** When `expire()` is due, on the queue's clock. */
  due: number;
  /** Whether the entry is in a queue. */
  armed: boolean;
  /** Called once, by the queue's timer, when the deadline has passed. */
  expire(): void;
}

/**
 * A {@linkcode TimerEntry} to extend; it is an `AbortNode` too (see
 * `_abort.ts`), so it can listen to a signal without a Set.
 */
export abstract class Deadline implements TimerEntry, AbortNode {
  prev: TimerEntry | undefined = undefined;
  next: TimerEntry | undefined = undefined;
  due = 0;
  armed = false;
  abortPrev: (AbortNode & EventListenerObject) | undefined = undefined;
  abortNext: (AbortNode & EventListenerObject) | undefined = undefined;
  abstract expire(): void;
}

/** Options of a {@linkcode TimerQueue}. */
export interface TimerQueueOptions {
  /** The clock deadlines are on; `performance.now` by default. */
  clock?: () => number;
  /** What to do with the timer when the queue empties (see the file doc). */
  idle?: "clear" | "keep";
}

/** How far ahead a kept timer is armed at most, in ms (see the file doc). */
const KEEP_TICK_MS = 1000;

const performanceNow = (): number => performance.now();

/** The longest delay setTimeout honours (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Deadlines sorted by time, served by a single timer. */
export class TimerQueue {
  #head: TimerEntry | undefined = undefined;
  #tail: TimerEntry | undefined = undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** The deadline the timer is armed for (Infinity when none is). */
  #armedFor = Infinity;
  /** True while the timer callback expires entries (see #onTimer). */
  #firing = false;
  #keepIdle: boolean;
  /** How far ahead the timer was armed when it was armed, in ms. */
  #armedSpan = 0;
  readonly #clock: () => number;

  constructor(options?: TimerQueueOptions) {
    this.#clock = options?.clock ?? performanceNow;
    this.#keepIdle = options?.idle === "keep";
  }

  /** Whether no entry is queued. */
  get empty(): boolean {
    return this.#head === undefined;
  }

  /** Queues `entry` to expire `delay` ms from `now` (on the queue's clock). */
  add(entry: TimerEntry, now: number, delay: number): void {
    this.addAt(entry, now + delay, now);
  }

  /** Queues `entry` to expire at `deadline`; `now` is the clock's time. */
  addAt(entry: TimerEntry, deadline: number, now: number): void {
    entry.due = deadline;
    entry.armed = true;
    let after = this.#tail;
    while (after !== undefined && after.due > deadline) {
      after = after.prev;
    }
    entry.prev = after;
    entry.next = after === undefined ? this.#head : after.next;
    if (after === undefined) this.#head = entry;
    else after.next = entry;
    if (entry.next === undefined) this.#tail = entry;
    else entry.next.prev = entry;
    // While firing, the callback re-arms once for the earliest head when it
    // is done; arming here for this (possibly later) entry would skip an
    // earlier head that is not due yet.
    if (!this.#firing && deadline < this.#armedFor) this.#arm(now, deadline);
  }

  /** Takes `entry` out of the queue (its call settled first). */
  remove(entry: TimerEntry): void {
    if (!entry.armed) return;
    this.#unlink(entry);
    if (this.#head === undefined) {
      if (this.#keepIdle) this.#linger();
      else this.#disarm();
    }
  }

  /**
   * The owner shuts down: from now on the timer is cleared as soon as the
   * queue is empty, and at once if it is empty now.
   */
  release(): void {
    this.#keepIdle = false;
    if (this.#head === undefined) this.#disarm();
  }

  #unlink(entry: TimerEntry): void {
    entry.armed = false;
    if (entry.prev === undefined) this.#head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.#tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  #arm(now: number, deadline: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedFor = deadline;
    this.#armedSpan = deadline - now;
    // Beyond the timer limit setTimeout would fire after 1 ms: wake up at
    // the limit instead; #onTimer then re-arms for what is left.
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, deadline - now));
    this.#timer = setTimeout(this.#onTimer, delay);
  }

  /**
   * A kept timer's queue just emptied: one armed further ahead than a tick
   * is moved to a tick from now (see the file doc). The common case — a
   * stream of calls with one short timeout — costs a compare, no clock read.
   */
  #linger(): void {
    if (this.#timer === undefined || this.#armedSpan <= KEEP_TICK_MS) return;
    const now = this.#clock();
    if (this.#armedFor - now > KEEP_TICK_MS) {
      this.#arm(now, now + KEEP_TICK_MS);
    }
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    this.#firing = true;
    let now = this.#clock();
    try {
      let head;
      while ((head = this.#head) !== undefined && head.due <= now) {
        this.#unlink(head);
        head.expire();
      }
    } finally {
      this.#firing = false;
    }
    // expire() may have added or removed entries: re-read the head.
    const head = this.#head;
    if (head !== undefined && head.due < this.#armedFor) {
      now = this.#clock();
      this.#arm(now, head.due);
    }
  };
}
