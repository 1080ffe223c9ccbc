/**
 * The summary table of the Worker soak (`deno task soak --workers`).
 *
 * @module
 */

import { countTable, fmt } from "./text.ts";
import type { WorkerCheck, WorkerSoakReport } from "./worker_run.ts";

/** Each check's line in the summary, in order. */
const CHECK_LINES: readonly [WorkerCheck, string][] = [
  ["one outcome", "every call got exactly one outcome"],
  ["outcome", "outcomes match the plan (or a dead worker)"],
  ["metadata", "handlers see their caller's metadata"],
  ["deadline", "deadlines hold"],
  ["slots freed", "every abort and deadline freed its slot"],
  ["pool recovered", "dead workers replaced, pool still serves"],
  ["workers ended", "every Worker started was ended"],
  ["unhandled rejection", "no unhandled rejection"],
];

/**
 * Renders the Worker soak's summary.
 *
 * @param report The run's report.
 * @returns The text, ending with PASS or FAIL and the command to rerun the
 * plan.
 */
export function workerSummary(report: WorkerSoakReport): string {
  const rows: string[] = [];
  const section = (title: string, table: Readonly<Record<string, number>>) =>
    countTable(rows, title, table);
  const rate = report.settled / (report.elapsedMs / 1000);
  rows.push(
    `norpc worker soak: ${
      fmt.format(report.requests)
    } calls, seed ${report.seed}, a pool of ${report.size} workers, ${
      (report.elapsedMs / 1000).toFixed(1)
    } s (${fmt.format(Math.round(rate))} calls/s)`,
  );
  section("calls (as planned)", report.kinds);
  section("outcomes (what callers got)", report.outcomes);
  section("workers", {
    "kill requests (got WorkerDiedError)": report.deaths,
    "replaced by the pool": report.replaced,
    "started": report.workers.started,
    "ended": report.workers.ended,
  });
  rows.push("", "checks");
  for (const [check, line] of CHECK_LINES) {
    const failures = report.failedChecks[check];
    rows.push(
      `  ${line.padEnd(46, ".")} ${
        failures === 0 ? "ok" : `FAILED (${fmt.format(failures)})`
      }${
        check === "one outcome"
          ? `  ${fmt.format(report.settled)} of ${
            fmt.format(report.requests)
          } settled`
          : ""
      }`,
    );
  }
  if (report.mismatches.length > 0) {
    rows.push("", "first mismatches:");
    for (const m of report.mismatches) rows.push(`  - ${m}`);
  }
  rows.push(
    "",
    report.ok
      ? "PASS"
      : `FAIL: rerun the plan with deno task soak --workers=${report.size} --requests ${report.requests} --seed ${report.seed}`,
  );
  return rows.join("\n");
}
