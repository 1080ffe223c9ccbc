/**
 * The soak/fault engine behind `deno task soak` and the soak tests: it
 * drives a long run of calls through norpc clients, layers and servers while
 * injecting faults, then checks that every call got exactly one outcome, that
 * each outcome is the one its injected fault implies, that the servers'
 * counters add up to the calls that reached them, and that every layer's
 * internal counts return to zero.
 *
 * What a run mixes, each drawn from a seeded {@linkcode Rng} (`plan.ts`):
 *
 * - handler latency: synchronous, after microtasks, after a timer, or hanging
 *   until its signal aborts;
 * - handler outcomes: a response, a thrown `Error`, a rejected promise, a
 *   thrown or rejected non-`Error` value, an `OverloadedError`;
 * - caller aborts: before sending, while queued, while running, or at a
 *   random point (a race with the reply);
 * - deadlines (`CallOptions.deadline`): already past, tight or loose; and
 *   metadata (a `traceparent`), which every handler must see unchanged;
 * - a second hop: a handler relays the request to a downstream server with
 *   its own options, so caller aborts, deadlines and server aborts must
 *   cascade to the downstream handler;
 * - stacks: the bare client, a long `timeout` (never fires), a short
 *   `timeout` over a hanging handler, and `timeout → retry → loadShed →
 *   concurrencyLimit` (shedding and retries);
 * - server generations: each server is closed gracefully or aborted after a
 *   random number of calls, while calls are in flight, and a new one is
 *   spawned; a few calls still go to the closed one.
 *
 * The run is on a virtual clock (`clock.ts`): timers, `Date.now()` and
 * `performance.now()` are fakes the driver advances, so **a seed replays the
 * whole run** — the same plans, the same timer order, the same outcome for
 * every call ({@linkcode SoakReport.outcomeHash}). Only the wall-clock
 * figures (`elapsedMs`) differ between two runs.
 *
 * Calls are issued in windows (a few thousand at most in flight); at the end
 * of each window everything has settled and is checked, and the records are
 * dropped, so memory stays flat over a million calls.
 *
 * The pieces: `plan.ts` (what each call meets), `driver.ts` (issues and
 * drives calls on the virtual clock), `faults.ts` (the handler that plays
 * the faults), `oracle.ts` (the checks), `record.ts` and `generation.ts`
 * (what happened, and each server with its stacks). The engine is pure: no
 * console, no exit, no flags. `soak/main.ts` is the command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runSoak } from "./engine.ts";
 *
 * const a = await runSoak({ requests: 2_000, seed: 7 });
 * assert.ok(a.ok, a.mismatches.join("\n"));
 * const b = await runSoak({ requests: 2_000, seed: 7 });
 * assert.equal(b.outcomeHash, a.outcomeHash); // the seed replays every outcome
 * ```
 *
 * @module
 */

import { InvalidOptionError } from "../mod.ts";
import { Driver } from "./driver.ts";
import type { Check } from "./record.ts";

export type { Check } from "./record.ts";

/** Options of {@linkcode runSoak}. */
export interface SoakOptions {
  /** Calls to make: a positive integer. Defaults to `1_000_000`. */
  requests?: number;
  /** Seed of the run (an unsigned 32-bit integer). Defaults to `1`. */
  seed?: number;
  /** Most calls issued per window (in flight at once). Defaults to `2048`. */
  window?: number;
  /**
   * A window that has not settled after this much VIRTUAL time is a hang:
   * the run stops and reports it (so does a window with calls pending and
   * no timer left to fire). Milliseconds; defaults to `30_000`.
   */
  stallMs?: number;
  /** Called after each window. */
  onProgress?: (progress: SoakProgress) => void;
}

/** Where a run is, reported after each window. */
export interface SoakProgress {
  /** Calls settled and checked so far. */
  readonly done: number;
  /** Calls the run will make. */
  readonly total: number;
  /** Wall-clock milliseconds since the run started. */
  readonly elapsedMs: number;
  /** Server generations so far (the first is 1). */
  readonly generations: number;
  /** Mismatches found so far. */
  readonly mismatches: number;
}

