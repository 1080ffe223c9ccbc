// An abortable delay: resolves after `ms`, or rejects with `signal.reason`
// as soon as the signal aborts; the timer and the listener are released
// either way.

import { offAbort, onAbort } from "../_abort.ts";

/** Waits `ms` milliseconds unless `signal` aborts first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Delay(ms, signal).promise;
}

class Delay {
  readonly promise: Promise<void>;
  readonly #resolve: () => void;
  readonly #reject: (reason: unknown) => void;
  readonly #signal: AbortSignal | undefined;
  readonly #timer: ReturnType<typeof setTimeout>;

  constructor(ms: number, signal: AbortSignal | undefined) {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = signal;
    this.#timer = setTimeout(elapse, ms, this);
    if (signal != null) onAbort(signal, this);
  }

  elapse(): void {
    if (this.#signal != null) offAbort(this.#signal, this);
    this.#resolve();
  }

  handleEvent(): void {
    clearTimeout(this.#timer);
    this.#reject(this.#signal!.reason);
  }
}

function elapse(delay: { elapse(): void }): void {
  delay.elapse();
}
