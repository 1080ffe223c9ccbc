// Cancellation storm (issue 8, item 5): 100,000 calls through
// timeout → concurrencyLimit → a spawned server, each aborted at a seeded
// random point — before the call, right after it (waiting for a permit),
// while its envelope waits in the channel (queued, or waiting for room),
// while the handler runs (on a timer or on its signal), at a random moment of
// the timeout's timer — or not aborted at all, so that it completes, fails
// or times out. Everything runs on fake time, driven one timer at a time.
//
// Afterwards every call must have settled exactly once with the outcome its
// history dictates, and everything the stack holds must be back to zero: the
// timeout's pending deadlines, the limiter's permits and waiters, the
// server's queue and in-flight count (with served + failed + cancelled adding
// up to the calls that reached the server), the fake clock's timers, and the
// abort listeners on the signals the calls used.
//
// How a call's state is known when it is aborted, without reading
// internals: a probe between the limiter and the client marks a call as
// "entered" once it holds a permit; the handler marks it "started". A call
// neither entered nor settled waits for a permit. Entered-but-not-started
// calls sit in the channel in the order they entered (the ring is FIFO,
// waiting senders are admitted FIFO and only when the ring has room), so the
// first `server.queued` of them are in the ring and the rest wait for room.
// A probe between the timeout and the limiter listens, first, on the signal
// the timeout layer hands down, so it sees every abort the stack acts on —
// the caller's and the timeout's — before any layer reacts to it.

import assert from "node:assert/strict";
import {
  type CallOptions,
  channel,
  connect,
  type Envelope,
  serve,
  type Server,
  type Service,
  ServiceBuilder,
  serviceFn,
  TimeoutError,
} from "../mod.ts";
import {
  concurrencyLimit,
  type ConcurrencyLimitService,
  timeout,
  type TimeoutService,
} from "../layers/mod.ts";
import { Rng } from "../soak/rng.ts";
import { abortListeners } from "../_abort.ts";
import { channelCore } from "../channel.ts";
import { type Clock, listenerCount, withClock } from "./layers/_helpers.ts";
import { flushMicrotasks } from "./_helpers.ts";

const SEED = 0x5eed_2024;
const CALLS = 100_000;
/** Calls started per wave; the next wave starts once this one is drained. */
const WAVE = 1_000;
/** Most calls go through the stack with this timeout… */
const TIMEOUT_MS = 40;
/** …the others through a second one, sharing the limiter (see Storm). */
const SHORT_TIMEOUT_MS = 25;
const LIMIT = 48;
const CONCURRENCY = 16;
const CAPACITY = 16;
/** A wave's calls start within this many ms of its beginning. */
const START_SPREAD = 30;
const BURSTS = [0, 10, 20];
/** Signals shared by the "group" calls of a wave, each aborted once. */
const GROUPS = 4;

type Req = { readonly method: "storm"; readonly id: number };

/** Where, if anywhere, the caller aborts the call. */
type Plan =
  | "before" // signal already aborted when call() is made
  | "afterCall" // synchronously after call() returns
  | "onEnter" // when the call gets past the limiter into the client
  | "onStart" // when the handler starts
  | "atTime" // at a random moment while the timeout's timer runs
  | "group" // with the other calls sharing its signal, all at once
  | "none"; // never: the call completes, fails or times out

/** What the handler does with the call. */
type Behaviour =
  | "sync" // returns the answer synchronously
  | "throw" // throws synchronously
  | "timer" // answers after a timer, stops (rejects) on abort
  | "fail" // rejects after a timer, stops on abort
  | "signal" // waits only for its signal to abort
  | "stubborn"; // answers after a timer and ignores its signal

/** A call's position in the stack at the moment something aborts it. */
type Where =
  | "limiter"
  | "starting"
  | "ring"
  | "sendWait"
  | "handler-timer"
  | "handler-signal"
  | "handler-body"
  | "reply"
  | "settled";

const PLANS: Record<Plan, number> = {
  before: 8,
  afterCall: 14,
  onEnter: 18,
  onStart: 18,
  atTime: 22,
  group: 10,
  none: 20,
};

const BEHAVIOURS: Record<Behaviour, number> = {
  sync: 10,
  throw: 4,
  timer: 44,
  fail: 8,
  signal: 16,
  stubborn: 18,
};

