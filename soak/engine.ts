/**
 * The soak/fault engine behind `deno task soak` and the deterministic soak
 * test: it drives a long run of calls through norpc clients, layers and
 * servers while injecting faults, then checks that every call got exactly one
 * outcome, that each outcome is the one its injected fault implies, that the
 * servers' counters add up to the calls that reached them, and that every
 * layer's internal counts return to zero.
 *
 * What a run mixes, each drawn from a seeded {@linkcode Rng}:
 *
 * - handler latency: synchronous, after microtasks, after a timer, or hanging
 *   until its signal aborts;
 * - handler outcomes: a response, a thrown `Error`, a rejected promise, a
 *   thrown or rejected non-`Error` value, an `OverloadedError`;
 * - caller aborts: before sending, while queued, while running, or at a
 *   random point (a race with the reply);
 * - stacks: the bare client, a long `timeout` (never fires), a short
 *   `timeout` over a hanging handler, and `timeout → retry → loadShed →
 *   concurrencyLimit` (shedding and retries);
 * - server generations: each server is closed gracefully or aborted after a
 *   random number of calls, while calls are in flight, and a new one is
 *   spawned; a few calls still go to the closed one.
 *
 * Calls are issued in windows (a few thousand at most in flight); at the end
 * of each window everything has settled and is checked, and the records are
 * dropped, so memory stays flat over a million calls.
 *
 * The engine is pure: no console, no exit, no flags. `soak/main.ts` is the
 * command line.
 *
 * @example
 * ```ts
 * import { runSoak } from "./engine.ts";
 *
 * const report = await runSoak({ requests: 2_000, seed: 7 });
 * if (!report.ok) throw new Error(report.mismatches.join("\n"));
 * ```
 *
 * @module
 */

import {
  type CallOptions,
  channel,
  ChannelClosedError,
  type Client,
  connect,
  type Envelope,
  HandlerError,
  InvalidOptionError,
  OverloadedError,
  serve,
  type Server,
  type Service,
  spawn,
  TimeoutError,
} from "../mod.ts";
import {
  concurrencyLimit,
  type ConcurrencyLimitService,
  loadShed,
  type LoadShedService,
  retry,
  type RetryService,
  timeout,
  type TimeoutService,
} from "../layers/mod.ts";
import { Rng } from "./rng.ts";

// ---------------------------------------------------------------------------
// Public API

/** Options of {@linkcode runSoak}. */
export interface SoakOptions {
  /** Calls to make: a positive integer. Defaults to `1_000_000`. */
  requests?: number;
  /** Seed of the fault mix (an unsigned 32-bit integer). Defaults to `1`. */
  seed?: number;
  /** Most calls issued per window (in flight at once). Defaults to `2048`. */
  window?: number;
  /**
   * A window that makes no progress for this long is a hang: the run stops
   * and reports it. Milliseconds; defaults to `30_000`.
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
  /** Milliseconds since the run started. */
  readonly elapsedMs: number;
  /** Server generations so far (the first is 1). */
  readonly generations: number;
  /** Mismatches found so far. */
  readonly mismatches: number;
}

/**
 * The checks a run makes:
 * - `one outcome`: every call settled exactly once (and no handler twice);
 * - `outcome`: each outcome is the one the injected fault implies;
 * - `server counters`: each server's counters equal the attempts it got;
 * - `layer counts`: timers, permits and retries in the layers return to 0;
 * - `queue slots`: a call aborted while queued leaves the queue at once;
 * - `unhandled rejection`: no promise rejection goes unhandled;
 * - `hang`: every window settles, every server finishes closing.
 */
export type Check =
  | "one outcome"
  | "outcome"
  | "server counters"
  | "layer counts"
  | "queue slots"
  | "unhandled rejection"
  | "hang";

