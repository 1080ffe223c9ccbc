/**
 * The soak's virtual clock: `setTimeout`, `setInterval`, `Date` and
 * `performance.now()` are replaced on the global by
 * `@sinonjs/fake-timers`, and the driver decides when time passes. Nothing in
 * a run then depends on the machine's speed or load, so a seed replays the
 * whole run: the same timers fire in the same order at the same virtual
 * times, and every call gets the same outcome.
 *
 * Between two timers every pending microtask runs, as on a real event loop:
 * {@linkcode VirtualClock.drain} waits for one real macrotask: `node:timers`'
 * `setImmediate`, a few µs (a real `setTimeout(0)` costs about 2 ms, and a
 * `MessageChannel` message can arrive before the microtask queue is empty).
 * No other real macrotask is pending during a run (the runtime does no I/O),
 * so the interleaving is fixed by the program alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VirtualClock } from "./clock.ts";
 *
 * const clock = VirtualClock.install();
 * try {
 *   const start = Date.now();
 *   let firedAt = -1;
 *   setTimeout(() => firedAt = Date.now(), 250);
 *   await clock.advanceTo(start + 1_000);
 *   assert.equal(firedAt, start + 250);
 *   assert.equal(Date.now(), start + 1_000);
 *   assert.equal(clock.pendingTimers, 0);
 * } finally {
 *   clock.uninstall();
 * }
 * ```
 *
 * @module
 */

import FakeTimers from "@sinonjs/fake-timers";
import { setImmediate } from "node:timers";

/** The machine's clock, captured before any fake is installed. */
export const wallNow: () => number = performance.now.bind(performance);

/** Where virtual time starts: 2026-01-01T00:00:00Z, the same for every run. */
export const VIRTUAL_EPOCH = Date.UTC(2026, 0, 1);

/** Timers a window may fire before the driver calls it a livelock. */
const MAX_TIMERS_PER_ADVANCE = 10_000_000;

/** A fake clock on the global, advanced only by the soak driver. */
export class VirtualClock {
  readonly #clock: ReturnType<typeof FakeTimers.install>;

  private constructor() {
    this.#clock = FakeTimers.withGlobal(globalThis).install({
      now: VIRTUAL_EPOCH,
      toFake: [
        "setTimeout",
        "clearTimeout",
        "setInterval",
        "clearInterval",
        "Date",
        "performance",
      ],
    });
  }

  /**
   * Installs the fake timers on the global.
   *
   * @returns The clock; call {@linkcode VirtualClock.uninstall} when done.
   */
  static install(): VirtualClock {
    return new VirtualClock();
  }

  /** Virtual milliseconds since the clock was installed. */
  get elapsed(): number {
    return this.#clock.now - VIRTUAL_EPOCH;
  }

  /** Timers scheduled and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#clock.countTimers();
  }

  /**
   * Lets every pending microtask run: resolves after one real macrotask.
   * Virtual time does not move.
   */
  drain(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * Fires timers one at a time, in order, draining microtasks after each,
   * until `done()` is true or no timer is left.
   *
   * @param done Checked after every drain.
   * @param limitMs Virtual time (from now) after which it gives up.
   * @returns True when `done()` became true, false on a hang (no timer left
   * to fire, or the time limit passed).
   */
  async runUntil(done: () => boolean, limitMs: number): Promise<boolean> {
    const limit = this.#clock.now + limitMs;
    for (let fired = 0; fired < MAX_TIMERS_PER_ADVANCE; fired++) {
      await this.drain();
      if (done()) return true;
      if (this.#clock.countTimers() === 0) return false;
      this.#clock.next();
      if (this.#clock.now > limit) {
        await this.drain();
        return done();
      }
    }
    return false;
  }

  /**
   * Moves virtual time to `time` (a `Date.now()` value), firing every timer
   * due by then in order and draining microtasks after each.
   */
  async advanceTo(time: number): Promise<void> {
    if (time < this.#clock.now) return;
    // A sentinel timer marks the target: timers due at the same instant and
    // scheduled before it fire first, as they would on a real clock.
    let reached = false;
    this.#clock.setTimeout(() => reached = true, time - this.#clock.now);
    while (!reached) {
      await this.drain();
      this.#clock.next();
    }
    await this.drain();
  }

  /** Restores the real timers and clocks. */
  uninstall(): void {
    this.#clock.uninstall();
  }
}
