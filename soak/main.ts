/**
 * The soak/fault run's command line:
 *
 * ```sh
 * deno run --v8-flags=--expose-gc soak/main.ts [--requests N] [--seed S]
 * deno run --allow-read soak/main.ts --workers[=N] [--requests N] [--seed S]
 * ```
 *
 * With `--workers`, it runs the Worker soak instead
 * ({@linkcode runWorkerSoak}, default 50,000 calls through a pool of N
 * workers, 2 by default, killed at random).
 *
 * Runs {@linkcode runSoak} (default 1,000,000 calls; a random seed unless
 * `--seed` is given), shows a progress line on stderr at most once a second,
 * prints a summary table on stdout, and checks that the heap after garbage
 * collection ends within a few MB of where it started. Exits 0 when every
 * check passed, 1 on any mismatch (printing the seed to replay the run), 2
 * on a usage error. The run is on a virtual clock, so `--seed` replays it
 * exactly: the summary's outcome hash is the same on every machine.
 *
 * @module
 */

import { wallNow } from "./clock.ts";
import { runSoak, type SoakProgress, type SoakReport } from "./engine.ts";
import { countTable, fmt } from "./text.ts";
import { runWorkerSoak } from "./worker_run.ts";
import { workerSummary } from "./worker_summary.ts";

/** Heap growth allowed between the start and the end of a run, in bytes. */
export const HEAP_SLACK = 4 * 1024 * 1024;

const USAGE = `Usage: deno task soak [--workers[=N]] [--requests N] [--seed S]

Drives N calls (default 1,000,000) through norpc clients, layers and servers
while injecting faults: handler latency and throws, caller aborts, deadlines,
metadata, requests relayed to a second server (a cascade), timeouts, load
shedding, retries, servers closed and aborted mid-run.
Then checks that every call got exactly one outcome, that outcomes match the
injected faults, that deadlines hold, that handlers see their caller's
metadata, that server counters add up, that layers hold no timer or permit,
and that the heap after GC is back within
${HEAP_SLACK / 1024 / 1024} MB of where it started (measured after the first
window, once the code is compiled).

The run is on a virtual clock (fake setTimeout, Date.now, performance.now),
so a seed replays the WHOLE run: the same faults, the same timer order and
the same outcome for every call (compare the outcome hash in the summary).
Only the wall-clock time and the heap figures differ between replays.

With --workers, the same idea across threads: calls go through a pool of N
Workers (spawnWorker, N = 2 by default) while workers are killed at random
(an uncaught error, or self.close()) with calls in flight. It checks that
every call got exactly one outcome, the one its plan allows (a call on a
killed worker gets WorkerDiedError), that metadata crossed unchanged, that
deadlines held, that every abort reached its worker (each slot came back),
that the pool replaced every dead worker and still serves, and that every
Worker started was ended. Workers run on real time: the seed replays the plan
(which calls, which faults), not the timing.

Options:
  --workers[=N]  run the Worker soak, with a pool of N workers (N >= 2)
  --requests N   calls to make (a positive integer; 1_000_000 and 1e6 work;
                 default 1,000,000, or 50,000 with --workers)
  --seed S       seed of the run, to replay it exactly (0 to 4294967295);
                 random by default
  -h, --help     show this help

Exit status: 0 pass, 1 mismatch (the seed to replay is printed), 2 bad usage.
Run with --v8-flags=--expose-gc (as the task does) for the heap check.`;

/** Parsed command line. */
export interface SoakArgs {
  readonly requests: number;
  readonly seed: number | undefined;
  readonly help: boolean;
  /** The Worker soak's pool size; 0 for the in-process soak. */
  readonly workers: number;
}

/**
 * Parses the command line.
 *
 * @param args The arguments (`Deno.args`).
 * @returns The options, or an error message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSoakArgs } from "./main.ts";
 *
 * assert.deepEqual(parseSoakArgs(["--requests=1e5", "--seed", "42"]), {
 *   requests: 100_000,
 *   seed: 42,
 *   help: false,
 *   workers: 0,
 * });
 * const workers = parseSoakArgs(["--workers"]);
 * assert.equal(typeof workers === "string" ? workers : workers.workers, 2);
 * assert.match(String(parseSoakArgs(["--seed", "-1"])), /--seed must be/);
 * ```
 */