/** The result of {@linkcode runSoak}. */
export interface SoakReport {
  /** True when no mismatch, hang or unhandled rejection was found. */
  readonly ok: boolean;
  readonly seed: number;
  readonly requests: number;
  readonly window: number;
  readonly elapsedMs: number;
  /** Calls whose outcome was seen (all of them, unless the run hung). */
  readonly settled: number;
  /** Final outcomes: `response`, `caller abort`, or an error class name. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Faults injected, by kind. */
  readonly injected: Readonly<Record<string, number>>;
  /** Calls that reached a client (`connect`), and what became of them. */
  readonly attempts: {
    readonly total: number;
    readonly abortedBeforeSend: number;
    readonly toClosedServer: number;
    readonly dispatched: number;
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
 * Runs the soak: `requests` calls with faults drawn from `seed`, checked
 * window by window.
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
  const engine = new Engine(
    requests,
    seed,
    window,
    stallMs,
    options.onProgress,
  );
  return await engine.run();
}

// ---------------------------------------------------------------------------
// The fault model

type Latency = "sync" | "microtask" | "timer" | "hang";
type ResultKind = "ok" | "throw" | "reject" | "non-error" | "overloaded";
type StackKind = "direct" | "timeout-long" | "timeout-short" | "resilient";
type AbortKind = "none" | "before" | "queued" | "running" | "race";
type DelayKind = "sync" | "microtask" | "timer";
type ReasonKind = "error" | "default" | "string" | "object";

interface Behaviour {
  readonly latency: Latency;
  readonly result: ResultKind;
  /** Microtask hops before answering (`microtask` latency). */
  readonly hops: number;
  /** Timer delay (`timer` latency). */
  readonly timerMs: number;
  /** A `timer` handler that stops and rejects when its signal aborts. */
  readonly cooperative: boolean;
  /** A non-error result is thrown (else returned as a rejected promise). */
  readonly thrown: boolean;
  /** A sync `ok` answers with a plain value, not a promise. */
  readonly raw: boolean;
  /** Which non-Error value or Error class to use. */
  readonly variant: number;
}

interface Plan {
  readonly stack: StackKind;
  readonly abort: AbortKind;
  readonly behaviours: readonly Behaviour[];
  readonly abortDelay: DelayKind;
  readonly abortHops: number;
  readonly abortMs: number;
  readonly reason: ReasonKind;
  /** Send to the previous (closed) server instead of the current one. */
  readonly previous: boolean;
}

const STACK_WEIGHTS: Record<StackKind, number> = {
  "direct": 35,
  "timeout-long": 20,
  "timeout-short": 8,
  "resilient": 37,
};
const ABORT_WEIGHTS: Record<AbortKind, number> = {
  none: 70,
  before: 4,
  queued: 8,
  running: 7,
  race: 11,
};
const LATENCY_WEIGHTS: Record<Exclude<Latency, "hang">, number> = {
  sync: 35,
  microtask: 35,
  timer: 30,
};
const RESULT_WEIGHTS: Record<ResultKind, number> = {
  ok: 60,
  throw: 10,
  reject: 10,
  "non-error": 10,
  overloaded: 10,
};
/** Retries need failures to retry: more overloads in the resilient stack. */
const RESILIENT_RESULT_WEIGHTS: Record<ResultKind, number> = {
  ok: 45,
  throw: 5,
  reject: 5,
  "non-error": 5,
  overloaded: 40,
};
const DELAY_WEIGHTS: Record<DelayKind, number> = {
  sync: 30,
  microtask: 40,
  timer: 30,
};
const REASON_KINDS: readonly ReasonKind[] = [
  "error",
  "default",
  "string",
  "object",
];
/** Server concurrency, by weight (`1` is an actor). */
const CONCURRENCY: Record<string, number> = {
  "1": 3,
  "2": 3,
  "8": 14,
  "32": 20,
  "128": 20,
  "512": 20,
  "Infinity": 20,
};
const SHED_LIMITS: readonly number[] = [4, 16, 64, 256];
const RETRY_ATTEMPTS = 3;
const LONG_TIMEOUT_MS = 120_000;

function drawBehaviour(rng: Rng, resilient: boolean, hang: boolean): Behaviour {
  const latency: Latency = hang ? "hang" : rng.weighted(LATENCY_WEIGHTS);
  const result = rng.weighted(
    resilient ? RESILIENT_RESULT_WEIGHTS : RESULT_WEIGHTS,
  );
  return {
    latency,
    result,
    hops: rng.range(1, 6),
    timerMs: rng.chance(0.8) ? 0 : 1,
    cooperative: rng.chance(0.5),
    thrown: rng.chance(0.5),
    raw: rng.chance(0.3),
    variant: rng.int(8),
  };
}

function drawPlan(rng: Rng): Plan {
  const stack = rng.weighted(STACK_WEIGHTS);
  const abort = rng.weighted(ABORT_WEIGHTS);
  const resilient = stack === "resilient";
  // A handler may hang only when something ends it: the short timeout, or
  // the caller's abort triggered from inside the handler.
  const hang = stack === "timeout-short" || abort === "running";
  const behaviours: Behaviour[] = [];
  const n = resilient ? RETRY_ATTEMPTS : 1;
  for (let i = 0; i < n; i++) {
    behaviours.push(drawBehaviour(rng, resilient, hang));
  }
  return {
    stack,
    abort,
    behaviours,
    abortDelay: rng.weighted(DELAY_WEIGHTS),
    abortHops: rng.range(0, 12),
    abortMs: rng.chance(0.7) ? 0 : 1,
    reason: rng.pick(REASON_KINDS),
    previous: rng.chance(0.02),
  };
}

/** An error class a handler throws (distinct classes, all plain Errors). */
class InjectedError extends Error {}
const ERROR_CLASSES = [Error, TypeError, RangeError, InjectedError] as const;

function injectedError(variant: number, id: number): Error {
  const Class = ERROR_CLASSES[variant % ERROR_CLASSES.length];
  return new Class(`injected failure of call ${id}`);
}

function nonErrorValue(variant: number, id: number): unknown {
  switch (variant) {
    case 0:
      return `thrown string ${id}`;
    case 1:
      return id;
    case 2:
      return undefined;
    case 3:
      return null;
    case 4:
      return { thrown: id };
    case 5:
      return Symbol(`thrown ${id}`);
    case 6:
      return BigInt(id);
    default:
      return NaN;
  }
}

function abortReasonOf(kind: ReasonKind, id: number): unknown {
  switch (kind) {
    case "error":
      return new Error(`caller of call ${id} gave up`);
    case "default":
      return undefined; // the signal makes a DOMException "AbortError"
    case "string":
      return `call ${id} cancelled`;
    default:
      return { cancelled: id };
  }
}

/** Errors the default retry policy retries. */
function retryable(error: unknown): boolean {
  return error instanceof OverloadedError || error instanceof TimeoutError;
}

// ---------------------------------------------------------------------------
// Records of what happened

/** Whatever a call, attempt or handler ended with. */
interface Settled {
  ok: boolean;
  value: unknown;
}

/** One logical call, as the test harness issued it. */
class Call {
  readonly id: number;
  readonly plan: Plan;
  readonly gen: Generation;
  /** The response a successful handler gives (identity is checked). */
  readonly response: { readonly call: number };
  controller: AbortController | undefined = undefined;
  aborted = false;
  abortTick = Infinity;
  abortReason: unknown = undefined;
  /** Whether the first attempt had been dispatched when the abort fired. */
  dispatchedAtAbort = false;
  runningAbortScheduled = false;
  /** Attempts that reached the client (`connect`). */
  readonly attempts: Attempt[] = [];
  /** Tries made by the retry layer (resilient stack only). */
  readonly tries: Try[] = [];
  outcomes = 0;
  outcomeTick = Infinity;
  ok = false;
  result: unknown = undefined;
  syncThrow = false;

