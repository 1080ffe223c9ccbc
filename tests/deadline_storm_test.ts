// Deadline storm (issue 12): 100,000 calls through a served channel
// (concurrency 4, capacity 8, so calls wait for room, wait in the ring, wait
// for their turn and run), then 20,000 through an actor (concurrency 1,
// capacity 2). Each call has a seeded random deadline (none, passed, or up to
// 60 ms away), abort (none, before the call, right after it, at a random
// moment, with a group of calls sharing a signal, or when another call
// settles) and handler behaviour. Fake time, driven one action at a time.
//
// Afterwards every call has exactly one outcome, and that outcome is the one
// its history allows: a response or the handler's own error only if the
// handler settled no later than the abort and the deadline; the abort reason
// only at the abort, no later than the deadline; a TimeoutError only at the
// deadline. No handler starts after its caller aborted or past its deadline;
// never more handlers run at once than the concurrency; no timer, abort
// listener or slot is left; served + failed + cancelled + rejected = calls
// that reached the channel. On failure the seed is printed.

import assert from "node:assert/strict";
import {
  type CallOptions,
  channel,
  connect,
  type Envelope,
  serve,
  serviceFn,
  TimeoutError,
} from "../mod.ts";
import { abortListeners } from "../_abort.ts";
import { channelCore } from "../channel.ts";
import { Rng } from "../soak/rng.ts";
import { type Clock, withClock } from "./layers/_helpers.ts";

type Req = { readonly method: string; readonly id?: number };

const STORM_SEED = 0x0de_ad11e;
const STORM_WAVE = 1_000;
const STORM_GROUPS = 4;

/** The server under the storm, and how many calls it gets. */
interface StormConfig {
  calls: number;
  concurrency: number;
  capacity: number;
  /** A wave's calls start within this many ms. */
  spread: number;
}

type StormBehaviour = "sync" | "throw" | "timer" | "fail" | "signal" | "lazy";
type StormAbort =
  | "none"
  | "before"
  | "afterCall"
  | "at"
  | "group"
  | "onSettle";

class StormFailure extends Error {
  constructor(readonly id: number) {
    super(`handler of call ${id} failed`);
  }
}

class StormGroup {
  readonly controller = new AbortController();
  readonly reason: Error;
  abortAt: number | undefined = undefined;
  constructor(id: number) {
    this.reason = new Error(`group ${id} aborted`);
  }
}

class StormCall {
  readonly req: Req;
  behaviour: StormBehaviour = "sync";
  duration = 0;
  deadline: number | undefined = undefined;
  metadata: Record<string, string> | undefined = undefined;
  bareCall = false;
  plan: StormAbort = "none";
  startOffset = 0;
  abortDelay = 0;
  controller: AbortController | undefined = undefined;
  group: StormGroup | undefined = undefined;
  ownReason: Error | undefined = undefined;
  ownAbortAt: number | undefined = undefined;
  abortSeq: number | undefined = undefined;
  calledAt = -1;
  refused = false;
  /** The signal was already aborted when the call was made. */
  preAborted = false;
  handlerRuns = 0;
  startedAt: number | undefined = undefined;
  startSeq = 0;
  handlerSettledAt: number | undefined = undefined;
  settleCount = 0;
  ok = false;
  value: unknown = undefined;
  settledAt = -1;
  readonly onSettle: (() => void)[] = [];

  constructor(id: number) {
    this.req = Object.freeze({ method: "storm", id });
  }
  get id(): number {
    return this.req.id!;
  }
  get signal(): AbortSignal | undefined {
    return this.group?.controller.signal ?? this.controller?.signal;
  }
  get reason(): Error | undefined {
    return this.group?.reason ?? this.ownReason;
  }
  get abortAt(): number | undefined {
    return this.group?.abortAt ?? this.ownAbortAt;
  }
  describe(): string {
    return `call ${this.id} ${this.behaviour}/${this.duration}ms abort=${this.plan}` +
      ` deadline=${this.deadline} called=${this.calledAt} refused=${this.refused}` +
      ` started=${this.startedAt} handlerSettled=${this.handlerSettledAt}` +
      ` abortAt=${this.abortAt} settled=${this.settledAt} ok=${this.ok} value=${
        String(this.value)
      }`;
  }
}

class DeadlineStorm {
  readonly rng: Rng;
  readonly clock: Clock;
  readonly buckets = new Map<number, (() => void)[]>();
  readonly due: (() => void)[] = [];
  readonly calls: StormCall[] = [];
  seq = 0;
  running = 0;
  peak = 0;
  handlerTimers = 0;
  unsettled = 0;
  refused = 0;
  withdrawnWaiting = 0;
  handlerRuns = 0;
  readonly counts: Record<string, number> = {};
  readonly server;
  readonly client;
  readonly core;

