// Internal: the per-call "settle once" shape. A call a layer holds on to
// (timed, hedged, waiting for a verdict, a permit, a token or a batch) can
// be settled by several racing events: the inner answer, a deadline, the
// caller's abort. The first one wins; it first releases what the call holds
// (its deadline entry, its abort listener, its queue slot) and then settles
// the caller's promise; the others find it settled and do nothing.

import { Deadline } from "../_timers.ts";

/**
 * A call that settles once. It is a {@linkcode Deadline} so that a layer can
 * queue it in a `TimerQueue` without another allocation; subclasses that
 * wait for a deadline override `expire`.
 */
export abstract class SettleOnce<Res> extends Deadline {
  /** The caller's promise. */
  readonly promise: Promise<Res>;
  readonly #resolve: (value: Res | PromiseLike<Res>) => void;
  readonly #reject: (reason: unknown) => void;
  /** True once the caller's promise has been settled. */
  settled = false;

  constructor() {
    super();
    const { promise, resolve, reject } = Promise.withResolvers<Res>();
    this.promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** Releases what the call holds; runs once, before it settles. */
  protected abstract release(): void;

  /** Resolves the caller's promise (with a value or a promise to follow). */
  resolveOnce(value: Res | PromiseLike<Res>): boolean {
    if (!this.#claim()) return false;
    this.#resolve(value);
    return true;
  }

  /** Rejects the caller's promise. */
  rejectOnce(reason: unknown): boolean {
    if (!this.#claim()) return false;
    this.#reject(reason);
    return true;
  }

  /**
   * Settles the call with the outcome of `start`, which runs only after the
   * call has released what it holds: an abort raised synchronously while
   * the inner call starts then reaches the inner call, not this one (which
   * would leave the inner call's promise unobserved).
   */
  resolveWithCall<A, B>(
    start: (a: A, b: B) => Promise<Res>,
    a: A,
    b: B,
  ): boolean {
    if (!this.#claim()) return false;
    this.#resolve(start(a, b));
    return true;
  }

  /** Marks the call settled and releases what it holds, once. */
  #claim(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.release();
    return true;
  }

  /** The deadline passed; calls that arm none never get here. */
  expire(): void {}
}