/** The caller's abort reason: a unique object, so identity can be checked. */
class Cancelled extends Error {
  constructor(who: string) {
    super(`${who} cancelled by its caller`);
  }
}

/** The handler's own failure for a call. */
class HandlerFailure extends Error {
  constructor(readonly id: number) {
    super(`handler failed call ${id}`);
  }
}

const answer = (id: number): number => id * 3 + 1;

/** Calls sharing one signal, aborted together (a client shutting down). */
class Group {
  readonly controller = new AbortController();
  readonly listeners = listenerCount(this.controller.signal);
  readonly reason: Cancelled;
  readonly calls: Call[] = [];
  constructor(readonly id: number) {
    this.reason = new Cancelled(`group ${id}`);
  }
}

/** One call: its plan, and everything observed about it. */
class Call {
  readonly req: Req;
  // The plan, drawn from the seeded generator.
  plan!: Plan;
  behaviour!: Behaviour;
  duration = 0;
  /** ms after the trigger; -1 = synchronously at the trigger. */
  abortDelay = 0;
  startOffset = 0;
  /** Whether the call goes through the stack with the short timeout. */
  short = false;
  timeoutMs = TIMEOUT_MS;
  /** "none" calls pass the long-lived session signal, or no options. */
  useSession = false;
  group: Group | undefined = undefined;
  /** The signal was already aborted when the call was made. */
  preAborted = false;
  reason: Cancelled | undefined = undefined;
  controller: AbortController | undefined = undefined;
  callerListeners: (() => number) | undefined = undefined;
  innerListeners: (() => number) | undefined = undefined;
  // History.
  start = -1;
  entered = false;
  started = false;
  handlerCalls = 0;
  handlerDone = false;
  handlerOk = false;
  handlerValue: unknown = undefined;
  handlerAt = -1;
  handlerSaw: unknown = undefined;
  callerAborted = false;
  callerAbortAt = -1;
  callerAbortWhilePending = false;
  innerAbortReason: unknown = undefined;
  innerAbortWhere: Where | undefined = undefined;
  innerAbortAt = -1;
  // Outcome.
  /** How often the caller's promise reported an outcome (a guard: 1). */
  settleCount = 0;
  settled = false;
  ok = false;
  value: unknown = undefined;
  settledAt = -1;

  constructor(id: number) {
    this.req = Object.freeze({ method: "storm", id });
  }

  get id(): number {
    return this.req.id;
  }

  describe(): string {
    return `call ${this.id} (timeout ${this.timeoutMs}, plan ${this.plan}, ` +
      `delay ${this.abortDelay}, ` +
      `handler ${this.behaviour} ${this.duration} ms, start ${this.start}, ` +
      `entered ${this.entered}, started ${this.started}, inner abort ` +
      `${this.innerAbortWhere ?? "-"} at ${this.innerAbortAt}, settled ` +
      `${this.settled ? (this.ok ? "ok" : "err") : "no"} at ${this.settledAt})`;
  }
}

/** The storm's harness: the stack, the driver and the bookkeeping. */
class Storm {
  readonly clock: Clock;
  readonly rng = new Rng(SEED);
  readonly session = new AbortController();
  readonly sessionListeners = listenerCount(this.session.signal);
  readonly server: Server;
  readonly client: Service<Req, number>;
  readonly limit: ConcurrencyLimitService<Req, number>;
  /** timeout(40) and timeout(25), each over the same limited service. */
  readonly stacks: readonly TimeoutService<Req, number>[];

  wave: Call[] = [];
  groups: Group[] = [];
  /** Pending calls made with the session signal. */
  sessionCalls = 0;
  waveBase = 0;
  waveNo = 0;
  unsettled = 0;
  /** Entered the client, not started, not aborted: in the channel, FIFO. */
  readonly inChannel = new Set<Call>();
  /** Called, not yet given a permit, not aborted. */
  readonly waitingForPermit = new Set<Call>();
  /** Calls holding a permit: entered, and the client has not answered. */
  holding = 0;
  /** Calls aborted by the last action: they must be settled by the flush. */
  justAborted: Call[] = [];
  readonly problems: string[] = [];
  problemCount = 0;

