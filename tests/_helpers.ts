/**
 * Shared test helpers: promise observation with bounded waits (a hang fails
 * the test instead of stalling it), listener-counting abort controllers and a
 * service whose calls the test settles by hand.
 *
 * No helper sleeps: waiting is counted in microtask or macrotask turns.
 */

import { AssertionError } from "node:assert/strict";
import type { CallOptions, Service } from "../mod.ts";

/** The state of a watched promise. */
export type Outcome<T> =
  | { readonly status: "pending" }
  | { readonly status: "fulfilled"; readonly value: T }
  | { readonly status: "rejected"; readonly reason: unknown };

/** A promise whose outcome can be read synchronously. */
export interface Watched<T> {
  readonly promise: Promise<T>;
  readonly outcome: Outcome<T>;
  readonly settled: boolean;
}

const PENDING: Outcome<never> = Object.freeze({ status: "pending" });

/**
 * Attaches handlers at once (so a rejection is never unhandled) and exposes
 * the outcome synchronously.
 */
export function watch<T>(promise: Promise<T>): Watched<T> {
  let outcome: Outcome<T> = PENDING;
  promise.then(
    (value) => {
      outcome = { status: "fulfilled", value };
    },
    (reason) => {
      outcome = { status: "rejected", reason };
    },
  );
  return {
    promise,
    get outcome() {
      return outcome;
    },
    get settled() {
      return outcome.status !== "pending";
    },
  };
}

/** Lets queued microtasks run (promise chains of up to `rounds` hops). */
export async function flushMicrotasks(rounds = 32): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** One macrotask turn: every microtask queued before it has run. */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Default bound for {@linkcode settle}: generous, but a hang still fails. */
export const TURNS = 50;

/**
 * Waits for `promise` at most `turns` macrotasks. Throws an AssertionError
 * when it is still pending: a hang fails the test, it does not stall it.
 */
export async function settle<T>(
  promise: Promise<T> | Watched<T>,
  what = "promise",
  turns = TURNS,
): Promise<Outcome<T>> {
  const watched = promise instanceof Promise ? watch(promise) : promise;
  await flushMicrotasks();
  for (let i = 0; i < turns && !watched.settled; i++) await macrotask();
  if (!watched.settled) {
    throw new AssertionError({
      message: `${what} still pending after ${turns} macrotasks (hang)`,
    });
  }
  return watched.outcome;
}

/** Awaits (bounded) a fulfilment and returns the value. */
export async function fulfilled<T>(
  promise: Promise<T> | Watched<T>,
  what = "promise",
): Promise<T> {
  const outcome = await settle(promise, what);
  if (outcome.status !== "fulfilled") {
    throw new AssertionError({
      message: `${what} rejected, expected it to fulfil: ${
        String((outcome as { reason: unknown }).reason)
      }`,
    });
  }
  return outcome.value;
}

/** Awaits (bounded) a rejection and returns the reason. */
export async function rejected(
  promise: Promise<unknown> | Watched<unknown>,
  what = "promise",
): Promise<unknown> {
  const outcome = await settle(promise, what);
  if (outcome.status !== "rejected") {
    throw new AssertionError({
      message: `${what} fulfilled, expected it to reject`,
    });
  }
  return outcome.reason;
}

/**
 * Asserts that `watched` is still pending after every pending microtask and
 * `turns` macrotasks have run.
 */
export async function assertPending(
  watched: Watched<unknown>,
  what = "promise",
  turns = 2,
): Promise<void> {
  await flushMicrotasks();
  for (let i = 0; i < turns; i++) await macrotask();
  if (watched.settled) {
    throw new AssertionError({
      message: `${what} settled (${watched.outcome.status}), expected pending`,
    });
  }
}

/** Asserts that `watched` settled within the pending microtasks (no turn). */
export async function assertSettledNow<T>(
  watched: Watched<T>,
  what = "promise",
): Promise<Outcome<T>> {
  await flushMicrotasks();
  if (!watched.settled) {
    throw new AssertionError({
      message: `${what} did not settle at once`,
    });
  }
  return watched.outcome;
}

/**
 * An AbortController whose signal counts its live "abort" listeners, so a
 * test can prove every listener added by the runtime was removed.
 */
export class TrackedController extends AbortController {
  readonly #live = new Map<unknown, boolean>(); // listener -> once
  /** Total listeners ever added. */
  added = 0;

  constructor() {
    super();
    const signal = this.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    // Once-listeners are removed by dispatch itself; forget them on abort.
    add("abort", () => {
      for (const [listener, once] of this.#live) {
        if (once) this.#live.delete(listener);
      }
    });
    Object.defineProperty(signal, "addEventListener", {
      value: (
        type: string,
        listener: EventListenerOrEventListenerObject,
        options?: boolean | AddEventListenerOptions,
      ) => {
        if (type === "abort" && !signal.aborted) {
          if (!this.#live.has(listener)) this.added++;
          const once = typeof options === "object" && options.once === true;
          this.#live.set(listener, once);
        }
        add(type, listener, options);
      },
    });
    Object.defineProperty(signal, "removeEventListener", {
      value: (
        type: string,
        listener: EventListenerOrEventListenerObject,
        options?: boolean | EventListenerOptions,
      ) => {
        if (type === "abort") this.#live.delete(listener);
        remove(type, listener, options);
      },
    });
  }

  /** "abort" listeners added through the signal and not removed yet. */
  get listeners(): number {
    return this.#live.size;
  }
}

/** One call received by a {@linkcode ControlledService}. */
export interface ControlledCall<Req, Res> {
  readonly req: Req;
  readonly signal: AbortSignal | undefined;
  /** Index in start order. */
  readonly index: number;
  /** Whether the test has settled it. */
  readonly done: boolean;
  resolve(value: Res): void;
  reject(reason: unknown): void;
}

/**
 * A service whose every call stays pending until the test settles it,
 * recording start order, the running count and its peak.
 */
export class ControlledService<Req, Res> implements Service<Req, Res> {
  /** Every call, in the order the handler started. */
  readonly calls: ControlledCall<Req, Res>[] = [];
  /** Calls started and not settled yet. */
  running = 0;
  /** Highest `running` seen. */
  peak = 0;

  call(req: Req, options?: CallOptions): Promise<Res> {
    const { promise, resolve, reject } = Promise.withResolvers<Res>();
    this.running++;
    if (this.running > this.peak) this.peak = this.running;
    let done = false;
    const finish = () => {
      if (done) throw new Error("settled twice by the test");
      done = true;
      this.running--;
    };
    this.calls.push({
      req,
      signal: options?.signal,
      index: this.calls.length,
      get done() {
        return done;
      },
      resolve: (value) => {
        finish();
        resolve(value);
      },
      reject: (reason) => {
        finish();
        reject(reason);
      },
    });
    return promise;
  }

  /** Requests of the calls started so far, in start order. */
  get started(): Req[] {
    return this.calls.map((c) => c.req);
  }

  /** Calls not settled yet, oldest first. */
  get pending(): ControlledCall<Req, Res>[] {
    return this.calls.filter((c) => !c.done);
  }
}