export function parseSoakArgs(args: readonly string[]): SoakArgs | string {
  let requests: number | undefined;
  let seed: number | undefined;
  let help = false;
  let workers = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    const pool = /^--workers(?:=(.*))?$/.exec(arg);
    if (pool !== null) {
      const size = pool[1] === undefined ? 2 : parseNumber(pool[1]);
      if (!Number.isInteger(size) || size < 2 || size > 64) {
        return `--workers takes a pool size from 2 to 64, got ${
          JSON.stringify(pool[1])
        }`;
      }
      workers = size;
      continue;
    }
    const match = /^--(requests|seed)(?:=(.*))?$/.exec(arg);
    if (match === null) return `unknown argument ${JSON.stringify(arg)}`;
    const [, name, inline] = match;
    const text = inline ?? args[++i];
    if (text === undefined) return `--${name} needs a value`;
    const value = parseNumber(text);
    if (name === "requests") {
      if (!Number.isSafeInteger(value) || value <= 0) {
        return `--requests must be a positive integer, got ${
          JSON.stringify(text)
        }`;
      }
      requests = value;
    } else {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        return `--seed must be an integer from 0 to 4294967295, got ${
          JSON.stringify(text)
        }`;
      }
      seed = value;
    }
  }
  requests ??= workers > 0 ? 50_000 : 1_000_000;
  return { requests, seed, help, workers };
}

