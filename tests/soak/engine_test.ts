/**
 * The soak engine in CI: 20,000 calls per fixed seed, with the sanitizers on
 * (a pending op left behind fails the test; timers are virtual during a run
 * and the run itself fails when one is left scheduled), proof that a seed
 * replays every outcome, and proof that the engine's checks fire when the
 * runtime misbehaves.
 */

import assert from "node:assert/strict";
import {
  type CallOptions,
  Client,
  InvalidOptionError,
  serviceFn,
  spawn,
} from "../../mod.ts";
import { Call } from "../../client.ts";
import { ChannelCore } from "../../channel.ts";
import { TimerQueue } from "../../_timers.ts";
import { type Check, runSoak, type SoakReport } from "../../soak/engine.ts";

const SEEDS = [1, 2, 3];
const REQUESTS = 20_000;

function explain(report: SoakReport): string {
  return `seed ${report.seed}: ${report.mismatchCount} mismatches ${
    JSON.stringify(report.failedChecks)
  }\n${report.mismatches.join("\n")}`;
}

/** Every fault the run is meant to inject actually happened. */
function assertCoverage(report: SoakReport): void {
  const injected = report.injected;
  for (
    const key of [
      "latency sync",
      "latency microtask",
      "latency timer",
      "latency hang",
      "result ok",
      "result throw",
      "result reject",
      "result non-error",
      "result overloaded",
      "abort before",
      "abort queued",
      "abort running",
      "abort race",
      "stack direct",
      "stack timeout-long",
      "stack timeout-short",
      "stack resilient",
      "call to a closed server",
      "deadline past",
      "deadline tight",
      "deadline loose",
      "metadata",
      "relay",
    ]
  ) {
    assert.ok((injected[key] ?? 0) > 0, `seed ${report.seed}: no "${key}"`);
  }
  const s = report.servers;
  assert.ok(s.generations > 2, "servers were respawned");
  assert.ok(s.closedGracefully > 0, "a server was closed gracefully");
  assert.ok(s.aborted > 0, "a server was aborted");
  assert.ok(s.served > 0 && s.failed > 0, "handlers answered and failed");
  assert.ok(s.cancelled > 0, "queued calls were cancelled");
  assert.ok(report.layers.shed > 0, "calls were shed");
  assert.ok(report.layers.retried > 0, "calls were retried");
  assert.ok(report.layers.timedOut > 0, "calls timed out");
  for (const name of ["response", "caller abort", "HandlerError"]) {
    assert.ok((report.outcomes[name] ?? 0) > 0, `no "${name}" outcome`);
  }
}

Deno.test("soak: 20,000 calls per fixed seed, every check passes", async (t) => {
  for (const seed of SEEDS) {
    await t.step(`seed ${seed}`, async () => {
      const report = await runSoak({ requests: REQUESTS, seed });
      assert.ok(report.ok, explain(report));
      assert.equal(report.settled, REQUESTS);
      assert.equal(report.mismatchCount, 0, explain(report));
      assert.equal(report.unhandledRejections, 0);
      assert.equal(report.hung, 0);
      for (const [check, n] of Object.entries(report.failedChecks)) {
        assert.equal(n, 0, `check "${check}" failed: ${explain(report)}`);
      }
      const s = report.servers;
      const a = report.attempts;
      assert.equal(a.unbooked, 0, "norpc servers enforce deadlines");
      assert.equal(
        s.served + s.failed + s.cancelled + s.rejected,
        a.total - a.abortedBeforeSend - a.toClosedServer - a.expiredBeforeSend,
        "server counters add up to the attempts that reached a server",
      );
      assert.equal(s.served + s.failed, a.dispatched);
      const outcomes = Object.values(report.outcomes).reduce((x, y) => x + y);
      assert.equal(outcomes, REQUESTS, "one outcome per call");
      assertCoverage(report);
    });
  }
});

/** Everything a replay must repeat: all but the wall-clock duration. */
function replayed(r: SoakReport) {
  const { elapsedMs: _wallClock, ...rest } = r;
  return rest;
}

Deno.test("soak: a seed replays the whole run, outcome by outcome", async () => {
  const a = await runSoak({ requests: 6_000, seed: 99 });
  const b = await runSoak({ requests: 6_000, seed: 99 });
  const c = await runSoak({ requests: 6_000, seed: 100 });
  assert.ok(a.ok && b.ok && c.ok, explain(a.ok ? (b.ok ? c : b) : a));
  // Same counts per outcome kind, same hash of every call's outcome (kind,
  // virtual time, order, attempts, tries), same server and layer figures.
  assert.deepEqual(b.outcomes, a.outcomes);
  assert.equal(b.outcomeHash, a.outcomeHash);
  assert.deepEqual(replayed(b), replayed(a));
  // Timing-dependent outcomes are part of what is replayed.
  assert.ok((a.outcomes.TimeoutError ?? 0) > 0, JSON.stringify(a.outcomes));
  assert.ok(a.layers.shed > 0 && a.layers.retried > 0);
  assert.ok(a.virtualMs > 0, "time passed on the virtual clock");
  // Another seed is another run.
  assert.notEqual(c.outcomeHash, a.outcomeHash);
  assert.notDeepEqual(c.outcomes, a.outcomes);
});

