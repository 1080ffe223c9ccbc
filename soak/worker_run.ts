/**
 * The Worker soak behind `deno task soak --workers`: calls through a pool
 * of Workers (`spawnWorker`) whose workers are killed at random, by an
 * uncaught error or by `self.close()`, while calls are in flight. Then it
 * checks that every call got exactly one outcome, the one its plan allows;
 * that metadata crossed unchanged; that deadlines held; that every abort
 * reached its worker (each slot came back); that the pool replaced every
 * dead worker and kept serving; and that every Worker it started was ended
 * (Deno's test sanitizers do not see Workers, so the run counts them).
 *
 * Workers are threads on real time, so unlike the in-process soak (on a
 * virtual clock) a seed replays the plan — which calls, which faults, in
 * which order — but not the timing.
 *
 * @example
 * ```ts ignore
 * import { runWorkerSoak } from "./worker_run.ts";
 *
 * const report = await runWorkerSoak({ requests: 2_000, seed: 7, size: 2 });
 * console.log(report.ok, report.deaths, report.replaced);
 * ```
 *
 * @module
 */

import { HandlerError, InvalidOptionError, TimeoutError } from "../mod.ts";
import { spawnWorker, WorkerDiedError } from "../transports/worker/mod.ts";
import { Rng } from "./rng.ts";
import {
  planWorkerCall,
  type WorkerCallKind,
  type WorkerCallPlan,
  type WorkerSoakRequest,
  type WorkerSoakResponse,
} from "./worker_plan.ts";

/** Options of {@linkcode runWorkerSoak}. */
export interface WorkerSoakOptions {
  /** Calls to make. */
  readonly requests: number;
  /** Seed of the plan. */
  readonly seed: number;
  /** Workers in the pool (at least 2, so one dying leaves one serving). */
  readonly size: number;
  /** Calls in flight at most (default 64). */
  readonly window?: number;
  /**
   * Kill workers only with `self.close()`, never with an uncaught error
   * (which Deno prints to stderr): for test suites that keep quiet.
   */
  readonly quietKills?: boolean;
  /** Called about every 256 calls. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * For the oracle's own tests: rewrites a call's outcome before it is
   * checked, to show that a wrong outcome is caught.
   */
  readonly tamper?: (id: number, outcome: Outcome) => Outcome;
}

/** What a caller got. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** The result of a Worker soak run. */
export interface WorkerSoakReport {
  readonly requests: number;
  readonly seed: number;
  readonly size: number;
  readonly elapsedMs: number;
  /** Calls drawn, by kind. */
  readonly kinds: Readonly<Record<string, number>>;
  /** What callers got, by outcome. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Calls that settled (once each: a second settlement is a failure). */
  readonly settled: number;
  /** Calls that planned a worker's death and got `WorkerDiedError`. */
  readonly deaths: number;
  /** Workers the pool started to replace dead ones. */
  readonly replaced: number;
  /** Workers started and ended over the whole run. */
  readonly workers: { readonly started: number; readonly ended: number };
  /** Failed checks, by check. */
  readonly failedChecks: Readonly<Record<WorkerCheck, number>>;
  /** The first few mismatches, for the summary. */
  readonly mismatches: readonly string[];
  readonly ok: boolean;
}

/** The checks of a Worker soak run. */
export type WorkerCheck =
  | "one outcome"
  | "outcome"
  | "metadata"
  | "deadline"
  | "slots freed"
  | "pool recovered"
  | "workers ended"
  | "unhandled rejection";

const CHECKS: readonly WorkerCheck[] = [
  "one outcome",
  "outcome",
  "metadata",
  "deadline",
  "slots freed",
  "pool recovered",
  "workers ended",
  "unhandled rejection",
];

/** How long the run waits for the last calls, the slots and the close. */
const SETTLE_LIMIT_MS = 30_000;
/** How late a TimeoutError may come on a loaded machine (event-loop lag). */
const DEADLINE_SLACK_MS = 1_000;

const SERVICE_URL = new URL("./worker_service.ts", import.meta.url);

/** One call in flight, and what the oracle needs to judge its outcome. */
interface Flight {
  readonly kind: WorkerCallKind;
  readonly plan: WorkerCallPlan;
  /** The abort reason (a unique object), if the plan aborts. */
  readonly reason: Error | undefined;
  readonly deadline: number | undefined;
  /** Deaths planned when it started, and whether one was under way. */
  readonly deathsAtStart: number;
  readonly dyingAtStart: boolean;
  settlements: number;
}

/**
 * Runs the Worker soak.
 *
 * @param options Calls, seed, pool size.
 * @returns What happened and which checks failed.
 * @throws {InvalidOptionError} on a bad option.
 */