  constructor(clock: Clock, seed: number, readonly config: StormConfig) {
    this.clock = clock;
    this.rng = new Rng(seed);
    const [tx, rx] = channel<Envelope<Req, number>>(config.capacity);
    this.server = serve(rx, serviceFn(this.handle), {
      concurrency: config.concurrency,
      name: "Storm",
    });
    this.client = connect(tx);
    const core = channelCore(tx)!;
    this.core = core;
    // Count the calls withdrawn while waiting for room: they never reached
    // the channel's queue, so no server counter counts them.
    const withdraw = core.withdraw.bind(core);
    core.withdraw = (value) => {
      const wasQueued = value.queued;
      const withdrawn = withdraw(value);
      if (withdrawn && !wasQueued) this.withdrawnWaiting++;
      return withdrawn;
    };
  }

  count(what: string): void {
    this.counts[what] = (this.counts[what] ?? 0) + 1;
  }

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

  fail(call: StormCall, what: string): never {
    assert.fail(`${what}\n  ${call.describe()}`);
  }

  readonly handle = (
    req: Req,
    options: CallOptions,
  ): number | Promise<number> => {
    const call = this.calls[req.id!];
    const now = this.clock.now;
    call.handlerRuns++;
    this.handlerRuns++;
    call.startedAt = now;
    call.startSeq = ++this.seq;
    if (call.handlerRuns > 1) this.fail(call, "the handler ran twice");
    if (call.refused) this.fail(call, "a refused call ran");
    if (call.deadline !== undefined && call.deadline <= now) {
      this.fail(call, "started at or past its deadline");
    }
    if (call.abortSeq !== undefined) {
      this.fail(call, "started after its caller aborted");
    }
    if (options.deadline !== call.deadline) {
      this.fail(call, `handler saw deadline ${options.deadline}`);
    }
    if (options.metadata !== call.metadata) {
      this.fail(call, "handler saw other metadata");
    }
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    const settle = () => {
      this.running--;
      call.handlerSettledAt = this.clock.now;
    };
    const answer = call.id * 3 + 1;
    switch (call.behaviour) {
      case "sync":
        settle();
        return answer;
      case "throw":
        settle();
        throw new StormFailure(call.id);
      case "timer":
      case "fail":
        return new Promise((resolve, reject) => {
          this.handlerTimers++;
          this.at(now + call.duration, () => {
            this.handlerTimers--;
            settle();
            if (call.behaviour === "timer") resolve(answer);
            else reject(new StormFailure(call.id));
          });
        });
      case "lazy":
        // Reads its signal only when done: it must be aborted exactly when
        // the caller aborted or the deadline passed meanwhile.
        return new Promise((resolve) => {
          this.handlerTimers++;
          this.at(now + call.duration, () => {
            this.handlerTimers--;
            const t = this.clock.now;
            const signal = options.signal!;
            const aborted = call.abortSeq !== undefined ||
              (call.deadline !== undefined && call.deadline < t);
            // At the deadline's own millisecond, its timer may fire after us.
            const tie = !aborted && call.deadline === t;
            if (signal.aborted !== aborted && !tie) {
              this.fail(call, `lazy signal aborted=${signal.aborted} at ${t}`);
            }
            if (signal.aborted) {
              this.count("lazy signal aborted");
              this.checkHandlerReason(call, signal.reason, t);
            }
            settle();
            resolve(answer);
          });
        });
      case "signal":
        // Stops on its signal; answers after `duration` otherwise.
        return new Promise((resolve, reject) => {
          const signal = options.signal!;
          if (signal.aborted) this.fail(call, "started with an aborted signal");
          let done = false;
          this.handlerTimers++;
          signal.addEventListener("abort", () => {
            if (done) return;
            done = true;
            this.checkHandlerReason(call, signal.reason, this.clock.now);
            this.count(
              signal.reason instanceof TimeoutError
                ? "handler signal timed out"
                : "handler signal aborted",
            );
            settle();
            reject(signal.reason);
          }, { once: true });
          this.at(now + call.duration, () => {
            this.handlerTimers--;
            if (done) return;
            done = true;
            settle();
            resolve(answer);
          });
        });
    }
  };

  checkHandlerReason(call: StormCall, reason: unknown, now: number): void {
    if (reason instanceof TimeoutError) {
      if (call.deadline === undefined || call.deadline > now) {
        this.fail(call, "handler signal timed out before the deadline");
      }
    } else if (reason !== call.reason || call.abortSeq === undefined) {
      this.fail(call, `handler signal aborted with ${String(reason)}`);
    }
  }