  constructor(id: number, plan: Plan, gen: Generation) {
    this.id = id;
    this.plan = plan;
    this.gen = gen;
    this.response = { call: id };
  }
}

/** One try of the retry layer, seen just below it. */
interface Try {
  shed: boolean;
  preAborted: boolean;
  preReason: unknown;
  closedServer: boolean;
  attempt: Attempt | undefined;
  done: boolean;
  ok: boolean;
  outcome: unknown;
}

/** One call through a client: the request object the server receives. */
class Attempt {
  readonly call: Call;
  readonly gen: Generation;
  /** Which behaviour of the plan the handler plays. */
  readonly index: number;
  readonly callTick: number;
  readonly signal: AbortSignal | undefined;
  readonly preAborted: boolean;
  readonly preReason: unknown;
  readonly closedAtCall: boolean;
  abortedAt = Infinity;
  abortReason: unknown = undefined;
  dispatched = false;
  /** What the plan told the handler to do. */
  injected: Settled | undefined = undefined;
  /** What the handler did (differs from `injected` when it was aborted). */
  handler: Settled | undefined = undefined;
  outcomes = 0;
  outcomeTick = Infinity;
  ok = false;
  outcome: unknown = undefined;
  readonly #engine: Engine;

  constructor(
    engine: Engine,
    call: Call,
    gen: Generation,
    index: number,
    signal: AbortSignal | undefined,
  ) {
    this.#engine = engine;
    this.call = call;
    this.gen = gen;
    this.index = index;
    this.callTick = engine.tick();
    this.signal = signal;
    this.preAborted = signal?.aborted ?? false;
    this.preReason = this.preAborted ? signal!.reason : undefined;
    this.closedAtCall = gen.closeTick !== Infinity;
  }

  /** The attempt's signal aborted (EventListener interface). */
  handleEvent(): void {
    this.abortedAt = this.#engine.tick();
    this.abortReason = this.signal!.reason;
  }

  settle(ok: boolean, value: unknown): void {
    this.outcomes++;
    this.outcomeTick = this.#engine.tick();
    this.ok = ok;
    this.outcome = value;
    this.signal?.removeEventListener("abort", this);
  }
}

interface Counts {
  served: number;
  failed: number;
  cancelled: number;
  rejected: number;
}

type Bucket = keyof Counts | "none";

/** One server with its client and the stacks built on it. */
class Generation {
  readonly index: number;
  readonly server: Server;
  readonly client: Client<Attempt, unknown>;
  readonly capacity: number;
  readonly concurrency: number;
  readonly shortMs: number;
  readonly stacks: Record<StackKind, Service<Call, unknown>>;
  readonly timeoutShort: TimeoutService<Call, unknown>;
  readonly timeoutLong: TimeoutService<Call, unknown>;
  readonly timeoutOuter: TimeoutService<Call, unknown>;
  readonly limiter: ConcurrencyLimitService<Call, unknown>;
  readonly shed: LoadShedService<Call, unknown>;
  readonly retry: RetryService<Call, unknown>;
  /** Issue index at which this generation is closed or aborted. */
  readonly switchAt: number;
  closeTick = Infinity;
  abortTick = Infinity;
  /** The reason given to `abort()`; `undefined` means the default. */
  abortReason: unknown = undefined;
  /** The default abort reason, once seen. */
  defaultReason: unknown = undefined;
  closing: Promise<void> | undefined = undefined;
  stopped = false;
  /** Its counters were added to the totals. */
  counted = false;
  readonly expected: Counts = {
    served: 0,
    failed: 0,
    cancelled: 0,
    rejected: 0,
  };

  constructor(
    engine: Engine,
    index: number,
    rng: Rng,
    jitter: Rng,
    concurrency: number,
    switchAt: number,
    window: number,
  ) {
    this.index = index;
    this.switchAt = switchAt;
    // The channel has room for a whole window, so a send never waits for
    // room: every attempt that is not refused reaches the server's queue,
    // which is what lets the counters be predicted exactly.
    this.capacity = rng.chance(0.2) ? Infinity : window + rng.int(window);
    this.concurrency = concurrency;
    this.shortMs = rng.range(1, 4);
    const handler = new Handler(engine);
    if (rng.chance(0.5)) {
      const spawned = spawn(handler, {
        capacity: this.capacity,
        concurrency: this.concurrency,
      });
      this.server = spawned.server;
      this.client = spawned.client;
    } else {
      const [tx, rx] = channel<Envelope<Attempt, unknown>>(this.capacity);
      this.server = serve(rx, handler, { concurrency: this.concurrency });
      this.client = connect(tx);
    }
    const tap = new Tap(engine, this);
    this.timeoutShort = timeout<Call, unknown>(this.shortMs)(tap);
    this.timeoutLong = timeout<Call, unknown>(LONG_TIMEOUT_MS)(tap);
    this.limiter = concurrencyLimit<Call, unknown>(rng.pick(SHED_LIMITS))(tap);
    this.shed = loadShed<Call, unknown>()(this.limiter);
    this.retry = retry<Call, unknown>({
      attempts: RETRY_ATTEMPTS,
      base: rng.pick([0, 0.5, 1]),
      max: 2,
      budget: false,
      random: () => jitter.next(),
    })(new TryTap(engine, this, this.shed));
    this.timeoutOuter = timeout<Call, unknown>(LONG_TIMEOUT_MS)(this.retry);
    this.stacks = {
      "direct": tap,
      "timeout-long": this.timeoutLong,
      "timeout-short": this.timeoutShort,
      "resilient": this.timeoutOuter,
    };
  }