export async function runWorkerSoak(
  options: WorkerSoakOptions,
): Promise<WorkerSoakReport> {
  const { requests, seed, size, window = 64 } = options;
  if (!Number.isSafeInteger(requests) || requests <= 0) {
    throw new InvalidOptionError("requests", requests, "a positive integer");
  }
  if (!Number.isInteger(size) || size < 2) {
    throw new InvalidOptionError("size", size, "an integer of at least 2");
  }
  const failed = Object.fromEntries(CHECKS.map((c) => [c, 0])) as Record<
    WorkerCheck,
    number
  >;
  const mismatches: string[] = [];
  const fail = (check: WorkerCheck, detail: string) => {
    failed[check]++;
    if (mismatches.length < 10) mismatches.push(`${check}: ${detail}`);
  };
  const kinds: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const count = (table: Record<string, number>, key: string) =>
    table[key] = (table[key] ?? 0) + 1;

  const counter = countWorkers();
  let unhandled = 0;
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    unhandled++;
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);

  const start = performance.now();
  const pool = spawnWorker<WorkerSoakRequest, WorkerSoakResponse>(
    SERVICE_URL,
    { size, capacity: 32, name: "soak" },
  );
  const rng = new Rng(seed);
  let deathsPlanned = 0;
  let dying = 0;
  let deaths = 0;
  let settled = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const pending = new Map<number, Flight>();

  const judge = (id: number, flight: Flight, raw: Outcome) => {
    const outcome = options.tamper?.(id, raw) ?? raw;
    const label = outcomeLabel(outcome);
    count(outcomes, label);
    const mayDie = deathsPlanned > flight.deathsAtStart || flight.dyingAtStart;
    const wrong = (why: string) =>
      fail("outcome", `call ${id} (${flight.kind}): ${why}, got ${label}`);
    const { req } = flight.plan;
    if (!outcome.ok) {
      if (outcome.error instanceof WorkerDiedError) {
        if (req.action === "die-throw" || req.action === "die-close") {
          deaths++;
        } else if (!mayDie) wrong("no worker died while it ran");
        return;
      }
    }
    switch (flight.kind) {
      case "echo":
      case "echo, aborted while it runs": {
        if (outcome.ok) {
          const res = outcome.value as WorkerSoakResponse;
          if (res?.id !== req.id) return wrong(`expected id ${req.id}`);
          const sent = flight.plan.metadata ? `call-${req.id}` : undefined;
          if (res.tag !== sent) {
            fail(
              "metadata",
              `call ${id}: sent ${sent}, handler saw ${res.tag}`,
            );
          }
        } else if (outcome.error !== flight.reason || !flight.reason) {
          wrong("expected its response (or its abort reason, if aborted)");
        }
        return;
      }
      case "throw":
        if (
          outcome.ok || !(outcome.error instanceof Error) ||
          outcome.error.name !== "SoakError" ||
          outcome.error.message !== `call ${req.id} failed on purpose`
        ) wrong("expected the handler's SoakError");
        return;
      case "throw-value":
        if (
          outcome.ok || !(outcome.error instanceof HandlerError) ||
          outcome.error.cause !== `call ${req.id} threw a string`
        ) wrong("expected a HandlerError carrying the thrown string");
        return;
      case "hang, aborted":
      case "hang, aborted before sending":
        if (outcome.ok || outcome.error !== flight.reason) {
          wrong("expected its own abort reason");
        }
        return;
      case "hang, deadline": {
        if (outcome.ok || !(outcome.error instanceof TimeoutError)) {
          return wrong("expected a TimeoutError");
        }
        const at = Date.now();
        if (at < flight.deadline! - 1) {
          fail(
            "deadline",
            `call ${id}: timed out ${flight.deadline! - at} ms early`,
          );
        } else if (at > flight.deadline! + DEADLINE_SLACK_MS) {
          fail(
            "deadline",
            `call ${id}: timed out ${at - flight.deadline!} ms late`,
          );
        }
        return;
      }
      case "die-throw":
      case "die-close":
        wrong("expected WorkerDiedError");
    }
  };

  const issue = (id: number) => {
    const [kind, drawn] = planWorkerCall(rng, id);
    const plan: WorkerCallPlan = options.quietKills && kind === "die-throw"
      ? { ...drawn, req: { ...drawn.req, action: "die-close" } }
      : drawn;
    count(kinds, kind);
    const dies = plan.req.action === "die-throw" ||
      plan.req.action === "die-close";
    const controller = plan.abortAfter === undefined
      ? undefined
      : new AbortController();
    const reason = controller && new Error(`soak: call ${id} aborted`);
    const deadline = plan.deadlineIn === undefined
      ? undefined
      : Date.now() + plan.deadlineIn;
    const flight: Flight = {
      kind,
      plan,
      reason,
      deadline,
      deathsAtStart: deathsPlanned,
      dyingAtStart: dying > 0,
      settlements: 0,
    };
    if (dies) {
      deathsPlanned++;
      dying++;
    }
    pending.set(id, flight);
    inFlight++;
    if (plan.abortAfter === 0) controller!.abort(reason);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (outcome: Outcome) => {
      if (timer !== undefined) clearTimeout(timer);
      flight.settlements++;
      if (flight.settlements > 1) {
        return fail("one outcome", `call ${id} settled twice`);
      }
      if (dies) dying--;
      settled++;
      inFlight--;
      pending.delete(id);
      judge(id, flight, outcome);
      wake?.();
    };
    pool.client.call(plan.req, {
      signal: controller?.signal,
      deadline,
      metadata: plan.metadata ? { "soak-id": `call-${id}` } : undefined,
    }).then(
      (value) => done({ ok: true, value }),
      (error) => done({ ok: false, error }),
    );
    if (plan.abortAfter !== undefined && plan.abortAfter > 0) {
      timer = setTimeout(() => controller!.abort(reason), plan.abortAfter);
    }
  };

  try {
    for (let id = 0; id < requests; id++) {
      while (inFlight >= window) {
        await new Promise<void>((resolve) => wake = resolve);
      }
      issue(id);
      if (id % 256 === 255) options.onProgress?.(id + 1, requests);
    }
    // The last calls: each must settle, on its own, within the limit.
    const limit = performance.now() + SETTLE_LIMIT_MS;
    while (inFlight > 0 && performance.now() < limit) await delay(10);
    for (const [id, flight] of pending) {
      fail("one outcome", `call ${id} (${flight.kind}) never settled`);
    }
    // Every abort and deadline reached its worker: the handler's signal
    // aborted, it answered, and its slot came back.
    while (
      (pool.inFlight > 0 || pool.queued > 0) && performance.now() < limit
    ) await delay(10);
    if (pool.inFlight > 0 || pool.queued > 0) {
      fail(
        "slots freed",
        `${pool.inFlight} calls still in a worker, ${pool.queued} queued, after every caller settled`,
      );
    }
    // The pool replaced every dead worker and still serves.
    while (pool.live < size && performance.now() < limit) await delay(10);
    if (pool.live !== size) {
      fail("pool recovered", `${pool.live} of ${size} workers live`);
    }
    if (deaths > 0 && pool.replaced === 0) {
      fail("pool recovered", `${deaths} workers died, none was replaced`);
    }
    try {
      const probe = await pool.client.call({
        id: -1,
        action: "echo",
        delay: 0,
      });
      if (probe.id !== -1) throw new Error(`answered ${probe.id}`);
    } catch (error) {
      fail("pool recovered", `a call after the run failed: ${error}`);
    }
  } finally {
    const closed = await withinLimit(pool.close(), SETTLE_LIMIT_MS);
    if (!closed) {
      fail("workers ended", `close() did not end within ${SETTLE_LIMIT_MS} ms`);
      pool.terminate(new Error("soak: close took too long"));
    }
    counter.restore();
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
  if (counter.started !== counter.ended) {
    fail(
      "workers ended",
      `${counter.started} started, ${counter.ended} ended`,
    );
  }
  if (unhandled > 0) {
    fail("unhandled rejection", `${unhandled} unhandled rejections`);
  }
  return {
    requests,
    seed,
    size,
    elapsedMs: performance.now() - start,
    kinds,
    outcomes,
    settled,
    deaths,
    replaced: pool.replaced,
    workers: { started: counter.started, ended: counter.ended },
    failedChecks: failed,
    mismatches,
    ok: CHECKS.every((c) => failed[c] === 0),
  };
}

