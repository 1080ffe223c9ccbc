/** The Worker soak (`deno task soak --workers`): its run, its oracle, its CLI. */

import assert from "node:assert/strict";
import { parseSoakArgs } from "../../soak/main.ts";
import { type Outcome, runWorkerSoak } from "../../soak/worker_run.ts";
import { WorkerDiedError } from "../../transports/worker/mod.ts";

const MAIN = new URL("../../soak/main.ts", import.meta.url);

Deno.test("worker soak: workers die at random, every call gets its one allowed outcome", async () => {
  // Kills by self.close() only: an uncaught error would print to the test
  // output (the CLI test below kills both ways).
  const report = await runWorkerSoak({
    requests: 3_000,
    seed: 11,
    size: 2,
    quietKills: true,
  });
  assert.ok(report.ok, report.mismatches.join("\n"));
  assert.equal(report.settled, 3_000);
  // Workers really died, the pool replaced them, and each was ended.
  assert.ok(report.deaths > 0, "the plan kills at least one worker");
  assert.ok(report.replaced > 0, "the pool replaced a dead worker");
  assert.equal(report.workers.started, report.workers.ended);
  assert.ok(report.workers.started >= 2 + report.replaced);
  // Every kind of outcome was met.
  for (
    const label of [
      "response",
      "SoakError",
      "HandlerError",
      "TimeoutError",
      "WorkerDiedError",
      "the caller's abort reason",
    ]
  ) {
    assert.ok((report.outcomes[label] ?? 0) > 0, label);
  }
});

/** Rewrites the first response the run sees with `forge`. */
function forgeFirstResponse(forge: (value: unknown) => unknown) {
  let done = false;
  return (_id: number, outcome: Outcome): Outcome => {
    if (done || !outcome.ok) return outcome;
    done = true;
    return { ok: true, value: forge(outcome.value) };
  };
}

Deno.test("worker soak: the oracle catches a wrong response", async () => {
  const report = await runWorkerSoak({
    requests: 300,
    seed: 11,
    size: 2,
    quietKills: true,
    tamper: forgeFirstResponse(() => ({ id: -5, tag: undefined })),
  });
  assert.equal(report.ok, false);
  assert.equal(report.failedChecks.outcome, 1);
  assert.match(report.mismatches.join("\n"), /expected id/);
});

Deno.test("worker soak: the oracle catches metadata that did not cross unchanged", async () => {
  let forged = false;
  const report = await runWorkerSoak({
    requests: 300,
    seed: 11,
    size: 2,
    quietKills: true,
    tamper: (_id, outcome) => {
      if (forged || !outcome.ok) return outcome;
      const value = outcome.value as { id: number; tag?: string };
      if (value.tag === undefined) return outcome;
      forged = true;
      return { ok: true, value: { ...value, tag: "forged" } };
    },
  });
  assert.ok(forged);
  assert.equal(report.ok, false);
  assert.equal(report.failedChecks.metadata, 1);
});

Deno.test("worker soak: the oracle catches a WorkerDiedError where no worker died", async () => {
  // One call at a time: call 0 settles before any kill is planned, so it
  // may not die.
  const report = await runWorkerSoak({
    requests: 20,
    seed: 11,
    size: 2,
    window: 1,
    quietKills: true,
    tamper: (id, outcome) =>
      id === 0
        ? {
          ok: false,
          error: new WorkerDiedError("forged", undefined),
        }
        : outcome,
  });
  assert.equal(report.failedChecks.outcome, 1);
  assert.match(report.mismatches[0], /no worker died while it ran/);
});

Deno.test("worker soak cli: flags", () => {
  const parsed = parseSoakArgs(["--workers"]);
  assert.equal(typeof parsed, "object");
  assert.deepEqual(parsed, {
    requests: 50_000,
    seed: undefined,
    help: false,
    workers: 2,
  });
  assert.deepEqual(parseSoakArgs(["--workers=4", "--requests", "10"]), {
    requests: 10,
    seed: undefined,
    help: false,
    workers: 4,
  });
  for (
    const bad of ["--workers=1", "--workers=0", "--workers=x", "--workers=65"]
  ) {
    assert.match(String(parseSoakArgs([bad])), /--workers takes a pool size/);
  }
});

Deno.test("worker soak cli: a short run prints its summary and passes", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      MAIN.pathname,
      "--workers",
      "--requests",
      "1000",
      "--seed",
      "4",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stdout + stderr);
  assert.match(stdout, /norpc worker soak: 1,000 calls, seed 4, a pool of 2/);
  assert.match(stdout, /every call got exactly one outcome\.+ ok/);
  assert.match(stdout, /every Worker started was ended\.+ ok/);
  assert.match(stdout, /\nPASS$/m);
  assert.match(stderr, /rerun the plan: deno task soak --workers=2/);
});