  /** Whether `cause` is this generation's abort reason. */
  isAbortReason(cause: unknown): boolean {
    if (this.abortReason !== undefined) {
      return Object.is(cause, this.abortReason);
    }
    if (!(cause instanceof DOMException) || cause.name !== "AbortError") {
      return false;
    }
    this.defaultReason ??= cause;
    return cause === this.defaultReason;
  }
}

/**
 * The innermost layer: records each attempt and sends it through the client.
 */
class Tap implements Service<Call, unknown> {
  readonly #engine: Engine;
  readonly #gen: Generation;

  constructor(engine: Engine, gen: Generation) {
    this.#engine = engine;
    this.#gen = gen;
  }

  call(call: Call, options?: CallOptions): Promise<unknown> {
    const gen = this.#gen;
    const signal = options?.signal;
    const index = call.plan.stack === "resilient" ? call.tries.length - 1 : 0;
    const attempt = new Attempt(
      this.#engine,
      call,
      gen,
      Math.max(0, index),
      signal,
    );
    call.attempts.push(attempt);
    if (call.plan.stack === "resilient" && call.tries.length > 0) {
      call.tries[call.tries.length - 1].attempt = attempt;
    }
    if (signal !== undefined && !attempt.preAborted) {
      signal.addEventListener("abort", attempt, { once: true });
    }
    if (
      !attempt.closedAtCall && !attempt.preAborted &&
      gen.server.queued >= gen.capacity
    ) {
      this.#engine.mismatch(
        "outcome",
        call,
        "the channel was full: a send had to wait for room (the window is larger than the capacity)",
      );
    }
    const reply = this.#gen.client.call(attempt, options);
    reply.then(
      (value) => attempt.settle(true, value),
      (error) => attempt.settle(false, error),
    );
    return reply;
  }

  ready(): boolean {
    return this.#gen.client.ready();
  }
}

/** Sits right below the retry layer: records each try and whether it was shed. */
class TryTap implements Service<Call, unknown> {
  readonly #engine: Engine;
  readonly #gen: Generation;
  readonly #inner: LoadShedService<Call, unknown>;

  constructor(
    engine: Engine,
    gen: Generation,
    inner: LoadShedService<Call, unknown>,
  ) {
    this.#engine = engine;
    this.#gen = gen;
    this.#inner = inner;
  }

  call(call: Call, options?: CallOptions): Promise<unknown> {
    const signal = options?.signal;
    const t: Try = {
      shed: false,
      preAborted: signal?.aborted ?? false,
      preReason: signal?.aborted ? signal.reason : undefined,
      closedServer: this.#gen.closeTick !== Infinity,
      attempt: undefined,
      done: false,
      ok: false,
      outcome: undefined,
    };
    call.tries.push(t);
    const before = this.#inner.shed;
    let reply: Promise<unknown>;
    try {
      reply = this.#inner.call(call, options);
    } catch (error) {
      this.#engine.mismatch(
        "outcome",
        call,
        `loadShed threw synchronously: ${show(error)}`,
      );
      reply = Promise.reject(error);
    }
    t.shed = this.#inner.shed > before;
    reply.then(
      (value) => {
        t.done = true;
        t.ok = true;
        t.outcome = value;
      },
      (error) => {
        t.done = true;
        t.outcome = error;
      },
    );
    return reply;
  }

  ready(): boolean {
    return this.#inner.ready();
  }
}

/** The service every server runs: plays each attempt's behaviour. */
class Handler implements Service<Attempt, unknown> {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  call(attempt: Attempt, options?: CallOptions): Promise<unknown> {
    return this.#engine.handle(attempt, options?.signal);
  }
}

// ---------------------------------------------------------------------------
// The engine

