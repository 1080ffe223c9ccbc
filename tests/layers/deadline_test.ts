// The call context in the layers (issue 12): timeout only shrinks the
// deadline over a service that enforces it, nested timeouts keep the
// earliest, waiting layers honour `options.deadline` during their own wait,
// retry and hedge never start what cannot finish in time, and every
// pass-through layer says whether it enforces deadlines.

import assert from "node:assert/strict";
import { TimeoutError } from "../../errors.ts";
import type { CallOptions, Service } from "../../service.ts";
import { abortListeners } from "../../_abort.ts";
import {
  balance,
  batch,
  circuitBreaker,
  concurrencyLimit,
  filter,
  hedge,
  loadShed,
  mapError,
  mapRequest,
  mapResponse,
  observe,
  rateLimit,
  retry,
  timeout,
} from "../../layers/mod.ts";
import { OverloadedError } from "../../errors.ts";
import { flush, track, withClock } from "./_helpers.ts";

/** One call as an {@linkcode OptionsService} received it. */
interface Seen {
  req: number;
  options: CallOptions | undefined;
  resolve(value: number): void;
  reject(error: unknown): void;
}

/**
 * A service that records the options of every call and answers when the
 * test says so. With `enforces`, it claims to reject at the deadline (as a
 * norpc client does) without doing it: the tests check the layer above
 * then leaves the deadline to it.
 */
class OptionsService implements Service<number, number> {
  readonly seen: Seen[] = [];
  readonly enforcesDeadline: boolean;
  isReady = true;

  constructor(enforces: boolean) {
    this.enforcesDeadline = enforces;
  }

  call(req: number, options?: CallOptions): Promise<number> {
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    this.seen.push({ req, options, resolve, reject });
    return promise;
  }

  ready(): boolean {
    return this.isReady;
  }

  get last(): Seen {
    const seen = this.seen.at(-1);
    assert.ok(seen, "no call was received");
    return seen;
  }
}

