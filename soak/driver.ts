/**
 * The soak's driver: issues the calls window by window on the virtual clock
 * (`clock.ts`), switches server generations mid-window (closing or aborting
 * the old server while calls are in flight), fires the caller aborts the
 * plans ask for, lets virtual time run until everything has settled, and
 * hands each window to the oracle (`oracle.ts`).
 *
 * Every source of order in a run is either the seeded plan or the virtual
 * clock, so one seed replays the same run: same plans, same timer order,
 * same outcomes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Driver } from "./driver.ts";
 *
 * const driver = new Driver({ requests: 500, seed: 3, window: 256, stallMs: 30_000 });
 * const report = await driver.run();
 * assert.equal(report.settled, 500);
 * assert.equal(report.ok, true, report.mismatches.join("\n"));
 * ```
 *
 * @module
 */

import type { CallOptions } from "../mod.ts";
import { VirtualClock, wallNow } from "./clock.ts";
import type { FaultHost } from "./faults.ts";
import { Generation } from "./generation.ts";
import { Oracle, show } from "./oracle.ts";
import {
  abortReasonOf,
  CONCURRENCY,
  type DelayKind,
  drawPlan,
  REASON_KINDS,
} from "./plan.ts";
import { Call, type Check } from "./record.ts";
import { Rng } from "./rng.ts";
import type { SoakProgress, SoakReport } from "./engine.ts";

/** The driver's settings (validated by `runSoak`). */
export interface DriverSettings {
  readonly requests: number;
  readonly seed: number;
  readonly window: number;
  /** Virtual ms a window may run before it counts as a hang. */
  readonly stallMs: number;
  readonly onProgress?: (progress: SoakProgress) => void;
}

/** Runs one soak: issues, drives and checks every call. */
export class Driver implements FaultHost {
  readonly #settings: DriverSettings;
  readonly #rng: Rng;
  readonly #genRng: Rng;
  readonly #jitter: Rng;
  readonly #oracle = new Oracle();
  #clock!: VirtualClock;
  #tick = 0;
  /** Upper bound of a long-lived server's lifetime, in calls. */
  readonly #longLifetime: number;
  #start = 0;
  #issued = 0;
  #settled = 0;
  #gen!: Generation;
  #previous: Generation | undefined = undefined;
  #generations = 0;
  #closedGracefully = 0;
  #aborted = 0;
  /** Work to wait for before a window is checked: handlers, abort timers. */
  #background: Promise<unknown>[] = [];
  #touched = new Set<Generation>();
  #unhandled = 0;
  #hung = 0;

