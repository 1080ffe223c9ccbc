// Internal: an abortable delay (retry's backoff). It resolves after `ms`,
// or rejects with `signal.reason` as soon as the signal aborts; its entry in
// the layers' shared wait timer queue and its listener are released either
// way (the settle-once shape).

import { offAbort, onAbort } from "../_abort.ts";
import { waitTimers } from "./_deadline.ts";
import { SettleOnce } from "./_settle_once.ts";

/** Waits `ms` milliseconds unless `signal` aborts first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Delay(ms, signal).promise;
}

class Delay extends SettleOnce<void> {
  readonly #signal: AbortSignal | undefined;

  constructor(ms: number, signal: AbortSignal | undefined) {
    super();
    this.#signal = signal ?? undefined;
    waitTimers.add(this, performance.now(), ms);
    if (this.#signal !== undefined) onAbort(this.#signal, this);
  }

  /** The delay elapsed (called by the timer queue). */
  override expire(): void {
    this.resolveOnce(undefined);
  }

  /** The caller aborted (EventListener interface). */
  handleEvent(): void {
    this.rejectOnce(this.#signal!.reason);
  }

  protected release(): void {
    waitTimers.remove(this);
    if (this.#signal !== undefined) offAbort(this.#signal, this);
  }
}