  // Scheduler: one fake timer per distinct millisecond, so clock.next()
  // scans few timers; actions run one at a time, each followed by a flush.
  readonly buckets = new Map<number, (() => void)[]>();
  readonly due: (() => void)[] = [];
  handlerTimers = 0;
  running = 0;
  peakRunning = 0;
  /** Calls waiting for room in the full channel. */
  waitingSenders: () => number = () => 0;
  /** The channel's deadline queue. */
  channelDeadlines: () => { readonly empty: boolean } = () => ({
    empty: true,
  });

  // Running totals, checked against the server's counters.
  entered = 0;
  handlerStarts = 0;
  handlerResolved = 0;
  handlerRejected = 0;
  readonly counts: Record<string, number> = {};

  constructor(clock: Clock) {
    this.clock = clock;
    const handler = serviceFn((req: Req, options: CallOptions) =>
      this.handle(req, options)
    );
    const [tx, rx] = channel<Envelope<Req, number>>(CAPACITY);
    this.server = serve(rx, handler, { concurrency: CONCURRENCY });
    this.client = connect(tx);
    const core = channelCore(tx)!;
    this.waitingSenders = () => core.waitingSenders;
    this.channelDeadlines = () => core.deadlines();
    // Probe between timeout and limiter: sees the signal the timeout hands
    // down. It is a plain service (no enforcesDeadline), so the timeouts
    // enforce their deadlines themselves, with their signal, and it keeps
    // the deadline from the layers below: this storm is about signals (the
    // deadline path has its own storms in tests/layers and tests/).
    // Probe between limiter and client: sees a call get its permit.
    const innerProbe = (inner: Service<Req, number>): Service<Req, number> => ({
      call: (req, options) => {
        this.watchInner(this.callOf(req), options!.signal!);
        return inner.call(req, { signal: options!.signal });
      },
    });
    const enterProbe = (inner: Service<Req, number>): Service<Req, number> => ({
      call: (req, options) => {
        const call = this.callOf(req);
        this.enter(call);
        const promise = inner.call(req, options);
        const release = () => void this.holding--;
        promise.then(release, release);
        if (call.plan === "onEnter") this.schedule(call, call.abortDelay);
        return promise;
      },
    });
    // The limiter is applied once and shared by two stacks with different
    // timeouts, as two callers would share it. With a single deadline the
    // oldest calls always expire first, and those sit at the channel's head:
    // a younger call with a shorter deadline is what times out while still
    // waiting for room in the channel behind an older one.
    let limit!: ConcurrencyLimitService<Req, number>;
    const limited = new ServiceBuilder<Req, number>()
      .layer(innerProbe)
      .layer((
        inner: Service<Req, number>,
      ) => (limit = concurrencyLimit<Req, number>(LIMIT)(inner)))
      .layer(enterProbe)
      .service(this.client);
    this.limit = limit;
    this.stacks = [TIMEOUT_MS, SHORT_TIMEOUT_MS].map((ms) =>
      new ServiceBuilder<Req, number>()
        .layer(timeout<Req, number>(ms))
        .service(limited) as TimeoutService<Req, number>
    );
  }

  callOf(req: Req): Call {
    return this.wave[req.id - this.waveBase];
  }

  count(key: string): void {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }

  problem(call: Call, what: string): void {
    this.report(`${what}: ${call.describe()}`);
  }

  report(what: string): void {
    // Keep the first few for the message; the count says how many.
    if (this.problemCount++ < 20) {
      this.problems.push(
        `seed ${SEED} wave ${this.waveNo} at ${this.clock.now} ms: ${what}`,
      );
    }
  }

  // --- scheduling -------------------------------------------------------