function parseNumber(text: string): number {
  const clean = text.replaceAll("_", "");
  if (!/^\d+(?:\.\d+)?(?:e\d+)?$/i.test(clean)) return NaN;
  return Number(clean);
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Forces garbage collection (several passes) when `gc` is exposed. */
function collect(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") return false;
  for (let i = 0; i < 4; i++) gc();
  return true;
}

/** The result of the heap check. */
export interface HeapCheck {
  /** False when `gc` is not exposed: nothing was measured. */
  readonly measured: boolean;
  /** Heap used before the run. */
  readonly cold: number;
  /** Heap used after the first window (the baseline). */
  readonly start: number;
  /** Heap used at the end, after GC. */
  readonly end: number;
  readonly ok: boolean;
}

/**
 * Renders the summary table.
 *
 * @param report The engine's report.
 * @param heap The heap check.
 * @returns The text, ending with PASS or FAIL and the replay command.
 */
export function summary(report: SoakReport, heap: HeapCheck): string {
  const rows: string[] = [];
  const section = (title: string, table: Readonly<Record<string, number>>) =>
    countTable(rows, title, table);
  const rate = report.settled / (report.elapsedMs / 1000);
  rows.push(
    `norpc soak: ${fmt.format(report.requests)} calls, seed ${report.seed}, ${
      seconds(report.elapsedMs)
    } (${fmt.format(Math.round(rate))} calls/s, windows of ${report.window})`,
    `replayed by the seed: ${
      fmt.format(report.virtualMs)
    } virtual ms, outcome hash ${report.outcomeHash}`,
  );
  section("outcomes (what callers got)", report.outcomes);
  section("faults injected", report.injected);
  section("attempts through a client", {
    "total": report.attempts.total,
    "aborted before send": report.attempts.abortedBeforeSend,
    "to a closed server": report.attempts.toClosedServer,
    "deadline due before send": report.attempts.expiredBeforeSend,
    "handled by a server": report.attempts.dispatched,
    "sent, ended at their deadline": report.attempts.expired,
  });
  const s = report.servers;
  section("servers (counters summed over generations)", {
    "generations": s.generations,
    "closed gracefully": s.closedGracefully,
    "aborted": s.aborted,
    "served": s.served,
    "failed": s.failed,
    "cancelled": s.cancelled,
    "rejected": s.rejected,
  });
  section("layers", {
    "calls shed (loadShed)": report.layers.shed,
    "retries (retry)": report.layers.retried,
    "timed out (timeout)": report.layers.timedOut,
  });
  const counted = s.served + s.failed + s.cancelled + s.rejected;
  const reached = report.attempts.total - report.attempts.abortedBeforeSend -
    report.attempts.toClosedServer - report.attempts.expiredBeforeSend;
  const f = report.failedChecks;
  const check = (name: string, failures: number, detail = "") =>
    rows.push(
      `  ${name.padEnd(46, ".")} ${
        failures === 0 ? "ok" : `FAILED (${fmt.format(failures)})`
      }${detail ? `  ${detail}` : ""}`,
    );
  rows.push("", "checks");
  check(
    "every call got exactly one outcome",
    f["one outcome"] + f.hang,
    `${fmt.format(report.settled)} of ${fmt.format(report.requests)} settled`,
  );
  check("outcomes match the injected faults", f.outcome);
  check("deadlines hold (where servers enforce them)", f.deadline);
  check("handlers see their caller's metadata", f.metadata);
  check("aborts cascade to relayed requests", f.cascade);
  check(
    "server counters add up",
    f["server counters"],
    `${fmt.format(counted)} counted = ${
      fmt.format(reached)
    } attempts reached a server${
      report.attempts.unbooked > 0
        ? ` (${fmt.format(report.attempts.unbooked)} expired, booked anywhere)`
        : ""
    }`,
  );
  check("layer timers, permits and retries back to 0", f["layer counts"]);
  check("aborted queued calls free their slot", f["queue slots"]);
  check("no unhandled rejection", f["unhandled rejection"]);
  rows.push(
    `  ${"heap after GC within a few MB of the start".padEnd(46, ".")} ${
      !heap.measured
        ? "skipped (run with --v8-flags=--expose-gc)"
        : `${heap.ok ? "ok" : "FAILED"}  ${mb(heap.start)} -> ${
          mb(heap.end)
        } (${heap.end >= heap.start ? "+" : ""}${
          mb(heap.end - heap.start)
        }, limit +${mb(HEAP_SLACK)}; ${mb(heap.cold)} before warm-up)`
    }`,
  );
  if (report.mismatches.length > 0) {
    rows.push("", `first mismatches (${fmt.format(report.mismatchCount)}):`);
    for (const m of report.mismatches) rows.push(`  - ${m}`);
  }
  const pass = report.ok && heap.ok;
  rows.push(
    "",
    pass
      ? "PASS"
      : `FAIL: replay with deno task soak --requests ${report.requests} --seed ${report.seed}`,
  );
  return rows.join("\n");
}

function progressLine(p: SoakProgress, seed: number): string {
  const pct = Math.floor((p.done / p.total) * 100);
  const rate = p.done / Math.max(p.elapsedMs / 1000, 1e-3);
  return `soak seed ${seed}: ${fmt.format(p.done)}/${
    fmt.format(p.total)
  } calls (${pct}%), ${seconds(p.elapsedMs)}, ${
    fmt.format(Math.round(rate))
  } calls/s, server #${p.generations}, ${p.mismatches} mismatches`;
}

/**
 * Runs the command line.
 *
 * @param args The arguments.
 * @returns The exit status.
 */
export async function main(args: readonly string[]): Promise<number> {
  const parsed = parseSoakArgs(args);
  if (typeof parsed === "string") {
    console.error(`soak: ${parsed}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const seed = parsed.seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
  const encoder = new TextEncoder();
  const write = (text: string) => Deno.stderr.writeSync(encoder.encode(text));
  if (parsed.workers > 0) return await mainWorkers(parsed, seed, write);
  write(
    `soak: ${
      fmt.format(parsed.requests)
    } calls, seed ${seed} (replay: deno task soak --requests ${parsed.requests} --seed ${seed})\n`,
  );

  // The baseline is taken after the first window, once the code paths are
  // compiled: what grows after that grows with the number of calls (a leak).
  const measured = collect();
  const cold = Deno.memoryUsage().heapUsed;
  let start: number | undefined;
  let lastPrint = -Infinity;
  let width = 0;
  const report = await runSoak({
    requests: parsed.requests,
    seed,
    onProgress: (p) => {
      if (start === undefined) {
        collect();
        start = Deno.memoryUsage().heapUsed;
      }
      const now = wallNow(); // performance.now() is virtual during the run
      if (now - lastPrint < 1000) return;
      lastPrint = now;
      const line = progressLine(p, seed);
      write(`\r${line.padEnd(width)}`);
      width = line.length;
    },
  });
  write("\n");
  collect();
  const end = Deno.memoryUsage().heapUsed;
  const heap: HeapCheck = {
    measured,
    cold,
    start: start ?? cold,
    end,
    ok: !measured || end - (start ?? cold) <= HEAP_SLACK,
  };
  console.log(summary(report, heap));
  return report.ok && heap.ok ? 0 : 1;
}

/** `main` with `--workers`: the Worker soak. */
async function mainWorkers(
  parsed: SoakArgs,
  seed: number,
  write: (text: string) => void,
): Promise<number> {
  write(
    `soak: ${
      fmt.format(parsed.requests)
    } calls through ${parsed.workers} workers, seed ${seed} (rerun the plan: deno task soak --workers=${parsed.workers} --requests ${parsed.requests} --seed ${seed})\n` +
      "workers are killed on purpose: the uncaught errors they print below are expected\n",
  );
  let width = 0;
  const report = await runWorkerSoak({
    requests: parsed.requests,
    seed,
    size: parsed.workers,
    onProgress: (done, total) => {
      const line = `soak seed ${seed}: ${fmt.format(done)}/${
        fmt.format(total)
      } calls`;
      write(`\r${line.padEnd(width)}`);
      width = line.length;
    },
  });
  write("\n");
  console.log(workerSummary(report));
  return report.ok ? 0 : 1;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
