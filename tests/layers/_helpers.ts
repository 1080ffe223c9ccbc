// Test helpers for the layers: a fake clock, a hand-driven service and an
// assertion for InvalidOptionError.

import FakeTimers from "@sinonjs/fake-timers";
import assert from "node:assert/strict";
import { InvalidOptionError } from "../../errors.ts";
import type { CallOptions, Service } from "../../service.ts";

/** The fake clock type of @sinonjs/fake-timers. */
export type Clock = ReturnType<typeof FakeTimers.install>;

/**
 * Runs `fn` with fake timers (setTimeout, clearTimeout, Date and
 * performance.now), then checks that no timer was left behind.
 */
export async function withClock(
  fn: (clock: Clock) => void | Promise<void>,
): Promise<void> {
  const clock = FakeTimers.install();
  try {
    await fn(clock);
    await flush();
    assert.equal(clock.countTimers(), 0, "a timer was left behind");
  } finally {
    clock.uninstall();
  }
}

/** Lets every pending promise reaction run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A call received by a {@linkcode ManualService}, settled by the test. */
export interface Received<Req, Res> {
  readonly req: Req;
  readonly signal: AbortSignal | undefined;
  resolve(value: Res): void;
  reject(error: unknown): void;
  /** True once the call has settled (answered, failed or aborted). */
  readonly settled: boolean;
}

/**
 * A service whose calls stay pending until the test settles them. Like a
 * well-behaved service it rejects with `signal.reason` when its signal
 * aborts. It counts calls in flight and the most seen at once.
 */
export class ManualService<Req, Res> implements Service<Req, Res> {
  readonly received: Received<Req, Res>[] = [];
  active = 0;
  maxActive = 0;
  isReady: (() => boolean) | undefined = undefined;

  call(req: Req, options?: CallOptions): Promise<Res> {
    const { promise, resolve, reject } = Promise.withResolvers<Res>();
    const signal = options?.signal;
    let settled = false;
    const finish = () => {
      settled = true;
      this.active--;
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      if (settled) return;
      finish();
      reject(signal!.reason);
    };
    if (signal?.aborted) return Promise.reject(signal.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    this.received.push({
      req,
      signal,
      resolve: (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      reject: (error) => {
        if (settled) return;
        finish();
        reject(error);
      },
      get settled() {
        return settled;
      },
    });
    return promise;
  }

  ready(): boolean {
    return this.isReady?.() ?? true;
  }

  /** The last call received. */
  get last(): Received<Req, Res> {
    const call = this.received.at(-1);
    assert.ok(call, "no call was received");
    return call;
  }
}

/** Asserts that `fn` throws InvalidOptionError naming `option` and `value`. */
export function assertInvalidOption(
  fn: () => unknown,
  option: string,
  value: unknown,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError, String(error));
    assert.equal(error.option, option);
    if (Number.isNaN(value)) assert.ok(Number.isNaN(error.value));
    else assert.equal(error.value, value);
    assert.match(error.message, new RegExp(option.replace(/[.[\]]/g, "\\$&")));
    return true;
  });
}

/** Settles `promise` into a value the test can inspect without awaiting. */
export function track<T>(
  promise: Promise<T>,
): { state: "pending" | "fulfilled" | "rejected"; value?: T; error?: unknown } {
  const result: {
    state: "pending" | "fulfilled" | "rejected";
    value?: T;
    error?: unknown;
  } = { state: "pending" };
  promise.then(
    (value) => {
      result.state = "fulfilled";
      result.value = value;
    },
    (error) => {
      result.state = "rejected";
      result.error = error;
    },
  );
  return result;
}

/** Values of the wrong type, as an untyped JavaScript caller could pass. */
export const wrong = <T>(value: unknown): T => value as T;

/**
 * Counts the abort listeners currently registered on `signal` through its
 * own add/removeEventListener (what the layers use), to prove none leak.
 */
export function listenerCount(signal: AbortSignal): () => number {
  const listeners = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ) => {
    if (type === "abort") {
      listeners.add(listener);
      // A once listener is gone after it fired.
      if (typeof options === "object" && options.once) {
        add("abort", () => listeners.delete(listener), { once: true });
      }
    }
    add(type, listener, options);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ) => {
    if (type === "abort") listeners.delete(listener);
    remove(type, listener, options);
  }) as typeof signal.removeEventListener;
  return () => listeners.size;
}