  at(time: number, action: () => void): void {
    let bucket = this.buckets.get(time);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(time, bucket);
      this.clock.setTimeout(() => {
        this.buckets.delete(time);
        this.due.push(...bucket!);
      }, time - this.clock.now);
    }
    bucket.push(action);
  }

  /** Aborts `call` now (delay -1) or `delay` ms from now. */
  schedule(call: Call, delay: number): void {
    if (delay < 0) this.abort(call);
    else this.at(this.clock.now + delay, () => this.abort(call));
  }

  /** Lets every reaction run, then checks that aborts took effect at once. */
  async flush(): Promise<void> {
    await flushMicrotasks();
    for (const call of this.justAborted) {
      if (!call.settled) this.problem(call, "abort did not settle the call");
    }
    this.justAborted = [];
    this.checkInvariants();
  }

  /**
   * Between events, every count matches what the harness saw happen: what
   * is released is released at once, not merely by the end of the wave, and
   * neither the limiter nor the server sits idle while calls wait for it.
   */
  checkInvariants(): void {
    const check = (ok: boolean, what: () => string): void => {
      if (!ok) this.report(what());
    };
    const s = this.server;
    const limit = this.limit;
    // Calls the server took from its queue that wait one microtask to run
    // in their caller's async context hold a slot already.
    const starting = s.inFlight - this.running;
    check(
      starting >= 0 && starting <= this.inChannel.size,
      () =>
        `server.inFlight ${s.inFlight}, ${this.running} handlers running, ${this.inChannel.size} in the channel`,
    );
    check(
      s.queued === Math.min(this.inChannel.size - starting, CAPACITY),
      () =>
        `server.queued ${s.queued}, ${this.inChannel.size} in the channel, ${starting} starting`,
    );
    check(
      s.inFlight >= CONCURRENCY || s.queued === 0,
      () => `server idle (${s.inFlight}) with ${s.queued} queued`,
    );
    check(
      limit.waiting === this.waitingForPermit.size,
      () => `limiter.waiting ${limit.waiting}, ${this.waitingForPermit.size}`,
    );
    check(
      limit.inFlight === this.holding &&
        limit.available === LIMIT - this.holding,
      () => `limiter.inFlight ${limit.inFlight}, ${this.holding} hold permits`,
    );
    check(
      this.holding === LIMIT || this.waitingForPermit.size === 0,
      () => `${this.waitingForPermit.size} wait for a free permit`,
    );
    // The session signal is shared by every "none" call that uses it: one
    // norpc listener (the timeout layer's) per pending call, none once
    // settled, all behind a single listener on the signal itself — which,
    // on a long-lived signal like this one, stays (idle) between calls.
    check(
      abortListeners(this.session.signal) === this.sessionCalls &&
        this.sessionListeners() >= Math.min(1, this.sessionCalls) &&
        this.sessionListeners() <= 1,
      () =>
        `${abortListeners(this.session.signal)} norpc listeners behind ` +
        `${this.sessionListeners()} on the session signal, ` +
        `${this.sessionCalls} calls pending on it`,
    );
    let active = 0;
    for (const stack of this.stacks) active += stack.active;
    check(
      active === this.unsettled,
      () => `timeout.active ${active}, ${this.unsettled} calls pending`,
    );
    // Besides the harness's own timers: a timeout layer holds one timer
    // while a deadline is pending (its probe hides the enforcing client
    // below, so it enforces its deadline itself) and none when idle; the
    // channel holds one timer for every deadline behind it, armed while one
    // is pending and kept (unref'd) until its due time after; the limiter
    // may hold one while a caller with a deadline waits for a permit.
    let base = this.buckets.size + this.handlerTimers;
    for (const stack of this.stacks) if (stack.active > 0) base++;
    const actual = this.clock.countTimers();
    const pendingDeadlines = !this.channelDeadlines().empty;
    const waiting = this.waitingForPermit.size > 0;
    check(
      actual >= base + (pendingDeadlines ? 1 : 0) &&
        actual <= base + 1 + (waiting ? 1 : 0),
      () =>
        `${actual} timers, expected ${base} + the channel's (${pendingDeadlines}) + the limiter's (${waiting})`,
    );
  }

  // --- the calls ----------------------------------------------------------

  plan(call: Call): void {
    const rng = this.rng;
    call.plan = rng.weighted(PLANS);
    call.behaviour = rng.weighted(BEHAVIOURS);
    if (rng.chance(0.3)) {
      call.short = true;
      call.timeoutMs = SHORT_TIMEOUT_MS;
    }
    // Half the calls start in bursts, so that more calls share a deadline
    // than the channel holds: timeouts then also hit calls still waiting
    // for room or for a permit, not only the oldest, queued ones.
    call.startOffset = rng.chance(0.5)
      ? rng.pick(BURSTS)
      : rng.int(START_SPREAD);
    switch (call.behaviour) {
      case "timer":
      case "fail":
        call.duration = rng.chance(0.85)
          ? rng.range(0, 12)
          : rng.range(TIMEOUT_MS - 5, TIMEOUT_MS + 20);
        break;
      case "stubborn":
        call.duration = rng.range(0, TIMEOUT_MS + 20);
        break;
    }
    switch (call.plan) {
      case "onEnter":
        call.abortDelay = rng.chance(0.35) ? -1 : rng.range(0, 8);
        break;
      case "onStart":
        call.abortDelay = rng.chance(0.3) ? -1 : rng.range(0, 12);
        break;
      case "atTime":
        call.abortDelay = rng.range(0, TIMEOUT_MS + 5);
        break;
      case "group":
        call.group = rng.pick(this.groups);
        call.group.calls.push(call);
        break;
      case "none":
        call.useSession = rng.chance(0.5);
        break;
    }
  }

  begin(call: Call): void {
    call.start = this.clock.now;
    let options: CallOptions | undefined;
    if (call.plan === "none") {
      options = call.useSession ? { signal: this.session.signal } : undefined;
      if (call.useSession) this.sessionCalls++;
    } else if (call.group !== undefined) {
      call.reason = call.group.reason;
      call.controller = call.group.controller;
      options = { signal: call.controller.signal };
      // Its group may have been aborted already: then it starts aborted.
      if (call.controller.signal.aborted) this.preAbort(call);
    } else {
      call.reason = new Cancelled(`call ${call.id}`);
      call.controller = new AbortController();
      call.callerListeners = listenerCount(call.controller.signal);
      options = { signal: call.controller.signal };
      if (call.plan === "before") {
        call.controller.abort(call.reason);
        this.preAbort(call);
      }
    }
    this.unsettled++;
    this.stacks[call.short ? 1 : 0].call(call.req, options).then(
      (value) => this.settle(call, true, value),
      (error) => this.settle(call, false, error),
    );
    if (!call.preAborted && !call.entered) this.waitingForPermit.add(call);
    if (call.plan === "afterCall") this.abort(call);
    else if (call.plan === "atTime") this.schedule(call, call.abortDelay);
  }

  preAbort(call: Call): void {
    call.preAborted = true;
    call.callerAborted = true;
    call.callerAbortAt = call.start;
    call.callerAbortWhilePending = true;
    this.justAborted.push(call);
    this.count("caller abort before the call");
  }

  settle(call: Call, ok: boolean, value: unknown): void {
    call.settleCount++;
    if (call.settled) return;
    call.settled = true;
    if (call.useSession) this.sessionCalls--;
    call.ok = ok;
    call.value = value;
    call.settledAt = this.clock.now;
    this.unsettled--;
    if (this.inChannel.has(call)) {
      this.problem(call, "settled while its envelope was still queued");
      this.inChannel.delete(call);
    }
  }

  /** Where `call` is right now (see the file comment). */
  where(call: Call): Where {
    if (call.settled) return "settled";
    if (call.started) {
      // The handler returned; its reply has not reached the caller yet.
      if (call.handlerDone) return "reply";
      switch (call.behaviour) {
        case "sync":
        case "throw":
          return "handler-body";
        case "signal":
          return "handler-signal";
        default:
          return "handler-timer";
      }
    }
    if (!call.entered) return "limiter";
    if (!this.inChannel.has(call)) {
      this.problem(call, "entered, not started, yet not in the channel");
      return "ring";
    }
    const queued = this.server.queued;
    // inChannel = taken by the server but not started yet (starting) +
    // queued in the ring + waiting for room, so starting is what is left.
    const starting = this.inChannel.size - queued - this.waitingSenders();
    if (queued + starting > this.inChannel.size) {
      this.problem(
        call,
        `server.queued ${queued} + ${starting} starting > ${this.inChannel.size}`,
      );
    }
    // inChannel is in arrival order: taken by the server (starting), then
    // queued in the ring, then waiting for room.
    let position = 0;
    for (const other of this.inChannel) {
      if (other === call) break;
      position++;
    }
    return position < starting
      ? "starting"
      : position < starting + queued
      ? "ring"
      : "sendWait";
  }

  /** The caller aborts (once); a settled call ignores it. */
  abort(call: Call): void {
    if (call.callerAborted) return;
    this.noteAbort(call);
    call.controller!.abort(call.reason);
  }

  /**
   * A group's shared signal aborts: every call on it that is still pending
   * rejects at once, wherever it is. Their positions are noted first, as
   * the signal's listeners run one after the other.
   */
  abortGroup(group: Group): void {
    for (const call of group.calls) {
      if (call.start >= 0 && !call.callerAborted) this.noteAbort(call);
    }
    this.count("group abort");
    group.controller.abort(group.reason);
  }

  noteAbort(call: Call): void {
    call.callerAborted = true;
    call.callerAbortAt = this.clock.now;
    const where = this.where(call);
    this.count(`caller abort: ${where}`);
    if (where === "settled") {
      // Nothing may still listen on a settled call's signal.
      if (call.callerListeners !== undefined && call.callerListeners() !== 0) {
        this.problem(call, "listener left on the caller's signal");
      }
    } else {
      call.callerAbortWhilePending = true;
      this.justAborted.push(call);
    }
  }

  watchInner(call: Call, signal: AbortSignal): void {
    // Added before listenerCount patches the signal: not counted, and it
    // runs before any layer's listener, so it sees the state at the abort.
    signal.addEventListener("abort", () => {
      const where = this.where(call);
      call.innerAbortReason = signal.reason;
      call.innerAbortWhere = where;
      call.innerAbortAt = this.clock.now;
      // An aborted call leaves the limiter's queue or the channel at once.
      this.inChannel.delete(call);
      this.waitingForPermit.delete(call);
      const by = signal.reason instanceof TimeoutError ? "timeout" : "abort";
      this.count(`${by}: ${where}`);
    }, { once: true });
    call.innerListeners = listenerCount(signal);
  }

  enter(call: Call): void {
    if (call.entered) this.problem(call, "got a permit twice");
    call.entered = true;
    this.entered++;
    this.holding++;
    this.waitingForPermit.delete(call);
    this.inChannel.add(call);
  }

  handle(req: Req, options: CallOptions): number | Promise<number> {
    const call = this.callOf(req);
    call.handlerCalls++;
    if (call.started) this.problem(call, "handler ran twice");
    call.started = true;
    this.handlerStarts++;
    this.inChannel.delete(call);
    this.running++;
    if (this.running > this.peakRunning) this.peakRunning = this.running;
    const signal = options.signal!;
    const syncAbort = call.plan === "onStart" && call.abortDelay < 0;
    if (call.plan === "onStart" && !syncAbort) {
      this.schedule(call, call.abortDelay);
    }
    const finish = (ok: boolean, value: unknown): void => {
      call.handlerDone = true;
      call.handlerOk = ok;
      call.handlerValue = value;
      call.handlerAt = this.clock.now;
      call.handlerSaw = signal.aborted ? signal.reason : undefined;
      this.running--;
      if (ok) this.handlerResolved++;
      else this.handlerRejected++;
    };
    switch (call.behaviour) {
      case "sync":
      case "throw": {
        if (syncAbort) this.abort(call);
        if (call.behaviour === "sync") {
          finish(true, answer(call.id));
          return answer(call.id);
        }
        const error = new HandlerFailure(call.id);
        finish(false, error);
        throw error;
      }
    }
    const promise = new Promise<number>((resolve, reject) => {
      let timer: ReturnType<Clock["setTimeout"]> | undefined;
      const onAbort = (): void => {
        if (timer !== undefined) {
          this.clock.clearTimeout(timer);
          this.handlerTimers--;
        }
        finish(false, signal.reason);
        reject(signal.reason);
      };
      if (call.behaviour !== "signal") {
        this.handlerTimers++;
        timer = this.clock.setTimeout(() => {
          this.handlerTimers--;
          signal.removeEventListener("abort", onAbort);
          if (call.behaviour === "fail") {
            const error = new HandlerFailure(call.id);
            finish(false, error);
            reject(error);
          } else {
            finish(true, answer(call.id));
            resolve(answer(call.id));
          }
        }, call.duration);
      }
      if (call.behaviour !== "stubborn") {
        signal.addEventListener("abort", onAbort, { once: true });
      }
    });
    if (syncAbort) this.abort(call);
    return promise;
  }

  // --- driving --------------------------------------------------------------

  async runWave(size: number): Promise<void> {
    this.waveBase += this.wave.length;
    this.waveNo++;
    this.groups = Array.from(
      { length: GROUPS },
      (_, i) => new Group(this.waveNo * GROUPS + i),
    );
    this.wave = Array.from({ length: size }, (_, i) => {
      const call = new Call(this.waveBase + i);
      this.plan(call);
      return call;
    });
    const t0 = this.clock.now;
    for (const call of this.wave) {
      this.at(t0 + call.startOffset, () => this.begin(call));
    }
    for (const group of this.groups) {
      const when = t0 + this.rng.range(0, START_SPREAD + TIMEOUT_MS);
      this.at(when, () => this.abortGroup(group));
    }
    while (
      this.unsettled > 0 || this.buckets.size > 0 || this.due.length > 0 ||
      this.handlerTimers > 0
    ) {
      if (this.due.length === 0) {
        if (this.clock.countTimers() === 0) {
          const stuck = this.wave.filter((c) => !c.settled).slice(0, 5);
          assert.fail(
            `seed ${SEED} wave ${this.waveNo}: ${this.unsettled} calls hang ` +
              `with no timer left:\n${
                stuck.map((c) => c.describe()).join("\n")
              }`,
          );
        }
        this.clock.next();
      } else {
        this.due.shift()!();
      }
      await this.flush();
    }
    // The first problem seen is the most telling: report it before the
    // end-of-wave totals, which a single early fault can throw off.
    for (const call of this.wave) this.checkOutcome(call);
    assert.equal(
      this.problemCount,
      0,
      `${this.problemCount} problems, the first ones:\n${
        this.problems.join("\n")
      }`,
    );
    this.checkDrained();
  }

  /** After a wave: nothing is held anywhere. */
  checkDrained(): void {
    const at = `seed ${SEED} wave ${this.waveNo}`;
    // Only the harness's own timers were awaited above; the layers' must
    // be gone, and the channel's may only be its kept one, with no
    // deadline left behind it.
    assert.ok(this.clock.countTimers() <= 1, `${at}: a timer was left`);
    assert.ok(this.channelDeadlines().empty, `${at}: a deadline was left`);
    for (const stack of this.stacks) {
      assert.equal(stack.active, 0, `${at}: timeout(${stack.ms}) deadlines`);
    }
    assert.equal(this.limit.available, LIMIT, `${at}: limiter permits`);
    assert.equal(this.limit.inFlight, 0, `${at}: limiter in flight`);
    assert.equal(this.limit.waiting, 0, `${at}: limiter waiters`);
    assert.equal(this.server.queued, 0, `${at}: server queue`);
    assert.equal(this.server.inFlight, 0, `${at}: server in flight`);
    assert.equal(this.running, 0, `${at}: handlers running`);
    assert.equal(this.inChannel.size, 0, `${at}: envelopes in the channel`);
    // A long-lived signal keeps one idle listener (see _abort.ts).
    assert.ok(this.sessionListeners() <= 1, `${at}: session listeners`);
    for (const group of this.groups) {
      assert.equal(group.listeners(), 0, `${at}: group ${group.id} listeners`);
    }
    assert.ok(
      this.peakRunning <= CONCURRENCY,
      `${at}: ${this.peakRunning} handlers ran at once`,
    );
    // Every call that reached the server was handled or withdrawn; none was
    // dropped or counted twice.
    const s = this.server;
    const withdrawn = (this.counts["abort: ring"] ?? 0) +
      (this.counts["abort: starting"] ?? 0);
    const timedOutQueued = (this.counts["timeout: ring"] ?? 0) +
      (this.counts["timeout: starting"] ?? 0);
    const leftWaiting = (this.counts["abort: sendWait"] ?? 0) +
      (this.counts["timeout: sendWait"] ?? 0);
    assert.equal(s.served, this.handlerResolved, `${at}: served`);
    assert.equal(s.failed, this.handlerRejected, `${at}: failed`);
    assert.equal(s.cancelled, withdrawn + timedOutQueued, `${at}: cancelled`);
    assert.equal(s.rejected, 0, `${at}: rejected`);
    assert.equal(
      s.served + s.failed + s.cancelled + leftWaiting,
      this.entered,
      `${at}: calls that got a permit = handled + withdrawn + gave up waiting for room`,
    );
    assert.equal(s.served + s.failed, this.handlerStarts, `${at}: started`);
  }

  /** The outcome `call` must have had, given what happened to it. */
  checkOutcome(call: Call): void {
    const fail = (what: string) => this.problem(call, what);
    if (call.settleCount !== 1) fail(`settled ${call.settleCount} times`);
    if (call.handlerCalls > 1) fail(`handler ran ${call.handlerCalls} times`);
    if (call.callerListeners !== undefined && call.callerListeners() !== 0) {
      fail("listener left on the caller's signal");
    }
    if (call.innerListeners !== undefined && call.innerListeners() !== 0) {
      fail("listener left on the signal the timeout handed down");
    }
    const error = call.ok ? undefined : call.value;
    if (call.preAborted) {
      if (error !== call.reason) fail("pre-aborted call: wrong outcome");
      if (call.innerListeners !== undefined || call.entered) {
        fail("pre-aborted call went into the stack");
      }
      return;
    }
    if (call.callerAbortWhilePending) {
      // The caller's abort wins over anything not yet delivered, at once,
      // and reaches every layer below and the handler.
      if (error !== call.reason) fail("aborted call: wrong outcome");
      if (call.settledAt !== call.callerAbortAt) fail("abort not at once");
      if (call.innerAbortReason !== call.reason) {
        fail("the caller's abort did not reach the layers below the timeout");
      }
      if (call.started && call.innerAbortWhere !== "reply") {
        if (call.handlerSaw !== call.reason) {
          fail("the handler's signal did not carry the caller's reason");
        }
      }
      return;
    }
    if (call.innerAbortReason instanceof TimeoutError) {
      const timeoutError = call.innerAbortReason;
      if (error !== timeoutError) fail("timed-out call: wrong outcome");
      if (call.settledAt !== call.start + call.timeoutMs) {
        fail("did not time out on time");
      }
      if (
        timeoutError.timeoutMs !== call.timeoutMs ||
        timeoutError.elapsedMs !== call.timeoutMs ||
        timeoutError.method !== "storm"
      ) {
        fail(`wrong TimeoutError: ${timeoutError.message}`);
      }
      if (
        call.started && call.innerAbortWhere !== "reply" &&
        call.handlerSaw !== timeoutError
      ) {
        fail("the handler's signal did not carry the TimeoutError");
      }
      this.count(`outcome: timeout`);
      return;
    }
    if (call.innerAbortReason !== undefined) {
      fail(`aborted below the timeout by ${String(call.innerAbortReason)}`);
      return;
    }
    // Neither aborted while pending nor timed out: the handler's answer.
    if (!call.handlerDone) return fail("settled without a handler result");
    if (call.ok !== call.handlerOk || call.value !== call.handlerValue) {
      return fail("outcome differs from the handler's");
    }
    if (call.ok && call.value !== answer(call.id)) fail("wrong answer");
    if (call.settledAt !== call.handlerAt) fail("reply delivered late");
    if (call.settledAt > call.start + call.timeoutMs) {
      fail("answered after its timeout");
    }
    this.count(call.ok ? "outcome: response" : "outcome: handler error");
  }
}

