// A storm of calls with deadlines and aborts through the call-context stack
// (timeout → retry → concurrencyLimit → rateLimit) over a service that
// enforces deadlines itself, on fake time: every call gets exactly one
// outcome, no call outlives its deadline, and nothing is left behind (no
// timer, no abort listener, no permit, no queued waiter, no retry).

import assert from "node:assert/strict";
import { OverloadedError, TimeoutError } from "../../errors.ts";
import type { CallOptions, Service } from "../../service.ts";
import { abortListeners } from "../../_abort.ts";
import {
  concurrencyLimit,
  type ConcurrencyLimitService,
  rateLimit,
  type RateLimitService,
  retry,
  type RetryService,
  timeout,
} from "../../layers/mod.ts";
import { flush, withClock } from "./_helpers.ts";

const CALLS = 20_000;
const WAVE = 500;
const SEED = 0x0dead11e;

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Answers after a random delay, fails some calls with OverloadedError, and
 * enforces deadlines as a norpc client does: it rejects with TimeoutError
 * at `options.deadline` and with the reason when the signal aborts.
 */
class EnforcingService implements Service<number, number> {
  readonly enforcesDeadline = true;
  active = 0;
  constructor(readonly random: () => number) {}

  call(req: number, options?: CallOptions): Promise<number> {
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const deadline = options?.deadline;
    if (deadline !== undefined && deadline <= Date.now()) {
      return Promise.reject(new TimeoutError(0, 0));
    }
    this.active++;
    let done = false;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const finish = () => {
      done = true;
      this.active--;
      for (const timer of timers) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      if (done) return;
      finish();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort);
    const fails = this.random() < 0.3;
    timers.push(setTimeout(() => {
      if (done) return;
      finish();
      if (fails) reject(new OverloadedError("busy"));
      else resolve(req);
    }, Math.floor(this.random() * 20)));
    if (deadline !== undefined) {
      timers.push(setTimeout(() => {
        if (done) return;
        finish();
        reject(new TimeoutError(0, 0));
      }, deadline - Date.now()));
    }
    return promise;
  }
}

Deno.test("deadline storm through the call-context stack", async () => {
  await withClock(async (clock) => {
    const random = rng(SEED);
    const inner = new EnforcingService(random);
    const limited: RateLimitService<number, number> = rateLimit<
      number,
      number
    >({ requests: 60, per: 10, burst: 10 })(inner);
    const limit: ConcurrencyLimitService<number, number> = concurrencyLimit<
      number,
      number
    >(48)(limited);
    const retried: RetryService<number, number> = retry<number, number>({
      attempts: 3,
      base: 4,
      budget: false,
      random,
    })(limit);
    const svc = timeout<number, number>(60)(retried);
    assert.equal(svc.enforcesDeadline, true);
    const session = new AbortController();
    const outcomes = new Uint8Array(CALLS);
    const settledAt = new Float64Array(CALLS);
    const deadlines = new Float64Array(CALLS).fill(Infinity);
    let pending = 0;
    const kinds: Record<string, number> = {};
    const count = (kind: string) => void (kinds[kind] = (kinds[kind] ?? 0) + 1);
    let maxWaitingForPermit = 0;
    let maxWaitingForToken = 0;
    let maxTimedByTheLayer = 0;
    for (let base = 0; base < CALLS; base += WAVE) {
      for (let i = base; i < base + WAVE; i++) {
        const options: CallOptions = {};
        const r = random();
        if (r < 0.5) options.deadline = Date.now() + Math.floor(random() * 80);
        if (r > 0.3 && r < 0.6) options.signal = session.signal;
        let controller: AbortController | undefined;
        if (r >= 0.6 && r < 0.8) {
          controller = new AbortController();
          options.signal = controller.signal;
          const at = Math.floor(random() * 70);
          setTimeout(() => controller!.abort(new Error(`abort ${i}`)), at);
        }
        deadlines[i] = Math.min(options.deadline ?? Infinity, Date.now() + 60);
        pending++;
        svc.call(i, options).then(
          (value) => {
            assert.equal(value, i);
            count("ok");
            outcomes[i]++;
            settledAt[i] = Date.now();
            pending--;
          },
          (error) => {
            count(
              error instanceof TimeoutError
                ? "timeout"
                : error instanceof OverloadedError
                ? "overloaded"
                : error instanceof Error && error.message.startsWith("abort")
                ? "abort"
                : "other",
            );
            outcomes[i]++;
            settledAt[i] = Date.now();
            pending--;
          },
        );
        if (i % 10 === 0) {
          maxWaitingForPermit = Math.max(maxWaitingForPermit, limit.waiting);
          maxWaitingForToken = Math.max(maxWaitingForToken, limited.waiting);
          maxTimedByTheLayer = Math.max(maxTimedByTheLayer, svc.active);
          await clock.tickAsync(1);
        }
      }
      await clock.runAllAsync();
      await flush();
    }
    assert.equal(pending, 0, "calls without an outcome");
    // Every kind of outcome and both waiting points were exercised.
    assert.equal(kinds.other, undefined, JSON.stringify(kinds));
    for (const kind of ["ok", "timeout", "overloaded", "abort"]) {
      assert.ok(kinds[kind] > 100, `${kind}: ${JSON.stringify(kinds)}`);
    }
    assert.ok(maxWaitingForPermit > 0 && maxWaitingForToken > 0);
    for (let i = 0; i < CALLS; i++) {
      assert.equal(outcomes[i], 1, `call ${i}: ${outcomes[i]} outcomes`);
      assert.ok(
        settledAt[i] <= deadlines[i],
        `call ${i} settled at ${settledAt[i]}, past its deadline ${
          deadlines[i]
        } (seed ${SEED})`,
      );
    }
    assert.deepEqual(
      [limit.inFlight, limit.waiting, limited.waiting, retried.retrying],
      [0, 0, 0, 0],
    );
    assert.equal(inner.active, 0);
    // The service below enforces deadlines: the timeout only shrank them.
    assert.equal(maxTimedByTheLayer, 0, "the timeout armed deadlines itself");
    assert.equal(abortListeners(session.signal), 0);
    assert.equal(clock.countTimers(), 0);
  });
});
