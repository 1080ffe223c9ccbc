/**
 * The {@linkcode hedge} layer: a second copy of a slow call, first answer
 * wins.
 *
 * @module
 */

import { InvalidOptionError, rejectUnknownKeys } from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";
import { offAbort, onAbort, refuseSignal } from "../_abort.ts";
import { TimerQueue } from "../_timers.ts";
import { deadlineOf, withSignal } from "./_call_options.ts";
import {
  callInner,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import { SettleOnce } from "./_settle_once.ts";
import {
  MAX_TIMER_MS,
  noMoreArguments,
  optionsObject,
  positiveInteger,
  timerDelay,
} from "./_validate.ts";

/**
 * Hedge after a latency percentile, learnt from recent calls.
 *
 * @example Hedge calls slower than the p95 of the last 500 answers
 * ```ts
 * import type { HedgePercentile } from "@norpc/norpc/layers";
 *
 * const after: HedgePercentile = { percentile: 0.95, window: 500, minSamples: 50 };
 * ```
 */
export interface HedgePercentile {
  /**
   * The percentile as a fraction in `(0, 1]`, e.g. `0.95` for p95: a call
   * still pending after that latency is hedged.
   */
  percentile: number;
  /**
   * How many recent answers the percentile is computed over: a positive
   * integer. Defaults to `1000`.
   */
  window?: number;
  /**
   * Answers needed before hedging starts (with fewer, nothing is hedged):
   * a positive integer, at most `window`. Defaults to `20`.
   */
  minSamples?: number;
}

/**
 * Options of {@linkcode hedge}.
 *
 * @example
 * ```ts
 * import type { HedgeOptions } from "@norpc/norpc/layers";
 *
 * const fixed: HedgeOptions = { after: 50 }; // hedge after 50 ms
 * const adaptive: HedgeOptions = { after: { percentile: 0.9 } };
 * ```
 */
export interface HedgeOptions {
  /**
   * When to send the second copy: a fixed delay in milliseconds (a number
   * >= 0, at most 2147483647: the timer limit), or a latency percentile of
   * recent answers.
   */
  after: number | HedgePercentile;
}

/**
 * Sends a second copy of a call that has not answered after a delay, and
 * takes whichever copy settles first (as Tower's `Hedge`); the other copy's
 * signal is aborted (with an `AbortError` `DOMException`) and its outcome
 * ignored. At most one extra copy is sent per call, and only while the inner
 * service is `ready()`: a hedge that would just queue behind the first copy
 * is not sent. The caller's abort rejects at once with `signal.reason` and
 * aborts both copies. The pending hedges of one service share a single timer,
 * cleared once no call is waiting to be hedged.
 *
 * The delay is fixed (`after: 50`) or a percentile of recent latencies
 * (`after: { percentile: 0.95 }`): the latency of every successful answer
 * (measured from when its copy was sent, with the monotonic clock) goes into
 * a ring of the last `window` samples; the percentile is recomputed from it
 * every `window / 10` new samples (a sort, amortized), and hedging starts
 * once `minSamples` answers have been seen. Hedging at p95 costs about 5%
 * extra load and cuts the tail above p95.
 *
 * Hedges respect the call's `options.deadline` (which both copies carry):
 * a second copy is sent only if at least the hedging delay remains before
 * the deadline when it would be sent, the delay being the layer's own
 * estimate of how long an answer takes; a copy that cannot answer in time
 * would only add load. The layer enforces deadlines when the service below
 * does.
 *
 * Only hedge idempotent requests: both copies may run to completion.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param options `after`: the fixed delay or the percentile.
 * @returns A layer producing a {@linkcode HedgeService}.
 * @throws {InvalidOptionError} When an option is out of range.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { hedge } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * let calls = 0;
 * const replica = serviceFn((q: string, { signal }) => {
 *   if (calls++ === 0) {
 *     // the first copy hangs until it is aborted
 *     return new Promise<string>((_, reject) =>
 *       signal?.addEventListener("abort", () => reject(signal.reason), { once: true })
 *     );
 *   }
 *   return `answer to ${q}`;
 * });
 * const svc = hedge<string, string>({ after: 5 })(replica);
 * assert.equal(await svc.call("q"), "answer to q");
 * assert.equal(svc.hedged, 1);
 * ```
 */
export function hedge<Req, Res>(
  options: HedgeOptions,
): Layer<Service<Req, Res>, HedgeService<Req, Res>> {
  noMoreArguments("hedge", arguments, 1);
  validate(options);
  return (inner) => new HedgeService(inner, options);
}

interface Config {
  fixed: number | undefined;
  percentile: number;
  window: number;
  minSamples: number;
}

function validate(options: HedgeOptions): Config {
  optionsObject("hedge options", options);
  rejectUnknownKeys("hedge()", options, ["after"]);
  const after = options.after;
  if (typeof after === "number") {
    // Capped at the timer limit: a longer setTimeout fires after 1 ms.
    timerDelay("hedge.after", after, true);
    return { fixed: after, percentile: 1, window: 1, minSamples: 1 };
  }
  // An array is an object too, but not a { percentile }: name `after` itself
  // rather than a missing `after.percentile`.
  if (typeof after !== "object" || after === null || Array.isArray(after)) {
    throw new InvalidOptionError(
      "hedge.after",
      after,
      `a delay in ms (a number >= 0, at most ${MAX_TIMER_MS}) or { percentile }`,
    );
  }
  rejectUnknownKeys("hedge() after", after, [
    "percentile",
    "window",
    "minSamples",
  ]);
  const { percentile, window = 1000, minSamples = 20 } = after;
  if (
    typeof percentile !== "number" || !(percentile > 0 && percentile <= 1)
  ) {
    throw new InvalidOptionError(
      "hedge.after.percentile",
      percentile,
      "a fraction in (0, 1], e.g. 0.95 for p95",
    );
  }
  positiveInteger("hedge.after.window", window);
  positiveInteger("hedge.after.minSamples", minSamples);
  if (minSamples > window) {
    throw new InvalidOptionError(
      "hedge.after.minSamples",
      minSamples,
      `at most hedge.after.window (${window})`,
    );
  }
  return { fixed: undefined, percentile, window, minSamples };
}

/**
 * The service {@linkcode hedge} produces. Read-only `hedged` (copies sent),
 * `active` (calls in progress) and `delay`
 * (the current hedging delay, `undefined` while learning) let tests and
 * metrics follow it.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { hedge } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = hedge<number, number>({ after: { percentile: 0.95 } })(
 *   serviceFn((n: number) => n),
 * );
 * await svc.call(1);
 * assert.equal(svc.delay, undefined); // still learning
 * assert.equal(svc.samples, 1);
 * ```
 */
export class HedgeService<Req, Res> implements Service<Req, Res> {
  /** Whether the service below rejects calls at their deadline. */
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Res>;
  readonly #stats: Stats;
  readonly #timers = new TimerQueue();

  /**
   * Prefer the {@linkcode hedge} layer factory.
   *
   * @param inner The service to hedge.
   * @param options `after`: the fixed delay or the percentile.
   */
  constructor(inner: Service<Req, Res>, options: HedgeOptions) {
    checkInner(inner, "hedge()");
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
    this.#stats = new Stats(validate(options));
  }

  /** Second copies sent so far. */
  get hedged(): number {
    return this.#stats.hedged;
  }

  /** Calls in progress. */
  get active(): number {
    return this.#stats.active;
  }

  /** Latency samples held (at most `window`; 0 with a fixed delay). */
  get samples(): number {
    return this.#stats.count;
  }

  /** The current hedging delay in ms, or `undefined` while still learning. */
  get delay(): number | undefined {
    return this.#stats.delay;
  }

  /**
   * Calls the inner service, and again after the delay if still pending.
   *
   * @param req The request; the second copy gets the same object.
   * @param options The call's options; aborting `signal` aborts both copies.
   * @returns The first answer.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    const outer = options?.signal;
    const refused = refuseSignal(outer);
    if (refused !== undefined) return refused;
    this.#stats.active++;
    return new HedgedCall<Req, Res>(
      this.#stats,
      this.#timers,
      this.#inner,
      req,
      options,
    ).promise;
  }

  /** The inner service's readiness. */
  ready(): boolean {
    return innerReady(this.#inner);
  }
}

/** Counters and the latency ring of one hedged service. */
class Stats {
  hedged = 0;
  active = 0;
  count = 0;
  readonly #fixed: number | undefined;
  readonly #percentile: number;
  readonly #minSamples: number;
  readonly #recomputeEvery: number;
  readonly #ring: Float64Array;
  #next = 0;
  #sinceRecompute = 0;
  #threshold: number | undefined = undefined;

  constructor(config: Config) {
    this.#fixed = config.fixed;
    this.#percentile = config.percentile;
    this.#minSamples = config.minSamples;
    this.#recomputeEvery = Math.max(1, Math.floor(config.window / 10));
    this.#ring = new Float64Array(
      config.fixed === undefined ? config.window : 0,
    );
  }

  get delay(): number | undefined {
    return this.#fixed ?? this.#threshold;
  }

  /** A call settled; `latency` is set for a successful answer. */
  settled(latency: number | undefined): void {
    this.active--;
    if (latency === undefined || this.#fixed !== undefined) return;
    const ring = this.#ring;
    ring[this.#next] = latency;
    this.#next = (this.#next + 1) % ring.length;
    if (this.count < ring.length) this.count++;
    if (this.count < this.#minSamples) return;
    if (
      ++this.#sinceRecompute >= this.#recomputeEvery ||
      this.#threshold === undefined
    ) {
      this.#sinceRecompute = 0;
      const sorted = ring.slice(0, this.count).sort();
      const rank = Math.ceil(this.#percentile * this.count) - 1;
      this.#threshold = sorted[Math.min(this.count - 1, Math.max(0, rank))];
    }
  }
}

/** One hedged call: up to two copies, a timer and the caller's listener. */
class HedgedCall<Req, Res> extends SettleOnce<Res> {
  readonly #stats: Stats;
  readonly #timers: TimerQueue;
  readonly #inner: Service<Req, Res>;
  readonly #req: Req;
  readonly #options: CallOptions | undefined;
  readonly #first = new AbortController();
  #second: AbortController | undefined = undefined;
  readonly #firstStart = performance.now();
  #secondStart = 0;
  /** The winning copy's latency, for the stats; undefined for a failure. */
  #latency: number | undefined = undefined;

  constructor(
    stats: Stats,
    timers: TimerQueue,
    inner: Service<Req, Res>,
    req: Req,
    options: CallOptions | undefined,
  ) {
    super();
    this.#stats = stats;
    this.#timers = timers;
    this.#inner = inner;
    this.#req = req;
    this.#options = options;
    if (options?.signal != null) onAbort(options.signal, this);
    const delay = stats.delay;
    // A copy sent at `now + delay` needs `delay` more to answer: hedge only
    // if that fits before the deadline.
    if (delay !== undefined && Date.now() + 2 * delay <= deadlineOf(options)) {
      timers.add(this, this.#firstStart, delay);
    }
    callInner(inner, req, withSignal(options, this.#first.signal)).then(
      (value) => this.#settle(1, true, value),
      (error) => this.#settle(1, false, error),
    );
  }

  /** The delay passed without an answer: send the second copy. */
  override expire(): void {
    if (this.settled || !innerReady(this.#inner)) return;
    this.#stats.hedged++;
    this.#second = new AbortController();
    this.#secondStart = performance.now();
    callInner(
      this.#inner,
      this.#req,
      withSignal(this.#options, this.#second.signal),
    ).then(
      (value) => this.#settle(2, true, value),
      (error) => this.#settle(2, false, error),
    );
  }

  /** The caller aborted. */
  handleEvent(): void {
    const reason = this.#options!.signal!.reason;
    if (!this.rejectOnce(reason)) return;
    this.#first.abort(reason);
    this.#second?.abort(reason);
  }

  protected release(): void {
    this.#timers.remove(this);
    if (this.#options?.signal != null) offAbort(this.#options.signal, this);
    this.#stats.settled(this.#latency);
  }

  #settle(copy: 1 | 2, ok: boolean, value: unknown): void {
    if (this.settled) return;
    if (ok) {
      this.#latency = performance.now() -
        (copy === 1 ? this.#firstStart : this.#secondStart);
      this.resolveOnce(value as Res);
    } else {
      this.rejectOnce(value);
    }
    const loser = copy === 1 ? this.#second : this.#first;
    loser?.abort(
      new DOMException("hedge: the other copy answered first", "AbortError"),
    );
  }
}