Deno.test("cancellation storm: 100,000 calls aborted at random points", async (t) => {
  await withClock(async (clock) => {
    const storm = new Storm(clock);
    let completed = false;
    await t.step(`${CALLS} calls in waves of ${WAVE}`, async () => {
      for (let started = 0; started < CALLS; started += WAVE) {
        await storm.runWave(Math.min(WAVE, CALLS - started));
      }
      completed = true;
    });

    await t.step("every abort point and outcome was exercised", () => {
      assert.ok(completed, "the storm stopped early (see the step above)");
      const c = storm.counts;
      for (
        const key of [
          "caller abort before the call",
          "group abort",
          "abort: limiter",
          "abort: ring",
          "abort: sendWait",
          "abort: handler-timer",
          "abort: handler-signal",
          "abort: handler-body",
          "caller abort: settled",
          "timeout: limiter",
          "timeout: ring",
          "timeout: sendWait",
          "timeout: handler-timer",
          "timeout: handler-signal",
          "outcome: response",
          "outcome: handler error",
          "outcome: timeout",
        ]
      ) {
        assert.ok(
          (c[key] ?? 0) >= 50,
          `only ${c[key] ?? 0} × "${key}" in ${JSON.stringify(c, null, 1)}`,
        );
      }
      assert.equal(storm.wave.length + storm.waveBase, CALLS);
    });

    await t.step("the server closes with nothing left", async () => {
      await storm.server.close();
      assert.equal(storm.server.inFlight, 0);
      assert.equal(storm.server.queued, 0);
    });
  });
});
