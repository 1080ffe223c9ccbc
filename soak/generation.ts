/**
 * One soak server generation: a server (`serve` or `spawn`) running the
 * fault-injecting {@linkcode Handler}, its client, and the layer stacks the
 * calls go through — with probes ({@linkcode Tap}, {@linkcode TryTap}) that
 * record each attempt and each retry try for the oracle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Generation } from "./generation.ts";
 * import { Rng } from "./rng.ts";
 *
 * const host = {
 *   tick: () => 0,
 *   mismatch: () => {},
 *   injected: () => {},
 *   background: () => {},
 *   abortWhileRunning: () => {},
 * };
 * const gen = new Generation(host, 1, new Rng(1), new Rng(2), 8, 100, 64);
 * assert.equal(gen.concurrency, 8);
 * await gen.server.close();
 * ```
 *
 * @module
 */

import {
  type CallOptions,
  channel,
  type Client,
  connect,
  type Envelope,
  serve,
  type Server,
  type Service,
  spawn,
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
import { type FaultHost, Handler } from "./faults.ts";
import {
  LONG_TIMEOUT_MS,
  RETRY_ATTEMPTS,
  SHED_LIMITS,
  type StackKind,
} from "./plan.ts";
import {
  Attempt,
  type Call,
  type Counts,
  type Recorder,
  type Try,
} from "./record.ts";
import type { Rng } from "./rng.ts";

/** One server with its client and the stacks built on it. */
export class Generation {
  readonly index: number;
  readonly server: Server;
  readonly client: Client<Attempt, unknown>;
  /** The server relayed requests go to (the second hop), and its client. */
  readonly downstream: {
    readonly server: Server;
    readonly client: Client<Attempt, unknown>;
  };
  /** The client rejects a call at its deadline (the server enforces it). */
  readonly enforcesDeadline: boolean;
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
  /** What the oracle expects the server's counters to be. */
  readonly expected: Counts = {
    served: 0,
    failed: 0,
    cancelled: 0,
    rejected: 0,
  };
  /**
   * Attempts that ended at their deadline on a server that does not say it
   * enforces deadlines: it may book them to any counter, or none.
   */
  unbooked = 0;

  constructor(
    host: FaultHost,
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
    this.downstream = spawn(new Handler(host), {
      capacity: Infinity,
      concurrency: Infinity,
    });
    const handler = new Handler(host, this.downstream.client);
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
    this.enforcesDeadline =
      (this.client as Service<Attempt, unknown>).enforcesDeadline === true;
    const tap = new Tap(host, this);
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
    })(new TryTap(host, this, this.shed));
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
export class Tap implements Service<Call, unknown> {
  readonly #recorder: Recorder;
  readonly #gen: Generation;

  constructor(recorder: Recorder, gen: Generation) {
    this.#recorder = recorder;
    this.#gen = gen;
  }

  call(call: Call, options?: CallOptions): Promise<unknown> {
    const gen = this.#gen;
    const signal = options?.signal;
    const index = call.plan.stack === "resilient" ? call.tries.length - 1 : 0;
    const attempt = new Attempt(
      this.#recorder,
      call,
      gen,
      Math.max(0, index),
      signal,
      options?.deadline,
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
      this.#recorder.mismatch(
        "outcome",
        call,
        "the channel was full: a send had to wait for room (the window is larger than the capacity)",
      );
    }
    const reply = gen.client.call(attempt, options);
    reply.then(
      (value) => attempt.settle(true, value),
      (error) => attempt.settle(false, error),
    );
    return reply;
  }

  ready(): boolean {
    return this.#gen.client.ready();
  }

  /** A transparent probe: the client's server enforces deadlines. */
  get enforcesDeadline(): boolean {
    return this.#gen.enforcesDeadline;
  }
}

/** Sits right below the retry layer: records each try and whether it was shed. */
export class TryTap implements Service<Call, unknown> {
  readonly #recorder: Recorder;
  readonly #gen: Generation;
  readonly #inner: LoadShedService<Call, unknown>;

  constructor(
    recorder: Recorder,
    gen: Generation,
    inner: LoadShedService<Call, unknown>,
  ) {
    this.#recorder = recorder;
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
      this.#recorder.mismatch(
        "outcome",
        call,
        `loadShed threw synchronously: ${String(error)}`,
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