/** The result of {@linkcode runSoak}. */
export interface SoakReport {
  /** True when no mismatch, hang or unhandled rejection was found. */
  readonly ok: boolean;
  readonly seed: number;
  readonly requests: number;
  readonly window: number;
  /** Wall-clock duration in ms (the only figure a replay does not repeat). */
  readonly elapsedMs: number;
  /** Virtual time the run took, in ms (replayed exactly). */
  readonly virtualMs: number;
  /** Calls whose outcome was seen (all of them, unless the run hung). */
  readonly settled: number;
  /** Final outcomes: `response`, `caller abort`, or an error class name. */
  readonly outcomes: Readonly<Record<string, number>>;
  /**
   * A hash of every call's outcome (kind, virtual time, order, attempts and
   * tries): equal for two runs exactly when every call ended the same way.
   */
  readonly outcomeHash: string;
  /** Faults injected, by kind. */
  readonly injected: Readonly<Record<string, number>>;
  /** Calls that reached a client (`connect`), and what became of them. */
  readonly attempts: {
    readonly total: number;
    readonly abortedBeforeSend: number;
    readonly toClosedServer: number;
    readonly dispatched: number;
    /** Refused by the client: the deadline was due before sending. */
    readonly expiredBeforeSend: number;
    /** Sent, then ended with a `TimeoutError` at their deadline. */
    readonly expired: number;
    /**
     * Of those, on servers that do not say they enforce deadlines: their
     * server may book them to any counter (0 with norpc's own servers).
     */
    readonly unbooked: number;
  };
  /** Server counters summed over every generation, and the lifecycle. */
  readonly servers: {
    readonly generations: number;
    readonly closedGracefully: number;
    readonly aborted: number;
    readonly served: number;
    readonly failed: number;
    readonly cancelled: number;
    readonly rejected: number;
  };
  /** Layer activity. */
  readonly layers: {
    readonly shed: number;
    readonly retried: number;
    readonly timedOut: number;
  };
  /** Number of mismatches found. */
  readonly mismatchCount: number;
  /** Mismatches by check (all zero in a passing run). */
  readonly failedChecks: Readonly<Record<Check, number>>;
  /** The first mismatches, described (at most 20). */
  readonly mismatches: readonly string[];
  /** Promise rejections nobody handled during the run. */
  readonly unhandledRejections: number;
  /** Calls still pending when the run gave up on a stalled window. */
  readonly hung: number;
}

/**
 * Runs the soak: `requests` calls with faults drawn from `seed`, on a
 * virtual clock, checked window by window. The fake timers are installed on
 * the global for the duration of the run and removed after it.
 *
 * @param options Size, seed, window and a progress callback.
 * @returns The report; `ok` is false on any mismatch.
 * @throws {InvalidOptionError} On an invalid option.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const requests = options.requests ?? 1_000_000;
  const seed = options.seed ?? 1;
  const window = options.window ?? 2048;
  const stallMs = options.stallMs ?? 30_000;
  if (!Number.isSafeInteger(requests) || requests <= 0) {
    throw new InvalidOptionError("requests", requests, "a positive integer");
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidOptionError(
      "seed",
      seed,
      "an integer in [0, 4294967295]",
    );
  }
  if (!Number.isSafeInteger(window) || window <= 0) {
    throw new InvalidOptionError("window", window, "a positive integer");
  }
  if (!(typeof stallMs === "number" && stallMs > 0 && stallMs < 2 ** 31)) {
    throw new InvalidOptionError("stallMs", stallMs, "a positive delay in ms");
  }
  const driver = new Driver({
    requests,
    seed,
    window,
    stallMs,
    onProgress: options.onProgress,
  });
  return await driver.run();
}