function outcomeLabel(outcome: Outcome): string {
  if (outcome.ok) return "response";
  const error = outcome.error;
  if (error instanceof WorkerDiedError) return "WorkerDiedError";
  if (error instanceof Error) {
    return error.message.startsWith("soak: call ")
      ? "the caller's abort reason"
      : error.name;
  }
  return `non-Error ${typeof error}`;
}

/** Whether `promise` settles within `ms` (the timer goes either way). */
async function withinLimit(
  promise: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Counts Workers started and ended while the run lasts, by swapping the
 * global `Worker` for a subclass (the pool starts its workers with
 * `new Worker`). A worker is ended when the parent terminates it, which
 * the transport does for every worker it stops, whatever the reason.
 */
function countWorkers(): {
  readonly started: number;
  readonly ended: number;
  restore(): void;
} {
  const Original = globalThis.Worker;
  const counts = { started: 0, ended: 0 };
  class CountedWorker extends Original {
    #ended = false;
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      counts.started++;
    }
    override terminate(): void {
      if (!this.#ended) {
        this.#ended = true;
        counts.ended++;
      }
      super.terminate();
    }
  }
  globalThis.Worker = CountedWorker;
  return {
    get started() {
      return counts.started;
    },
    get ended() {
      return counts.ended;
    },
    restore() {
      globalThis.Worker = Original;
    },
  };
}