  plan(call: StormCall, wave: StormCall[], groups: StormGroup[]): void {
    const rng = this.rng;
    call.startOffset = rng.int(this.config.spread);
    call.behaviour = rng.weighted({
      sync: 14,
      throw: 5,
      timer: 36,
      fail: 8,
      signal: 22,
      lazy: 15,
    });
    call.duration = rng.range(1, 25);
    call.plan = rng.weighted({
      none: 42,
      before: 4,
      afterCall: 8,
      at: 30,
      group: 8,
      onSettle: 8,
    });
    const deadline = rng.weighted({ none: 35, past: 5, future: 60 });
    if (deadline !== "none") {
      call.deadline = deadline === "past" ? -rng.int(3) : rng.range(1, 60);
    }
    if (rng.chance(0.3)) call.metadata = { call: String(call.id) };
    if (call.plan === "group") call.group = rng.pick(groups);
    else if (call.plan !== "none") {
      call.controller = new AbortController();
      call.ownReason = new Error(`call ${call.id} aborted`);
      if (call.plan === "before") call.controller.abort(call.ownReason);
      call.abortDelay = rng.int(60);
      if (call.plan === "onSettle") {
        const earlier = wave.length === 0 ? undefined : rng.pick(wave);
        if (earlier === undefined) call.plan = "afterCall";
        else earlier.onSettle.push(() => this.abort(call));
      }
    }
    call.bareCall = call.plan === "none" && call.deadline === undefined &&
      call.metadata === undefined && rng.chance(0.5);
  }

  abort(call: StormCall): void {
    if (call.controller === undefined || call.controller.signal.aborted) return;
    call.ownAbortAt = this.clock.now;
    call.abortSeq = ++this.seq;
    call.controller.abort(call.ownReason);
  }

  abortGroup(group: StormGroup, members: StormCall[]): void {
    group.abortAt = this.clock.now;
    const seq = ++this.seq;
    for (const call of members) call.abortSeq ??= seq;
    group.controller.abort(group.reason);
  }

  begin(call: StormCall): void {
    const now = this.clock.now;
    call.calledAt = now;
    if (call.deadline !== undefined) call.deadline += now;
    const signal = call.signal;
    call.refused = signal?.aborted === true ||
      (call.deadline !== undefined && call.deadline <= now);
    if (call.refused) this.refused++;
    call.preAborted = signal?.aborted === true;
    if (call.preAborted) call.abortSeq ??= 0;
    const options: CallOptions | undefined = call.bareCall ? undefined : {
      signal,
      deadline: call.deadline,
      metadata: call.metadata,
    };
    this.unsettled++;
    this.client.call(call.req, options).then(
      (value) => this.settled(call, true, value),
      (error) => this.settled(call, false, error),
    );
    if (call.plan === "afterCall") this.abort(call);
    else if (call.plan === "at") {
      this.at(now + call.abortDelay, () => this.abort(call));
    }
  }

  settled(call: StormCall, ok: boolean, value: unknown): void {
    call.settleCount++;
    if (call.settleCount > 1) this.fail(call, "settled twice");
    this.unsettled--;
    call.ok = ok;
    call.value = value;
    call.settledAt = this.clock.now;
    for (const hook of call.onSettle) hook();
  }

  async flush(): Promise<void> {
    for (let i = 0; i < 24; i++) await Promise.resolve();
  }

  async runWave(base: number, size: number): Promise<void> {
    const groups = Array.from(
      { length: STORM_GROUPS },
      (_, i) => new StormGroup(base + i),
    );
    const wave: StormCall[] = [];
    for (let i = 0; i < size; i++) {
      const call = new StormCall(base + i);
      this.calls[call.id] = call;
      this.plan(call, wave, groups);
      wave.push(call);
    }
    const t0 = this.clock.now;
    for (const call of wave) {
      this.at(t0 + call.startOffset, () => this.begin(call));
    }
    for (const group of groups) {
      const members = wave.filter((c) => c.group === group);
      this.at(
        t0 + this.rng.int(this.config.spread + 60),
        () => this.abortGroup(group, members),
      );
    }
    while (this.due.length > 0 || this.clock.countTimers() > 0) {
      if (this.due.length > 0) this.due.shift()!();
      else this.clock.next();
      await this.flush();
    }
    for (const call of wave) this.check(call);
    assert.equal(this.unsettled, 0, "calls left unsettled");
    assert.equal(this.handlerTimers, 0);
    assert.equal(this.running, 0, "handlers left running");
    assert.equal(this.server.inFlight, 0, "a server slot is still held");
    assert.equal(this.server.queued, 0);
    assert.equal(this.core.waitingSenders, 0);
    for (const call of wave) {
      const signal = call.signal;
      if (signal !== undefined && abortListeners(signal) !== 0) {
        this.fail(call, "an abort listener was left on its signal");
      }
    }
  }

