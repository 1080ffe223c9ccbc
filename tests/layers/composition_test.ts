// Layers stacked over a spawned server: order semantics (the first layer
// added is the outermost) and that nothing leaks on success, failure and
// abort.

import assert from "node:assert/strict";
import {
  type Layer,
  OverloadedError,
  type Server,
  type Service,
  ServiceBuilder,
  spawn,
  TimeoutError,
} from "../../mod.ts";
import {
  concurrencyLimit,
  type ConcurrencyLimitService,
  loadShed,
  type LoadShedService,
  rateLimit,
  type RateLimitService,
  retry,
  type RetryService,
  timeout,
  type TimeoutService,
} from "../../layers/mod.ts";
import { flush, ManualService, track, withClock } from "./_helpers.ts";

type S = Service<number, number>;

interface Handles {
  svc: Service<number, number>;
  handler: ManualService<number, number>;
  server: Server;
  timeout: TimeoutService<number, number>;
  retry: RetryService<number, number>;
  shed: LoadShedService<number, number>;
  limit: ConcurrencyLimitService<number, number>;
  rate: RateLimitService<number, number>;
}

/**
 * timeout → retry → loadShed → concurrencyLimit → rateLimit → client, as
 * added to the builder, over a spawned server running a hand-driven handler.
 */
function resilientStack(): Handles {
  const handler = new ManualService<number, number>();
  const { client, server } = spawn(handler);
  const h = { handler, server } as Handles;
  h.svc = new ServiceBuilder<number, number>()
    .layer(tap(timeout(1000), (s) => (h.timeout = s)))
    .layer(
      tap(
        retry({
          attempts: 3,
          base: 100,
          random: () => 0.5,
        }),
        (s) => (h.retry = s),
      ),
    )
    .layer(tap(loadShed(), (s) => (h.shed = s)))
    .layer(tap(concurrencyLimit(2), (s) => (h.limit = s)))
    .layer(tap(rateLimit({ requests: 10, per: 100 }), (s) => (h.rate = s)))
    .service(client);
  return h;
}

/** A layer that applies `layer` and hands the service it built to `keep`. */
function tap<T extends S>(
  layer: Layer<S, T>,
  keep: (service: T) => void,
): Layer<S, S> {
  return (inner) => {
    const service = layer(inner);
    keep(service);
    return service;
  };
}

function assertDrained(h: Handles): void {
  assert.equal(h.timeout.active, 0);
  assert.equal(h.retry.retrying, 0);
  assert.equal(h.limit.inFlight, 0);
  assert.equal(h.limit.waiting, 0);
  assert.equal(h.rate.waiting, 0);
  assert.equal(h.handler.active, 0);
  assert.equal(h.server.inFlight, 0);
  assert.equal(h.server.queued, 0);
}