  constructor(settings: DriverSettings) {
    this.#settings = settings;
    const seed = settings.seed;
    this.#rng = new Rng(seed);
    // Several generations even in a short run; up to 60k calls in a long one.
    this.#longLifetime = Math.min(
      60_000,
      Math.max(3_000, settings.requests >> 3),
    );
    this.#genRng = new Rng(seed ^ 0x9e3779b9);
    this.#jitter = new Rng(seed ^ 0x85ebca6b);
  }

  // FaultHost -----------------------------------------------------------------

  tick(): number {
    return this.#tick++;
  }

  mismatch(check: Check, call: Call | undefined, what: string): void {
    this.#oracle.mismatch(check, call, what);
  }

  injected(key: string): void {
    this.#oracle.count(this.#oracle.injected, key);
  }

  background(work: Promise<unknown>): void {
    this.#background.push(work);
  }

  abortWhileRunning(call: Call): void {
    const plan = call.plan;
    this.#later(
      plan.abortDelay,
      plan.abortHops,
      plan.abortMs,
      () => this.#abort(call),
    );
  }

  // The run ---------------------------------------------------------------------

  readonly #onUnhandled = (event: PromiseRejectionEvent): void => {
    event.preventDefault();
    this.#unhandled++;
    this.mismatch(
      "unhandled rejection",
      undefined,
      `unhandled rejection: ${show(event.reason)}`,
    );
  };

  /** Runs the soak on a virtual clock installed for the run's duration. */
  async run(): Promise<SoakReport> {
    this.#start = wallNow();
    globalThis.addEventListener("unhandledrejection", this.#onUnhandled);
    this.#clock = VirtualClock.install();
    try {
      await this.#runWindows();
    } finally {
      this.#clock.uninstall();
      globalThis.removeEventListener("unhandledrejection", this.#onUnhandled);
    }
    return this.#report();
  }

  async #runWindows(): Promise<void> {
    const { requests, window, onProgress } = this.#settings;
    this.#gen = this.#spawn();
    while (this.#issued < requests) {
      const end = Math.min(requests, this.#issued + window);
      const completed = await this.#runWindow(end);
      onProgress?.({
        done: this.#settled,
        total: requests,
        elapsedMs: wallNow() - this.#start,
        generations: this.#generations,
        mismatches: this.#oracle.mismatchCount,
      });
      if (!completed) return;
    }
    // The last server closes gracefully; nothing may be left behind.
    const last = this.#gen;
    last.closeTick = this.tick();
    last.closing = last.server.close();
    this.#closedGracefully++;
    this.#touched.add(last);
    if (
      await this.#settle(last.closing) &&
      await this.#settle(last.downstream.server.close())
    ) {
      last.stopped = true;
      this.#oracle.checkGenerations(this.#touched);
      if (this.#clock.pendingTimers !== 0) {
        this.mismatch(
          "layer counts",
          undefined,
          `${this.#clock.pendingTimers} timers still scheduled after the last server closed`,
        );
      }
    } else {
      this.mismatch(
        "hang",
        undefined,
        `server ${last.index} never finished closing`,
      );
    }
  }

  #spawn(): Generation {
    const rng = this.#genRng;
    const concurrency = rng.weighted(CONCURRENCY);
    // A nearly serial server takes a while per window: keep it short-lived.
    const lifetime = Number(concurrency) <= 2 || rng.chance(0.3)
      ? rng.range(200, 3_000)
      : rng.range(3_000, this.#longLifetime);
    return new Generation(
      this,
      ++this.#generations,
      rng,
      this.#jitter,
      Number(concurrency),
      this.#issued + lifetime,
      this.#settings.window,
    );
  }

  /** Closes or aborts the current server mid-window and spawns the next. */
  #switch(): void {
    const old = this.#gen;
    const rng = this.#genRng;
    if (rng.chance(0.5)) {
      old.closeTick = this.tick();
      old.closing = old.server.close();
      this.#closedGracefully++;
    } else {
      const kind = rng.pick(REASON_KINDS);
      const reason = abortReasonOf(kind, -old.index);
      old.abortReason = reason;
      old.closeTick = old.abortTick = this.tick();
      old.closing = old.server.abort(reason);
      this.#aborted++;
    }
    this.#touched.add(old);
    this.#previous = old;
    this.#gen = this.#spawn();
  }

  /** Issues calls up to `end`, waits for all of them, checks them. */
  async #runWindow(end: number): Promise<boolean> {
    const rng = this.#rng;
    const calls: Call[] = [];
    const done: Promise<void>[] = [];
    while (this.#issued < end) {
      if (this.#issued === this.#gen.switchAt) this.#switch();
      const plan = drawPlan(rng);
      const pause = rng.next();
      const gen = plan.previous && this.#previous !== undefined
        ? this.#previous
        : this.#gen;
      this.#touched.add(gen);
      const call = new Call(this.#issued++, plan, gen, Date.now());
      calls.push(call);
      done.push(this.#issue(call));
      // Now and then the caller yields: to microtasks, to a macrotask, or
      // lets a millisecond of virtual time pass (timers fire mid-window).
      if (pause < 0.1) await Promise.resolve();
      else if (pause < 0.101) await this.#clock.drain();
      else if (pause < 0.102) await this.#clock.advanceTo(Date.now() + 1);
    }
    if (!(await this.#settle(Promise.all(done)))) {
      const pending = calls.filter((c) => c.outcomes === 0);
      this.#hung = Math.max(1, pending.length);
      for (const c of pending.slice(0, 5)) {
        this.mismatch("hang", c, "never settled (hang)");
      }
      if (pending.length === 0) {
        this.mismatch("hang", undefined, "the window never settled (hang)");
      }
      return false;
    }
    // Handlers that outlive their caller (an aborted call whose handler
    // ignores the signal) must finish before the counters are read.
    while (this.#background.length > 0) {
      const background = this.#background;
      this.#background = [];
      if (!(await this.#settle(Promise.all(background)))) {
        this.mismatch(
          "hang",
          undefined,
          "a handler or timer never finished (hang)",
        );
        this.#hung = 1;
        return false;
      }
    }
    await this.#clock.drain();
    for (const call of calls) this.#oracle.check(call);
    this.#settled += calls.length;
    for (const gen of this.#touched) {
      if (gen.closing !== undefined && !gen.stopped) {
        // Its downstream server closes once nothing can relay to it.
        if (
          !(await this.#settle(gen.closing)) ||
          !(await this.#settle(gen.downstream.server.close()))
        ) {
          this.mismatch(
            "hang",
            undefined,
            `server ${gen.index} never finished closing`,
          );
          this.#hung = 1;
          return false;
        }
        gen.stopped = true;
      }
    }
    this.#oracle.checkGenerations(this.#touched);
    // Only the current server and the closed one before it receive calls.
    this.#touched = new Set([this.#gen]);
    return true;
  }

  /**
   * Runs virtual time until `promise` settles. False on a hang: no timer
   * left that could settle it, or more than `stallMs` of virtual time.
   */
  async #settle(promise: Promise<unknown>): Promise<boolean> {
    let settled = false;
    promise.then(() => settled = true, () => settled = true);
    return await this.#clock.runUntil(
      () => settled,
      this.#settings.stallMs,
    );
  }

  #issue(call: Call): Promise<void> {
    const plan = call.plan;
    let options: CallOptions | undefined;
    if (
      plan.abort !== "none" || call.deadline !== undefined ||
      call.metadata !== undefined
    ) {
      if (plan.abort !== "none") call.controller = new AbortController();
      options = {};
      if (call.metadata !== undefined) options.metadata = call.metadata;
      if (call.controller !== undefined) {
        options.signal = call.controller.signal;
      }
      if (call.deadline !== undefined) options.deadline = call.deadline;
      if (plan.abort === "before") this.#abort(call);
    }
    let reply: Promise<unknown>;
    try {
      reply = call.gen.stacks[plan.stack].call(call, options);
    } catch (error) {
      call.syncThrow = true;
      reply = Promise.reject(error);
    }
    const done = reply.then(
      (value) => this.#finish(call, true, value),
      (error) => this.#finish(call, false, error),
    );
    if (plan.abort === "queued") this.#abort(call);
    else if (plan.abort === "race") {
      this.#later(
        plan.abortDelay,
        plan.abortHops,
        plan.abortMs,
        () => this.#abort(call),
      );
    }
    return done;
  }

  #abort(call: Call): void {
    if (call.aborted) return;
    call.aborted = true;
    call.abortTick = this.tick();
    call.dispatchedAtAbort = call.attempts.length > 0 &&
      call.attempts[0].dispatched;
    // An attempt still waiting in the server's queue must leave it at once:
    // the abort frees its slot, it does not wait for the server to skip it.
    const last = call.attempts[call.attempts.length - 1];
    const queued = last !== undefined && !last.dispatched &&
      !last.preAborted && !last.closedAtCall &&
      last.abortedAt === Infinity && last.outcomeTick === Infinity &&
      last.gen.abortTick === Infinity &&
      // A deadline already due may have taken it out (its rejection is on
      // the way): only a call whose deadline is ahead is surely queued.
      (last.deadline === undefined || last.deadline > Date.now());
    // Not dispatched means queued, or taken by the server and waiting one
    // microtask for its turn (holding a slot): either way, the abort frees
    // one place at once.
    const held = (): number =>
      last.gen.server.queued + last.gen.server.inFlight;
    const before = queued ? held() : 0;
    call.controller!.abort(abortReasonOf(call.plan.reason, call.id));
    call.abortReason = call.controller!.signal.reason;
    if (queued && held() !== before - 1) {
      this.mismatch(
        "queue slots",
        call,
        `aborting a queued call left the server's queue + slots at ${held()} (was ${before})`,
      );
    }
  }

  /** Runs `fn` now, after microtask hops, or after a timer. */
  #later(kind: DelayKind, hops: number, ms: number, fn: () => void): void {
    if (kind === "sync") {
      fn();
    } else if (kind === "microtask") {
      let p = Promise.resolve();
      for (let i = 0; i < hops; i++) p = p.then();
      this.#background.push(p.then(fn));
    } else {
      this.#background.push(
        new Promise<void>((resolve) =>
          setTimeout(() => {
            fn();
            resolve();
          }, ms)
        ),
      );
    }
  }

  #finish(call: Call, ok: boolean, value: unknown): void {
    call.outcomes++;
    call.outcomeTick = this.tick();
    call.outcomeAt = Date.now();
    call.ok = ok;
    call.result = value;
  }

  #report(): SoakReport {
    const oracle = this.#oracle;
    const { requests, seed, window } = this.#settings;
    if (this.#hung === 0) oracle.finish(requests);
    return {
      ok: oracle.mismatchCount === 0 && this.#unhandled === 0 &&
        this.#hung === 0,
      seed,
      requests,
      window,
      elapsedMs: wallNow() - this.#start,
      virtualMs: this.#clock.elapsed,
      settled: this.#settled,
      outcomes: sorted(oracle.outcomes),
      outcomeHash: oracle.outcomeHash,
      injected: sorted(oracle.injected),
      attempts: { ...oracle.attempts },
      servers: {
        generations: this.#generations,
        closedGracefully: this.#closedGracefully,
        aborted: this.#aborted,
        ...oracle.servers,
      },
      layers: { ...oracle.layers },
      mismatchCount: oracle.mismatchCount,
      failedChecks: { ...oracle.failedChecks },
      mismatches: [...oracle.mismatches],
      unhandledRejections: this.#unhandled,
      hung: this.#hung,
    };
  }
}

function sorted(table: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(table).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
  );
}