  check(call: StormCall): void {
    if (call.settleCount !== 1) this.fail(call, "no outcome");
    if (call.refused) {
      if (call.handlerRuns !== 0) this.fail(call, "refused call ran");
      if (call.settledAt !== call.calledAt) this.fail(call, "refused late");
      if (call.preAborted) {
        if (call.ok || call.value !== call.reason) {
          this.fail(call, "not its reason");
        }
      } else if (call.ok || !(call.value instanceof TimeoutError)) {
        this.fail(call, "a late call did not reject TimeoutError");
      }
      this.count("refused");
      return;
    }
    const settledAt = call.settledAt;
    const notBefore = (time: number | undefined, what: string) => {
      if (time !== undefined && time < settledAt) {
        this.fail(call, `answered after its ${what}`);
      }
    };
    if (call.ok || call.value instanceof StormFailure) {
      if (call.ok && call.value !== call.id * 3 + 1) {
        this.fail(call, "wrong value");
      }
      if (!call.ok && (call.value as StormFailure).id !== call.id) {
        this.fail(call, "another call's error");
      }
      if (call.handlerSettledAt !== settledAt) {
        this.fail(call, "answered when its handler did not settle");
      }
      notBefore(call.abortAt, "abort");
      notBefore(call.deadline, "deadline");
      this.count(call.ok ? "value" : "handler error");
    } else if (call.value instanceof TimeoutError) {
      if (call.deadline !== settledAt) {
        this.fail(call, "timed out off its deadline");
      }
      notBefore(call.abortAt, "abort");
      notBefore(call.handlerSettledAt, "handler's outcome");
      this.count("timeout");
    } else if (call.value === call.reason && call.reason !== undefined) {
      if (call.abortAt !== settledAt) this.fail(call, "aborted off its abort");
      notBefore(call.deadline, "deadline");
      notBefore(call.handlerSettledAt, "handler's outcome");
      this.count("aborted");
    } else {
      this.fail(call, `unexpected outcome ${String(call.value)}`);
    }
    if (call.handlerRuns === 0) this.count("never ran");
  }

  async run(): Promise<void> {
    const calls = this.config.calls;
    for (let base = 0; base < calls; base += STORM_WAVE) {
      await this.runWave(base, Math.min(STORM_WAVE, calls - base));
    }
    const server = this.server;
    const reached = calls - this.refused - this.withdrawnWaiting;
    assert.equal(
      server.served + server.failed + server.cancelled + server.rejected,
      reached,
      `served ${server.served} + failed ${server.failed} + cancelled ${server.cancelled} + rejected ${server.rejected} != ${reached} calls that reached the channel`,
    );
    assert.equal(server.served + server.failed, this.handlerRuns);
    assert.equal(server.rejected, 0);
    assert.ok(this.peak <= this.config.concurrency, `peak ${this.peak}`);
    assert.equal(
      this.peak,
      this.config.concurrency,
      "the storm never filled the server",
    );
    // Every path was taken.
    for (
      const what of [
        "value",
        "handler error",
        "timeout",
        "aborted",
        "refused",
        "never ran",
        "lazy signal aborted",
        "handler signal timed out",
        "handler signal aborted",
      ]
    ) {
      assert.ok((this.counts[what] ?? 0) > 0, `no call ended as "${what}"`);
    }
    assert.ok(this.withdrawnWaiting > 0, "no call gave up waiting for room");
    assert.ok(server.cancelled > 0, "no queued call was cancelled");
    await server.close();
  }
}

const STORMS: [string, StormConfig][] = [
  ["100,000 calls, concurrency 4, capacity 8", {
    calls: 100_000,
    concurrency: 4,
    capacity: 8,
    spread: 1500,
  }],
  ["an actor: 20,000 calls, concurrency 1, capacity 2", {
    calls: 20_000,
    concurrency: 1,
    capacity: 2,
    spread: 6000,
  }],
];

for (const [what, config] of STORMS) {
  Deno.test(`deadline storm (${what}): seeded random deadlines and aborts; every call gets exactly one, consistent outcome and nothing is left behind`, async () => {
    await withClock(async (clock) => {
      const storm = new DeadlineStorm(clock, STORM_SEED, config);
      try {
        await storm.run();
      } catch (err) {
        console.error(
          `deadline storm (${what}) failed with seed ${STORM_SEED}`,
        );
        throw err;
      }
    });
  });
}