Deno.test("layers composed over a spawned server", async (t) => {
  await t.step(
    "a shed call is retried by the retry layer above loadShed",
    async () => {
      await withClock(async (clock) => {
        const h = resilientStack();
        const a = track(h.svc.call(1));
        const b = track(h.svc.call(2));
        await flush();
        assert.deepEqual(h.handler.received.map((c) => c.req), [1, 2]);
        assert.equal(h.limit.inFlight, 2);
        // No permit: loadShed (above the limit) rejects at once, retry (above
        // loadShed) backs off 50 ms, then 100 ms.
        const c = track(h.svc.call(3));
        await flush();
        assert.equal(h.shed.shed, 1);
        assert.equal(h.limit.waiting, 0); // shed, never queued
        assert.equal(h.retry.retrying, 1);
        await clock.tickAsync(50);
        assert.equal(h.shed.shed, 2);
        h.handler.received[0].resolve(10);
        await clock.tickAsync(100);
        assert.deepEqual(h.handler.received.map((r) => r.req), [1, 2, 3]);
        h.handler.received[1].resolve(20);
        h.handler.received[2].resolve(30);
        await flush();
        assert.deepEqual([a.value, b.value, c.value], [10, 20, 30]);
        assertDrained(h);
        await h.server.close();
      });
    },
  );

  await t.step(
    "exhausted retries surface the last OverloadedError",
    async () => {
      await withClock(async (clock) => {
        const h = resilientStack();
        h.svc.call(1);
        h.svc.call(2);
        const c = track(h.svc.call(3));
        await clock.tickAsync(200);
        assert.ok(c.error instanceof OverloadedError);
        assert.ok(!Object.hasOwn(c.error, "cause"), "retry wrote a cause");
        assert.equal(h.shed.shed, 3); // three attempts
        for (const call of h.handler.received) call.resolve(0);
        await flush();
        assertDrained(h);
        await h.server.close();
      });
    },
  );

  await t.step(
    "the outermost timeout bounds the whole call and is not retried",
    async () => {
      await withClock(async (clock) => {
        const h = resilientStack();
        const call = track(h.svc.call(1));
        await clock.tickAsync(1000);
        assert.ok(call.error instanceof TimeoutError);
        assert.equal(call.error.elapsedMs, 1000);
        // The timeout aborted the call below it, through the channel, down to
        // the handler; retry saw its caller's abort and did not retry.
        assert.equal(h.handler.received.length, 1);
        assert.equal(h.handler.received[0].signal?.reason, call.error);
        await flush();
        assertDrained(h);
        await h.server.close();
      });
    },
  );

  await t.step("a timeout below retry is retried per attempt", async () => {
    await withClock(async (clock) => {
      const handler = new ManualService<number, number>();
      const { client, server } = spawn(handler);
      const retried: unknown[] = [];
      const svc = new ServiceBuilder<number, number>()
        .layer(retry({
          attempts: 3,
          base: 10,
          random: () => 0,
          onRetry: ({ error }) => retried.push(error),
        }))
        .layer(timeout(100))
        .service(client);
      const call = track(svc.call(1));
      await clock.tickAsync(1000);
      assert.equal(handler.received.length, 3);
      assert.ok(call.error instanceof TimeoutError);
      assert.equal(retried.length, 2);
      assert.ok(retried.every((error) => error instanceof TimeoutError));
      assert.ok(handler.received.every((r) => r.signal?.aborted));
      await flush();
      assert.equal(server.inFlight, 0);
      await server.close();
    });
  });

  await t.step(
    "a rate limit below the concurrency limit holds permits while it waits",
    async () => {
      await withClock(async (clock) => {
        const handler = new ManualService<number, number>();
        const { client, server } = spawn(handler);
        let limit!: ConcurrencyLimitService<number, number>;
        let rate!: RateLimitService<number, number>;
        const svc = new ServiceBuilder<number, number>()
          .layer(tap(concurrencyLimit(5), (s) => (limit = s)))
          .layer(tap(rateLimit({ requests: 1, per: 100 }), (s) => (rate = s)))
          .service(client);
        const calls = [1, 2, 3].map((n) => track(svc.call(n)));
        await flush();
        assert.equal(limit.inFlight, 3);
        assert.equal(rate.waiting, 2);
        assert.equal(handler.received.length, 1);
        await clock.tickAsync(200);
        assert.equal(handler.received.length, 3);
        for (const r of handler.received) r.resolve(r.req);
        await flush();
        assert.deepEqual(calls.map((c) => c.value), [1, 2, 3]);
        assert.equal(limit.inFlight, 0);
        await server.close();
      });
    },
  );

  await t.step("aborts at every waiting point release everything", async () => {
    await withClock(async (clock) => {
      const handler = new ManualService<number, number>();
      const { client, server } = spawn(handler, { concurrency: 1 });
      const h = { handler, server } as Handles;
      // No loadShed here, so calls queue in the concurrency limit.
      h.svc = new ServiceBuilder<number, number>()
        .layer(tap(timeout(10_000), (s) => (h.timeout = s)))
        .layer(
          tap(retry({ base: 1000, random: () => 0.5 }), (s) => (h.retry = s)),
        )
        .layer(tap(concurrencyLimit(3), (s) => (h.limit = s)))
        .layer(tap(rateLimit({ requests: 2, per: 1000 }), (s) => (h.rate = s)))
        .service(client);
      const controllers = Array.from(
        { length: 6 },
        () => new AbortController(),
      );
      const calls = controllers.map((c, n) =>
        track(h.svc.call(n, { signal: c.signal }))
      );
      await flush();
      // 0 runs in the handler, 1 is queued in the server (concurrency 1),
      // 2 waits for a token, 3..5 wait for a permit.
      assert.equal(handler.received.length, 1);
      assert.equal(server.queued, 1);
      assert.equal(h.rate.waiting, 1);
      assert.equal(h.limit.waiting, 3);
      // 0 fails with an overload: retry backs off.
      handler.received[0].reject(new OverloadedError("busy"));
      await flush();
      assert.equal(h.retry.retrying, 1);
      // Abort each in turn: in backoff, in the server queue or the handler,
      // waiting for a token, waiting for a permit.
      for (const [n, controller] of controllers.entries()) {
        controller.abort(`abort ${n}`);
        await flush();
      }
      assert.deepEqual(calls.map((c) => c.error), [
        "abort 0",
        "abort 1",
        "abort 2",
        "abort 3",
        "abort 4",
        "abort 5",
      ]);
      assertDrained(h);
      // Only the channel's deadline timer may stay: kept (unref'd) for the
      // next call until its due time, and cleared when the server closes.
      assert.ok(clock.countTimers() <= 1);
      await h.server.close();
      assert.equal(clock.countTimers(), 0);
    });
  });
});