Deno.test("deadlines in the layers", async (t) => {
  await t.step(
    "timeout over an enforcing service: the deadline shrinks, nothing else is armed",
    async () => {
      await withClock(async (clock) => {
        clock.setSystemTime(1_000_000);
        const inner = new OptionsService(true);
        const svc = timeout<number, number>(50)(inner);
        assert.equal(svc.enforcesDeadline, true);
        const controller = new AbortController();
        const metadata = { traceparent: "00-abc-def-01" };
        const call = track(
          svc.call(1, { signal: controller.signal, metadata }),
        );
        const { options } = inner.last;
        assert.equal(options?.deadline, 1_000_050);
        // The caller's own signal travels down: no AbortController, no
        // listener, no timer of the layer's own.
        assert.equal(options?.signal, controller.signal);
        assert.equal(options?.metadata, metadata);
        assert.equal(abortListeners(controller.signal), 0);
        assert.equal(clock.countTimers(), 0);
        assert.equal(svc.active, 0);
        inner.last.resolve(7);
        await flush();
        assert.equal(call.value, 7);
      });
    },
  );

  await t.step(
    "timeout over an enforcing service keeps an earlier deadline as it is",
    async () => {
      await withClock((clock) => {
        clock.setSystemTime(1_000_000);
        const inner = new OptionsService(true);
        const svc = timeout<number, number>(50)(inner);
        const options = { deadline: 1_000_020 };
        svc.call(1, options);
        assert.equal(inner.last.options, options, "a new options object");
        svc.call(2, { deadline: 1_000_080 });
        assert.equal(inner.last.options?.deadline, 1_000_050);
        for (const seen of inner.seen) seen.resolve(0);
      });
    },
  );

  await t.step(
    "nested timeouts: the earliest deadline wins, one timer enforces it",
    async () => {
      await withClock(async (clock) => {
        clock.setSystemTime(5_000);
        for (const [outer, inner] of [[100, 30], [30, 100]]) {
          const plain = new OptionsService(false);
          const svc = timeout<number, number>(outer)(
            timeout<number, number>(inner)(plain),
          );
          const call = track(svc.call(1));
          const start = Date.now();
          assert.equal(plain.last.options?.deadline, start + 30);
          await clock.tickAsync(29);
          assert.equal(call.state, "pending");
          await clock.tickAsync(1);
          assert.ok(call.error instanceof TimeoutError, String(call.error));
          assert.equal(call.error.timeoutMs, 30);
          assert.equal(plain.last.options?.signal?.aborted, true);
        }
      });
    },
  );

  await t.step(
    "timeout over a plain service enforces the caller's earlier deadline itself",
    async () => {
      await withClock(async (clock) => {
        const plain = new OptionsService(false);
        const svc = timeout<number, number>(1000)(plain);
        const call = track(svc.call(1, { deadline: Date.now() + 40 }));
        assert.equal(plain.last.options?.deadline, Date.now() + 40);
        await clock.tickAsync(39);
        assert.equal(call.state, "pending");
        await clock.tickAsync(1);
        assert.ok(call.error instanceof TimeoutError);
        assert.equal(plain.last.options?.signal?.reason, call.error);
      });
    },
  );

  await t.step(
    "timeout over a plain service never starts a call whose deadline has passed",
    async () => {
      await withClock(async () => {
        const plain = new OptionsService(false);
        const svc = timeout<number, number>(1000)(plain);
        const call = track(svc.call(1, { deadline: Date.now() - 1 }));
        await flush();
        assert.ok(call.error instanceof TimeoutError);
        assert.equal(plain.seen.length, 0);
        assert.equal(svc.active, 0);
      });
    },
  );

  await t.step(
    "concurrencyLimit: a call still waiting for a permit at its deadline rejects TimeoutError and frees its slot",
    async () => {
      await withClock(async (clock) => {
        const inner = new OptionsService(true);
        const svc = concurrencyLimit<number, number>(1)(inner);
        assert.equal(svc.enforcesDeadline, true);
        const first = track(svc.call(1));
        const controller = new AbortController();
        const waiting = track(
          svc.call(2, { deadline: Date.now() + 30, signal: controller.signal }),
        );
        const patient = track(svc.call(3));
        assert.equal(svc.waiting, 2);
        await clock.tickAsync(30);
        assert.ok(waiting.error instanceof TimeoutError, String(waiting.error));
        assert.equal(svc.waiting, 1);
        assert.equal(abortListeners(controller.signal), 0);
        inner.last.resolve(1);
        await flush();
        assert.equal(first.value, 1);
        // The permit went to the next waiter, not to the one that left.
        assert.deepEqual(inner.seen.map((s) => s.req), [1, 3]);
        inner.last.resolve(3);
        await flush();
        assert.equal(patient.value, 3);
      });
    },
  );

  await t.step(
    "concurrencyLimit: a call with a permit arms nothing for its deadline; one already past is refused",
    async () => {
      await withClock(async (clock) => {
        const inner = new OptionsService(false);
        const svc = concurrencyLimit<number, number>(1)(inner);
        assert.equal(svc.enforcesDeadline, false);
        svc.call(1, { deadline: Date.now() + 10 });
        assert.equal(clock.countTimers(), 0);
        const late = track(svc.call(2, { deadline: Date.now() }));
        await flush();
        assert.ok(late.error instanceof TimeoutError);
        assert.equal(svc.waiting, 0);
        inner.last.resolve(1);
      });
    },
  );

  await t.step(
    "rateLimit: a call still waiting for a token at its deadline rejects TimeoutError",
    async () => {
      await withClock(async (clock) => {
        const inner = new OptionsService(true);
        const svc = rateLimit<number, number>({ requests: 1, per: 100 })(inner);
        assert.equal(svc.enforcesDeadline, true);
        svc.call(1);
        const late = track(svc.call(2, { deadline: Date.now() + 50 }));
        const patient = track(svc.call(3));
        await clock.tickAsync(50);
        assert.ok(late.error instanceof TimeoutError);
        assert.equal(svc.waiting, 1);
        await clock.tickAsync(50);
        assert.deepEqual(inner.seen.map((s) => s.req), [1, 3]);
        for (const seen of inner.seen) seen.resolve(seen.req);
        await flush();
        assert.equal(patient.value, 3);
      });
    },
  );

  await t.step(
    "batch: a caller whose deadline passes leaves its batch, before or after it is sent",
    async () => {
      await withClock(async (clock) => {
        const inner = new OptionsService(false);
        const svc = batch<number, number, number>({
          maxSize: 3,
          maxDelay: 50,
          combine: (reqs) => reqs.length,
        })(inner as unknown as Service<number, number[]>);
        assert.equal(svc.enforcesDeadline, true);
        const early = track(svc.call(1, { deadline: Date.now() + 20 }));
        const other = track(svc.call(2));
        await clock.tickAsync(20);
        assert.ok(early.error instanceof TimeoutError);
        assert.equal(svc.pending, 1);
        await clock.tickAsync(30);
        assert.equal(inner.last.req, 1, "the batch holds one request");
        // A full batch is sent at once; its callers' deadlines still hold.
        const deadline = Date.now() + 10;
        const sent = [3, 4, 5].map((n) => track(svc.call(n, { deadline })));
        assert.equal(inner.seen.length, 2);
        await clock.tickAsync(10);
        assert.ok(sent.every((c) => c.error instanceof TimeoutError));
        // Every caller of the second batch gave up: its inner call aborts.
        assert.equal(inner.last.options?.signal?.aborted, true);
        inner.seen[0].resolve([2] as unknown as number);
        await flush();
        assert.equal(other.value, 2);
        // A caller whose deadline has passed joins no batch.
        const late = track(svc.call(6, { deadline: Date.now() }));
        await flush();
        assert.ok(late.error instanceof TimeoutError);
        assert.equal(svc.pending, 0);
      });
    },
  );

  await t.step(
    "retry: no retry whose backoff would end past the deadline; the last error at once",
    async () => {
      await withClock(async (clock) => {
        const inner = new OptionsService(false);
        const svc = retry<number, number>({
          attempts: 5,
          base: 100,
          random: () => 0.5, // backoffs of 50, 100, 200 ms
          budget: false,
        })(inner);
        const call = track(svc.call(1, { deadline: Date.now() + 120 }));
        inner.last.reject(new OverloadedError("first"));
        await clock.tickAsync(50); // backoff 50 ends at 50 < 120: retried
        assert.equal(inner.seen.length, 2);
        const second = new OverloadedError("second");
        inner.last.reject(second);
        await flush(); // backoff 100 would end at 150 > 120: gives up now
        assert.equal(call.error, second);
        assert.equal(svc.retrying, 0);
        assert.equal(clock.countTimers(), 0);
      });
    },
  );

  await t.step(
    "hedge: no second copy that cannot answer before the deadline",
    async () => {
      await withClock(async (clock) => {
        const inner = new OptionsService(true);
        const svc = hedge<number, number>({ after: 30 })(inner);
        assert.equal(svc.enforcesDeadline, true);
        // 50 ms left: a copy sent at 30 ms would have 20 ms, less than 30.
        svc.call(1, { deadline: Date.now() + 50 });
        assert.equal(clock.countTimers(), 0);
        await clock.tickAsync(40);
        assert.equal(inner.seen.length, 1);
        // 60 ms left: a copy sent at 30 ms still has 30 ms.
        svc.call(2, { deadline: Date.now() + 60 });
        await clock.tickAsync(30);
        assert.equal(inner.seen.length, 3);
        assert.equal(svc.hedged, 1);
        assert.equal(
          inner.last.options?.deadline,
          inner.seen[1].options?.deadline,
        );
        for (const seen of inner.seen) seen.resolve(0);
      });
    },
  );

  await t.step(
    "every pass-through layer says whether the service below enforces deadlines",
    () => {
      for (const enforces of [true, false]) {
        const inner = new OptionsService(enforces);
        const layered: [string, Service<number, number>][] = [
          ["concurrencyLimit", concurrencyLimit<number, number>(1)(inner)],
          [
            "rateLimit",
            rateLimit<number, number>({ requests: 1, per: 1 })(inner),
          ],
          ["loadShed", loadShed<number, number>()(inner)],
          ["retry", retry<number, number>()(inner)],
          ["circuitBreaker", circuitBreaker<number, number>()(inner)],
          ["hedge", hedge<number, number>({ after: 1 })(inner)],
          ["filter", filter<number, number>(() => true)(inner)],
          ["mapRequest", mapRequest<number, number, number>((n) => n)(inner)],
          [
            "mapResponse",
            mapResponse<number, number, number>((n) => n)(inner),
          ],
          ["mapError", mapError<number, number>((e) => e)(inner)],
          ["observe", observe<number, number>({})(inner)],
          ["balance", balance([inner, inner])],
        ];
        for (const [name, svc] of layered) {
          assert.equal(svc.enforcesDeadline, enforces, name);
        }
        // These enforce deadlines themselves, whatever is below.
        assert.equal(timeout<number, number>(1)(inner).enforcesDeadline, true);
      }
      const mixed = balance([
        new OptionsService(true),
        new OptionsService(false),
      ]);
      assert.equal(mixed.enforcesDeadline, false);
    },
  );
});