Deno.test("soak: the clocks are virtual during a run and real after it", async () => {
  const realBefore = Date.now();
  let seen: { date: number; perf: number } | undefined;
  const report = await runSoak({
    requests: 300,
    seed: 5,
    window: 100,
    onProgress: () => {
      seen ??= { date: Date.now(), perf: performance.now() };
    },
  });
  assert.ok(report.ok, explain(report));
  assert.ok(seen !== undefined);
  // 2026-01-01T00:00:00Z plus a few virtual ms, whatever the real date is.
  assert.ok(
    seen.date >= Date.UTC(2026, 0, 1) &&
      seen.date < Date.UTC(2026, 0, 1) + 60_000,
    String(seen.date),
  );
  assert.ok(seen.perf < 60_000, String(seen.perf));
  assert.ok(Date.now() >= realBefore, "the real clock is back");
  await new Promise((resolve) => setTimeout(resolve, 1)); // real timers work
});

Deno.test("soak: invalid options are refused", async () => {
  for (
    const options of [
      { requests: 0 },
      { requests: -1 },
      { requests: 1.5 },
      { requests: NaN },
      { requests: Infinity },
      { seed: -1 },
      { seed: 2 ** 32 },
      { seed: 0.5 },
      { window: 0 },
      { stallMs: 0 },
      { requests: "10" as unknown as number },
    ]
  ) {
    await assert.rejects(runSoak(options), InvalidOptionError);
  }
});

/**
 * Runs a short soak with part of the runtime broken and returns the report;
 * `undo` restores the runtime.
 */
async function sabotaged(undo: () => void): Promise<SoakReport> {
  try {
    return await runSoak({ requests: 4_000, seed: 4 });
  } finally {
    undo();
  }
}

function patch<T extends object, K extends keyof T>(
  target: T,
  key: K,
  replacement: (original: T[K]) => T[K],
): () => void {
  const original = target[key];
  target[key] = replacement(original);
  return () => {
    target[key] = original;
  };
}

function assertCaught(
  report: SoakReport,
  check: Check,
  ...alternatives: Check[]
): void {
  assert.equal(report.ok, false, "the sabotage went unnoticed");
  const checks = [check, ...alternatives];
  assert.ok(
    checks.some((c) => report.failedChecks[c] > 0),
    `expected ${checks.map((c) => `"${c}"`).join(" or ")} to fail: ${
      JSON.stringify(report.failedChecks)
    }`,
  );
}

Deno.test("soak: the checks catch a broken runtime", async (t) => {
  await t.step(
    "a non-Error thrown value reaches the caller unwrapped",
    async () => {
      const proto = Call.prototype as unknown as {
        reject(error: unknown): void;
      };
      const undo = patch(
        proto,
        "reject",
        (original) =>
          function (this: unknown, error: unknown) {
            // Wrap in nothing: an Error subclass only when it already is one.
            const raw = error instanceof Error ? error : { raw: error };
            original.call(this, raw);
          },
      );
      assertCaught(await sabotaged(undo), "outcome");
    },
  );

  await t.step("the server forgets to count a withdrawn call", async () => {
    const { server } = spawn(serviceFn(() => 0));
    await server.close();
    const proto = Object.getPrototypeOf(server) as { onWithdraw(): void };
    const undo = patch(proto, "onWithdraw", () => () => {});
    assertCaught(await sabotaged(undo), "server counters");
  });

  await t.step("the server's deadline timer never fires", async () => {
    const proto = Call.prototype as unknown as { expire(): void };
    const undo = patch(proto, "expire", () => () => {});
    // Calls end after their deadline; where a layer relies on the server's
    // deadline (a timeout over a norpc client), a hanging handler never ends.
    assertCaught(await sabotaged(undo), "deadline", "hang");
  });

  await t.step("the client drops the caller's metadata", async () => {
    const proto = Client.prototype as unknown as {
      call(req: unknown, options?: CallOptions): Promise<unknown>;
    };
    const undo = patch(
      proto,
      "call",
      (original) =>
        function (this: unknown, req: unknown, options?: CallOptions) {
          const stripped = options === undefined
            ? undefined
            : { ...options, metadata: undefined };
          return original.call(this, req, stripped);
        },
    );
    assertCaught(await sabotaged(undo), "metadata");
  });

  await t.step(
    "the client ignores the signal a handler passes downstream",
    async () => {
      const proto = Client.prototype as unknown as {
        call(req: unknown, options?: CallOptions): Promise<unknown>;
      };
      const undo = patch(
        proto,
        "call",
        (original) =>
          function (this: unknown, req: unknown, options?: CallOptions) {
            const relayed = (req as { relay?: unknown }).relay !== undefined;
            return original.call(
              this,
              req,
              relayed ? { ...options, signal: undefined } : options,
            );
          },
      );
      // The downstream handler is never aborted: checked by the cascade
      // check, or a downstream handler that waits for its signal hangs.
      assertCaught(await sabotaged(undo), "cascade", "hang");
    },
  );

  await t.step("a closed server keeps its deadline timer", async () => {
    const proto = TimerQueue.prototype as unknown as { release(): void };
    const undo = patch(proto, "release", () => () => {});
    assertCaught(await sabotaged(undo), "layer counts");
  });

  await t.step("an aborted queued call keeps its slot", async () => {
    const proto = ChannelCore.prototype as unknown as {
      withdraw(value: unknown): boolean;
    };
    const undo = patch(proto, "withdraw", () => () => false);
    assertCaught(await sabotaged(undo), "queue slots");
  });
});