class Engine {
  readonly #requests: number;
  readonly #seed: number;
  readonly #window: number;
  readonly #stallMs: number;
  readonly #onProgress: ((progress: SoakProgress) => void) | undefined;
  readonly #rng: Rng;
  readonly #genRng: Rng;
  readonly #jitter: Rng;
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
  #calls: Call[] = [];
  /** Work to wait for before a window is checked: handlers, engine timers. */
  #background: Promise<unknown>[] = [];
  #touched = new Set<Generation>();
  #mismatchCount = 0;
  readonly #failedChecks: Record<Check, number> = {
    "one outcome": 0,
    "outcome": 0,
    "server counters": 0,
    "layer counts": 0,
    "queue slots": 0,
    "unhandled rejection": 0,
    "hang": 0,
  };
  readonly #mismatches: string[] = [];
  #unhandled = 0;
  #hung = 0;
  readonly #outcomes: Record<string, number> = {};
  readonly #injected: Record<string, number> = {};
  readonly #attempts = {
    total: 0,
    abortedBeforeSend: 0,
    toClosedServer: 0,
    dispatched: 0,
  };
  readonly #servers = { served: 0, failed: 0, cancelled: 0, rejected: 0 };
  readonly #layers = { shed: 0, retried: 0, timedOut: 0 };

  constructor(
    requests: number,
    seed: number,
    window: number,
    stallMs: number,
    onProgress: ((progress: SoakProgress) => void) | undefined,
  ) {
    this.#requests = requests;
    this.#seed = seed;
    this.#window = window;
    this.#stallMs = stallMs;
    this.#onProgress = onProgress;
    this.#rng = new Rng(seed);
    // Several generations even in a short run; up to 60k calls in a long one.
    this.#longLifetime = Math.min(60_000, Math.max(3_000, requests >> 3));
    this.#genRng = new Rng(seed ^ 0x9e3779b9);
    this.#jitter = new Rng(seed ^ 0x85ebca6b);
  }

  tick(): number {
    return this.#tick++;
  }

  mismatch(check: Check, call: Call | undefined, what: string): void {
    this.#mismatchCount++;
    this.#failedChecks[check]++;
    if (this.#mismatches.length < 20) {
      const where = call === undefined
        ? ""
        : `call ${call.id} (${
          describePlan(call.plan)
        }, server ${call.gen.index}): `;
      this.#mismatches.push(where + what);
    }
  }

  #count(table: Record<string, number>, key: string): void {
    table[key] = (table[key] ?? 0) + 1;
  }

  readonly #onUnhandled = (event: PromiseRejectionEvent): void => {
    event.preventDefault();
    this.#unhandled++;
    this.mismatch(
      "unhandled rejection",
      undefined,
      `unhandled rejection: ${show(event.reason)}`,
    );
  };

  async run(): Promise<SoakReport> {
    this.#start = performance.now();
    globalThis.addEventListener("unhandledrejection", this.#onUnhandled);
    try {
      this.#gen = this.#spawn();
      while (this.#issued < this.#requests) {
        const end = Math.min(this.#requests, this.#issued + this.#window);
        const completed = await this.#runWindow(end);
        this.#onProgress?.({
          done: this.#settled,
          total: this.#requests,
          elapsedMs: performance.now() - this.#start,
          generations: this.#generations,
          mismatches: this.#mismatchCount,
        });
        if (!completed) break;
      }
      if (this.#hung === 0) {
        // The last server closes gracefully; nothing may be left behind.
        const last = this.#gen;
        last.closeTick = this.tick();
        last.closing = last.server.close();
        this.#closedGracefully++;
        this.#touched.add(last);
        if (await this.#within(last.closing)) {
          last.stopped = true;
          this.#checkGenerations();
        } else {
          this.mismatch(
            "hang",
            undefined,
            `server ${last.index} never finished closing`,
          );
        }
      }
    } finally {
      globalThis.removeEventListener("unhandledrejection", this.#onUnhandled);
    }
    return this.#report();
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
      this.#window,
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
    this.#calls = calls;
    const done: Promise<void>[] = [];
    while (this.#issued < end) {
      if (this.#issued === this.#gen.switchAt) this.#switch();
      const plan = drawPlan(rng);
      const pause = rng.next();
      const gen = plan.previous && this.#previous !== undefined
        ? this.#previous
        : this.#gen;
      this.#touched.add(gen);
      const call = new Call(this.#issued++, plan, gen);
      calls.push(call);
      done.push(this.#issue(call));
      if (pause < 0.1) await Promise.resolve();
      else if (pause < 0.102) await new Promise((r) => setTimeout(r, 0));
    }
    if (!(await this.#within(Promise.all(done)))) {
      const pending = calls.filter((c) => c.outcomes === 0);
      this.#hung = pending.length;
      for (const c of pending.slice(0, 5)) {
        this.mismatch("hang", c, "never settled (hang)");
      }
      return false;
    }
    // Handlers that outlive their caller (an aborted call whose handler
    // ignores the signal) must finish before the counters are read.
    while (this.#background.length > 0) {
      const background = this.#background;
      this.#background = [];
      if (!(await this.#within(Promise.all(background)))) {
        this.mismatch(
          "hang",
          undefined,
          "a handler or timer never finished (hang)",
        );
        this.#hung = 1;
        return false;
      }
    }
    await new Promise((r) => setTimeout(r, 0));
    for (const call of calls) this.#check(call);
    this.#settled += calls.length;
    this.#calls = [];
    for (const gen of this.#touched) {
      if (gen.closing !== undefined && !gen.stopped) {
        if (!(await this.#within(gen.closing))) {
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
    this.#checkGenerations();
    return true;
  }

  /** Resolves true when `promise` settles within the stall limit. */
  async #within(promise: Promise<unknown>): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<boolean>((resolve) => {
      timer = setTimeout(resolve, this.#stallMs, false);
    });
    try {
      return await Promise.race([promise.then(() => true), stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  #issue(call: Call): Promise<void> {
    const plan = call.plan;
    let options: CallOptions | undefined;
    if (plan.abort !== "none") {
      call.controller = new AbortController();
      options = { signal: call.controller.signal };
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
      last.gen.abortTick === Infinity;
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
    call.ok = ok;
    call.result = value;
  }

  /** The server side: plays the behaviour the plan gives this attempt. */
  handle(attempt: Attempt, signal: AbortSignal | undefined): Promise<unknown> {
    const call = attempt.call;
    const plan = call.plan;
    if (attempt.dispatched) {
      this.mismatch("one outcome", call, "an attempt was dispatched twice");
    }
    attempt.dispatched = true;
    const b =
      plan.behaviours[Math.min(attempt.index, plan.behaviours.length - 1)];
    if (plan.abort === "running" && !call.runningAbortScheduled) {
      call.runningAbortScheduled = true;
      this.#later(
        plan.abortDelay,
        plan.abortHops,
        plan.abortMs,
        () => this.#abort(call),
      );
    }
    this.#count(this.#injected, `latency ${b.latency}`);
    let injected: Settled;
    switch (b.result) {
      case "ok":
        injected = { ok: true, value: call.response };
        break;
      case "throw":
      case "reject":
        injected = { ok: false, value: injectedError(b.variant, call.id) };
        break;
      case "non-error":
        injected = { ok: false, value: nonErrorValue(b.variant, call.id) };
        break;
      default:
        injected = {
          ok: false,
          value: new OverloadedError(`injected overload of call ${call.id}`),
        };
    }
    if (b.latency !== "hang") this.#count(this.#injected, `result ${b.result}`);
    attempt.injected = injected;
    const record = (settled: Settled): void => {
      if (attempt.handler !== undefined) {
        this.mismatch("one outcome", call, "a handler finished twice");
      }
      attempt.handler = settled;
    };
    switch (b.latency) {
      case "sync": {
        record(injected);
        if (injected.ok) {
          return (b.raw
            ? injected.value
            : Promise.resolve(injected.value)) as Promise<unknown>;
        }
        if (b.result === "throw" || (b.result !== "reject" && b.thrown)) {
          throw injected.value;
        }
        return Promise.reject(injected.value);
      }
      case "microtask": {
        let p = Promise.resolve();
        for (let i = 0; i < b.hops; i++) p = p.then();
        const result = p.then(() => {
          record(injected);
          if (injected.ok) return injected.value;
          throw injected.value;
        });
        this.#background.push(result.catch(() => {}));
        return result;
      }
      case "timer": {
        const result = new Promise<unknown>((resolve, reject) => {
          const onAbort = () => {
            clearTimeout(timer);
            record({ ok: false, value: signal!.reason });
            reject(signal!.reason);
          };
          const timer = setTimeout(() => {
            if (b.cooperative) signal?.removeEventListener("abort", onAbort);
            record(injected);
            if (injected.ok) resolve(injected.value);
            else reject(injected.value);
          }, b.timerMs);
          if (b.cooperative && signal !== undefined) {
            if (signal.aborted) onAbort();
            else signal.addEventListener("abort", onAbort, { once: true });
          }
        });
        this.#background.push(result.catch(() => {}));
        return result;
      }
      default: {
        // Hangs until its signal aborts, then rejects with the reason.
        if (signal === undefined) {
          this.mismatch("outcome", call, "the handler got no signal");
          record({ ok: false, value: undefined });
          return Promise.reject(new Error("no signal"));
        }
        const result = new Promise<unknown>((_, reject) => {
          const onAbort = () => {
            record({ ok: false, value: signal.reason });
            reject(signal.reason);
          };
          if (signal.aborted) onAbort();
          else signal.addEventListener("abort", onAbort, { once: true });
        });
        this.#background.push(result.catch(() => {}));
        return result;
      }
    }
  }

  // -------------------------------------------------------------------------
  // Checks

  #check(call: Call): void {
    const problem = this.#problem(call);
    if (problem !== undefined) {
      const check = call.outcomes === 1 ? "outcome" : "one outcome";
      this.mismatch(check, call, problem);
    }
    this.#count(this.#outcomes, outcomeClass(call));
    const plan = call.plan;
    this.#count(this.#injected, `stack ${plan.stack}`);
    if (plan.abort !== "none") {
      this.#count(this.#injected, `abort ${plan.abort}`);
    }
    if (plan.previous) this.#count(this.#injected, "call to a closed server");
    if (call.tries.length > 1) this.#layers.retried += call.tries.length - 1;
    for (const t of call.tries) if (t.shed) this.#layers.shed++;
    if (!call.ok && call.result instanceof TimeoutError) {
      this.#layers.timedOut++;
    }
  }

  /** Checks one call; returns a description of the first problem. */
  #problem(call: Call): string | undefined {
    if (call.outcomes !== 1) {
      return `${call.outcomes} outcomes, expected exactly one`;
    }
    if (call.syncThrow) {
      return `the stack threw synchronously: ${show(call.result)}`;
    }
    for (const attempt of call.attempts) {
      const problem = this.#attemptProblem(attempt);
      if (problem !== undefined) return problem;
    }
    const plan = call.plan;
    const byCaller = call.aborted && !call.ok &&
      Object.is(call.result, call.abortReason) &&
      call.abortTick < call.outcomeTick;
    const problem = plan.stack === "resilient"
      ? this.#retryProblem(call, byCaller)
      : this.#singleProblem(call, byCaller);
    if (problem !== undefined) return problem;
    if (
      !call.ok && call.result instanceof TimeoutError &&
      plan.stack !== "timeout-short"
    ) {
      return `a ${LONG_TIMEOUT_MS} ms timeout fired: ${show(call.result)}`;
    }

    // What the injected fault implies, unless a server close or abort got in
    // the way (those outcomes were checked attempt by attempt above).
    const disturbed = plan.previous || call.tries.some((t) => t.closedServer) ||
      call.attempts.some((a) =>
        a.closedAtCall || a.gen.abortTick < a.outcomeTick
      );
    if (disturbed) return undefined;
    const dispatched = call.attempts.some((a) => a.dispatched);
    switch (plan.abort) {
      case "before":
        if (!byCaller) {
          return `aborted before sending, got ${showOutcome(call)}`;
        }
        if (dispatched) return "aborted before sending, yet a handler ran";
        return undefined;
      case "queued":
        if (!byCaller) return `aborted while queued, got ${showOutcome(call)}`;
        if (!call.dispatchedAtAbort && dispatched) {
          return "aborted while queued, yet the handler ran afterwards";
        }
        return undefined;
      case "running": {
        // The short timeout may beat the abort the handler scheduled.
        const timedOut = plan.stack === "timeout-short" && !call.ok &&
          call.result instanceof TimeoutError;
        if (dispatched && !byCaller && !timedOut) {
          return `aborted while running, got ${showOutcome(call)}`;
        }
        return undefined;
      }
      case "race":
        return undefined;
    }
    if (plan.stack === "timeout-short") {
      if (
        call.ok || !(call.result instanceof TimeoutError) ||
        call.result.timeoutMs !== call.gen.shortMs
      ) {
        return `a hanging handler under timeout(${call.gen.shortMs}) gave ${
          showOutcome(call)
        }`;
      }
    }
    return undefined;
  }

  /** Stacks without retry: one attempt, whose outcome passes through. */
  #singleProblem(call: Call, byCaller: boolean): string | undefined {
    if (call.attempts.length === 0) {
      return call.plan.abort === "before" && byCaller
        ? undefined
        : `no attempt reached the client, outcome ${showOutcome(call)}`;
    }
    if (call.attempts.length > 1) {
      return `${call.attempts.length} attempts without a retry layer`;
    }
    const a = call.attempts[0];
    // A timeout layer answers the caller's abort at once, even when the
    // client's reply is already on its way (queued as a microtask).
    const layered = call.plan.stack !== "direct";
    if (
      (a.ok !== call.ok || !Object.is(a.outcome, call.result)) &&
      !(layered && byCaller)
    ) {
      return `the layers changed the outcome: client gave ${
        show(a.outcome)
      }, caller got ${showOutcome(call)}`;
    }
    return undefined;
  }

  /** The resilient stack: tries, shedding and the retry rules. */
  #retryProblem(call: Call, byCaller: boolean): string | undefined {
    const tries = call.tries;
    if (tries.length === 0) {
      return call.plan.abort === "before" && byCaller
        ? undefined
        : `the retry layer made no try, outcome ${showOutcome(call)}`;
    }
    if (tries.length > RETRY_ATTEMPTS) {
      return `${tries.length} tries, the limit is ${RETRY_ATTEMPTS}`;
    }
    for (const [i, t] of tries.entries()) {
      if (!t.done) return `try ${i} never settled`;
      if (t.shed) {
        if (
          t.ok || !(t.outcome instanceof OverloadedError) ||
          t.attempt !== undefined
        ) {
          return `try ${i} was shed but gave ${show(t.outcome)}`;
        }
      } else if (t.preAborted) {
        if (t.ok || !Object.is(t.outcome, t.preReason)) {
          return `try ${i} began aborted but gave ${show(t.outcome)}`;
        }
      } else if (t.attempt === undefined) {
        return `try ${i} was neither shed nor sent`;
      } else if (
        t.attempt.ok !== t.ok || !Object.is(t.attempt.outcome, t.outcome)
      ) {
        return `try ${i}: loadShed/concurrencyLimit changed the outcome ${
          show(t.attempt.outcome)
        } into ${show(t.outcome)}`;
      }
      if (i < tries.length - 1) {
        if (t.ok) return `try ${i} succeeded, yet the call was retried`;
        if (!retryable(t.outcome)) {
          return `try ${i} failed with ${
            show(t.outcome)
          }, not retryable, yet it was retried`;
        }
        if (call.aborted && Object.is(t.outcome, call.abortReason)) {
          return `the caller's abort was retried`;
        }
      }
    }
    const last = tries[tries.length - 1];
    if (byCaller) return undefined;
    if (last.ok !== call.ok || !Object.is(last.outcome, call.result)) {
      return `the last try gave ${show(last.outcome)}, the caller got ${
        showOutcome(call)
      }`;
    }
    if (
      !last.ok && retryable(last.outcome) && tries.length < RETRY_ATTEMPTS &&
      !(call.aborted && call.abortTick < call.outcomeTick)
    ) {
      return `gave up after ${tries.length} tries on a retryable ${
        show(last.outcome)
      }`;
    }
    return undefined;
  }

  /** Checks one attempt and books it to a server counter. */
  #attemptProblem(a: Attempt): string | undefined {
    const gen = a.gen;
    this.#attempts.total++;
    if (a.outcomes !== 1) return `an attempt had ${a.outcomes} outcomes`;
    let bucket: Bucket;
    let problem: string | undefined;
    if (a.preAborted) {
      this.#attempts.abortedBeforeSend++;
      bucket = "none";
      if (a.dispatched) {
        problem = "an attempt sent with an aborted signal was handled";
      } else if (a.ok || !Object.is(a.outcome, a.preReason)) {
        problem = `an attempt sent with an aborted signal gave ${
          show(a.outcome)
        }`;
      }
    } else if (a.closedAtCall) {
      this.#attempts.toClosedServer++;
      bucket = "none";
      const cause = gen.abortTick === Infinity ? undefined : gen.abortReason;
      if (a.dispatched) problem = "a call to a closed server was handled";
      else if (
        a.ok || !(a.outcome instanceof ChannelClosedError) ||
        a.outcome.value !== a ||
        !(gen.abortTick === Infinity
          ? a.outcome.cause === cause
          : gen.isAbortReason(a.outcome.cause))
      ) {
        problem = `a call to a closed server gave ${
          show(a.outcome)
        }, expected ChannelClosedError`;
      }
    } else if (a.dispatched) {
      this.#attempts.dispatched++;
      const h = a.handler;
      if (h === undefined) return "a handler never finished";
      bucket = h.ok ? "served" : "failed";
      const clean = a.abortedAt === Infinity && gen.abortTick > a.outcomeTick;
      const byAbort = a.abortedAt < a.outcomeTick && !a.ok &&
        Object.is(a.outcome, a.abortReason);
      if (
        clean &&
        (h.ok !== a.injected!.ok || !Object.is(h.value, a.injected!.value))
      ) {
        problem = "the handler did not do what was injected (engine bug)";
      } else if (!byAbort && !matchesHandler(h, a.ok, a.outcome)) {
        problem = `the handler gave ${h.ok ? "" : "error "}${
          show(h.value)
        }, the client got ${a.ok ? "" : "error "}${show(a.outcome)}`;
      }
    } else if (
      a.abortedAt < gen.abortTick && !a.ok &&
      Object.is(a.outcome, a.abortReason) && a.abortedAt < a.outcomeTick
    ) {
      bucket = "cancelled";
    } else if (
      gen.abortTick < a.outcomeTick && a.callTick < gen.abortTick && !a.ok &&
      a.outcome instanceof ChannelClosedError && a.outcome.value === a &&
      gen.isAbortReason(a.outcome.cause)
    ) {
      bucket = "rejected";
    } else {
      bucket = "none";
      problem = `an attempt that was never handled gave ${
        a.ok ? "" : "error "
      }${show(a.outcome)}`;
    }
    if (bucket !== "none") gen.expected[bucket]++;
    return problem;
  }

  #checkGenerations(): void {
    for (const gen of this.#touched) {
      const s = gen.server;
      const got: Counts = {
        served: s.served,
        failed: s.failed,
        cancelled: s.cancelled,
        rejected: s.rejected,
      };
      const want = gen.expected;
      if (
        got.served !== want.served || got.failed !== want.failed ||
        got.cancelled !== want.cancelled || got.rejected !== want.rejected
      ) {
        this.mismatch(
          "server counters",
          undefined,
          `server ${gen.index} counters ${JSON.stringify(got)}, expected ${
            JSON.stringify(want)
          }`,
        );
      }
      if (s.queued !== 0 || s.inFlight !== 0) {
        this.mismatch(
          "server counters",
          undefined,
          `server ${gen.index} idle with queued=${s.queued} inFlight=${s.inFlight}`,
        );
      }
      const layers = {
        "timeout(short).active": gen.timeoutShort.active,
        "timeout(long).active": gen.timeoutLong.active,
        "timeout(outer).active": gen.timeoutOuter.active,
        "concurrencyLimit.inFlight": gen.limiter.inFlight,
        "concurrencyLimit.waiting": gen.limiter.waiting,
        "retry.retrying": gen.retry.retrying,
      };
      for (const [name, value] of Object.entries(layers)) {
        if (value !== 0) {
          this.mismatch(
            "layer counts",
            undefined,
            `server ${gen.index}: ${name} is ${value} with nothing in flight`,
          );
        }
      }
      if (gen.stopped && !gen.counted) {
        gen.counted = true;
        this.#servers.served += s.served;
        this.#servers.failed += s.failed;
        this.#servers.cancelled += s.cancelled;
        this.#servers.rejected += s.rejected;
      }
    }
    // Only the current server and the closed one before it receive calls.
    this.#touched = new Set([this.#gen]);
  }

  #report(): SoakReport {
    const expected = this.#attempts.total - this.#attempts.abortedBeforeSend -
      this.#attempts.toClosedServer;
    const counted = this.#servers.served + this.#servers.failed +
      this.#servers.cancelled + this.#servers.rejected;
    if (this.#hung === 0 && counted !== expected) {
      this.mismatch(
        "server counters",
        undefined,
        `server counters add up to ${counted}, but ${expected} attempts reached a server`,
      );
    }
    if (this.#hung === 0 && this.#settled !== this.#requests) {
      this.mismatch(
        "one outcome",
        undefined,
        `${this.#settled} calls checked, ${this.#requests} made`,
      );
    }
    return {
      ok: this.#mismatchCount === 0 && this.#unhandled === 0 &&
        this.#hung === 0,
      seed: this.#seed,
      requests: this.#requests,
      window: this.#window,
      elapsedMs: performance.now() - this.#start,
      settled: this.#settled,
      outcomes: sorted(this.#outcomes),
      injected: sorted(this.#injected),
      attempts: { ...this.#attempts },
      servers: {
        generations: this.#generations,
        closedGracefully: this.#closedGracefully,
        aborted: this.#aborted,
        ...this.#servers,
      },
      layers: { ...this.#layers },
      mismatchCount: this.#mismatchCount,
      failedChecks: { ...this.#failedChecks },
      mismatches: [...this.#mismatches],
      unhandledRejections: this.#unhandled,
      hung: this.#hung,
    };
  }
}

// ---------------------------------------------------------------------------
// Helpers

function matchesHandler(h: Settled, ok: boolean, outcome: unknown): boolean {
  if (h.ok) return ok && Object.is(outcome, h.value);
  if (ok) return false;
  if (h.value instanceof Error) return outcome === h.value;
  return outcome instanceof HandlerError && Object.is(outcome.cause, h.value);
}

function outcomeClass(call: Call): string {
  if (call.ok) return "response";
  if (call.aborted && Object.is(call.result, call.abortReason)) {
    return "caller abort";
  }
  const r = call.result;
  if (typeof r === "object" && r !== null) {
    return r.constructor?.name ?? "object";
  }
  return typeof r;
}

function sorted(table: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(table).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
  );
}

function describePlan(plan: Plan): string {
  const b = plan.behaviours.map((x) => `${x.latency}/${x.result}`).join(",");
  return `stack=${plan.stack} abort=${plan.abort}${
    plan.abort === "none" ? "" : `@${plan.abortDelay}`
  } handler=${b}${plan.previous ? " to-closed-server" : ""}`;
}

function showOutcome(call: Call): string {
  return call.ok
    ? `response ${show(call.result)}`
    : `error ${show(call.result)}`;
}

function show(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "symbol" || typeof value === "bigint") {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
