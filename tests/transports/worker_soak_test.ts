/**
 * Soak for the Worker transport: calls of every kind (echo, slow, throwing,
 * aborted, with deadlines) through a pool whose workers are killed at random
 * (uncaught error, unhandled rejection, `self.close()`, `Deno.exit()`) under load.
 * Every call must get exactly one outcome, of a kind its request allows,
 * nothing may hang, the pool must keep serving, and every Worker must end.
 */
import assert from "node:assert/strict";
import { TimeoutError } from "../../mod.ts";
import { spawnWorker, WorkerDiedError } from "../../transports/worker/mod.ts";
import {
  LAB_WORKER,
  type LabRequest,
  type LabResponse,
} from "./worker_fixtures/lab.ts";
import { sleep, withWorkers, workersStarted } from "./worker_helpers.ts";

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = "echo" | "slow" | "throw" | "abort" | "deadline" | "crash";

interface Planned {
  kind: Kind;
  req: LabRequest;
  signal?: AbortSignal;
  deadline?: number;
  reason?: Error;
}

const CALLS = 1_500;

for (const seed of [1, 2]) {
  Deno.test(
    `worker soak (seed ${seed}): workers killed at random under load, every call gets exactly one outcome`,
    withWorkers(async () => {
      const random = prng(seed);
      const startedBefore = workersStarted();
      const pool = spawnWorker<LabRequest, LabResponse>(LAB_WORKER, {
        size: 3,
        capacity: 8,
        queue: Infinity,
      });
      const outcomes = new Map<number, { status: string; value: unknown }>();
      const settled: Promise<void>[] = [];
      const planned: Planned[] = [];
      const timers = new Set<ReturnType<typeof setTimeout>>();
      for (let i = 0; i < CALLS; i++) {
        const roll = random();
        const kind: Kind = roll < 0.4
          ? "echo"
          : roll < 0.55
          ? "slow"
          : roll < 0.65
          ? "throw"
          : roll < 0.8
          ? "abort"
          : roll < 0.99
          ? "deadline"
          : "crash";
        const plan: Planned = { kind, req: { method: "echo", args: [i] } };
        if (kind === "slow" || kind === "abort" || kind === "deadline") {
          plan.req = {
            method: "wait",
            args: [`w${i}`, Math.floor(random() * 20)],
          };
        } else if (kind === "throw") {
          plan.req = { method: "throw", args: ["timeout"] };
        } else if (kind === "crash") {
          const how = (["throw", "close", "reject", "exit"] as const)[
            Math.floor(random() * 4)
          ];
          plan.req = { method: "crash", args: [how, Math.floor(random() * 5)] };
        }
        if (kind === "abort") {
          const controller = new AbortController();
          plan.signal = controller.signal;
          plan.reason = new Error(`abort ${i}`);
          const timer = setTimeout(() => {
            timers.delete(timer);
            controller.abort(plan.reason);
          }, Math.floor(random() * 20));
          timers.add(timer);
        }
        if (kind === "deadline") plan.deadline = Date.now() + random() * 20;
        planned.push(plan);
        const promise = pool.client.call(plan.req, {
          signal: plan.signal,
          deadline: plan.deadline,
        });
        settled.push(promise.then(
          (value) => {
            assert.ok(!outcomes.has(i), `call ${i} settled twice`);
            outcomes.set(i, { status: "ok", value });
          },
          (value) => {
            assert.ok(!outcomes.has(i), `call ${i} settled twice`);
            outcomes.set(i, { status: "error", value });
          },
        ));
        if (i % 50 === 0) await sleep(random() * 10);
      }
      let watchdog: ReturnType<typeof setTimeout> | undefined;
      const hang = new Promise<never>((_, reject) => {
        watchdog = setTimeout(
          () =>
            reject(new Error(`seed ${seed}: calls still pending after 60 s`)),
          60_000,
        );
      });
      try {
        await Promise.race([Promise.all(settled), hang]);
      } finally {
        clearTimeout(watchdog);
        for (const timer of timers) clearTimeout(timer);
      }
      assert.equal(outcomes.size, CALLS);
      const counts: Record<string, number> = {};
      for (let i = 0; i < CALLS; i++) {
        const plan = planned[i];
        const outcome = outcomes.get(i)!;
        const died = outcome.status === "error" &&
          outcome.value instanceof WorkerDiedError;
        const key = `${plan.kind}:${died ? "died" : outcome.status}`;
        counts[key] = (counts[key] ?? 0) + 1;
        if (died) continue; // any call may meet a dying worker
        const context = `seed ${seed}, call ${i} (${plan.kind})`;
        switch (plan.kind) {
          case "echo":
            assert.deepEqual(outcome, { status: "ok", value: i }, context);
            break;
          case "slow":
            assert.deepEqual(
              outcome,
              { status: "ok", value: `w${i}` },
              context,
            );
            break;
          case "throw":
            assert.ok(outcome.value instanceof TimeoutError, context);
            break;
          case "abort":
            assert.ok(
              outcome.status === "ok"
                ? outcome.value === `w${i}`
                : outcome.value === plan.reason,
              context,
            );
            break;
          case "deadline":
            assert.ok(
              outcome.status === "ok"
                ? outcome.value === `w${i}`
                : outcome.value instanceof TimeoutError,
              `${context}: ${outcome.value}`,
            );
            break;
          case "crash":
            assert.deepEqual(
              outcome,
              { status: "ok", value: "crashing" },
              context,
            );
            break;
        }
      }
      // Workers died and were replaced, and the pool still serves.
      assert.ok(pool.replaced > 0, JSON.stringify(counts));
      // Not vacuous: besides deaths, real outcomes of each kind were checked
      // (how many depends on when the crashes hit, so only "some").
      for (const key of ["echo:ok", "slow:ok", "throw:error", "crash:ok"]) {
        assert.ok((counts[key] ?? 0) > 0, `${key}: ${JSON.stringify(counts)}`);
      }
      // (A worker may still have a crash timer pending: its calls die, typed.)
      let after: unknown;
      for (let attempt = 0; attempt < 5 && after === undefined; attempt++) {
        after = await pool.client.call({ method: "echo", args: ["after"] })
          .catch((error) => {
            if (!(error instanceof WorkerDiedError)) throw error;
            return sleep(20);
          });
      }
      assert.equal(after, "after");
      assert.equal(pool.queued, 0);
      await pool.close();
      assert.equal(pool.inFlight, 0);
      assert.ok(workersStarted() - startedBefore >= 3 + pool.replaced);
    }),
  );
}
