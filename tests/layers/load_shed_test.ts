import assert from "node:assert/strict";
import { OverloadedError } from "../../errors.ts";
import { ServiceBuilder, serviceFn } from "../../service.ts";
import { concurrencyLimit } from "../../layers/concurrency_limit.ts";
import { loadShed } from "../../layers/load_shed.ts";
import { flush, ManualService, track } from "./_helpers.ts";

Deno.test("loadShed()", async (t) => {
  await t.step(
    "passes calls through while the inner service is ready",
    async () => {
      const inner = new ManualService<number, number>();
      const svc = loadShed<number, number>()(inner);
      const call = track(svc.call(1));
      const controller = new AbortController();
      svc.call(2, { signal: controller.signal });
      assert.equal(inner.received[1].signal, controller.signal);
      inner.received[0].resolve(10);
      await flush();
      assert.equal(call.value, 10);
      assert.equal(svc.shed, 0);
    },
  );

  await t.step(
    "sheds at once when the inner service is not ready",
    async () => {
      const inner = new ManualService<number, number>();
      inner.isReady = () => false;
      const svc = loadShed<number, number>()(inner);
      await assert.rejects(svc.call(1), (err) => {
        assert.ok(err instanceof OverloadedError);
        assert.match(err.message, /shed/);
        return true;
      });
      assert.equal(inner.received.length, 0);
      assert.equal(svc.shed, 1);
      // The shed service itself always answers at once.
      assert.equal(svc.ready(), true);
    },
  );

  await t.step(
    "sheds over a full concurrency limit instead of queueing",
    async () => {
      const inner = new ManualService<number, number>();
      const svc = new ServiceBuilder<number, number>()
        .layer(loadShed())
        .layer(concurrencyLimit(2))
        .service(inner);
      const a = track(svc.call(1));
      const b = track(svc.call(2));
      await assert.rejects(svc.call(3), OverloadedError);
      inner.received[0].resolve(1);
      await flush();
      const c = track(svc.call(4));
      assert.deepEqual(inner.received.map((r) => r.req), [1, 2, 4]);
      inner.received[1].resolve(2);
      inner.received[2].resolve(4);
      await flush();
      assert.deepEqual([a.value, b.value, c.value], [1, 2, 4]);
    },
  );

  await t.step("a service without ready() is always called", async () => {
    const svc = loadShed<number, number>()(serviceFn((n: number) => n + 1));
    assert.equal(await svc.call(1), 2);
  });

  await t.step(
    "a synchronous throw from the inner service is a rejection",
    async () => {
      const svc = loadShed<number, number>()({
        call: () => {
          throw new TypeError("sync");
        },
      });
      await assert.rejects(svc.call(1), TypeError);
    },
  );

  await t.step(
    "an already aborted call rejects with its reason and never reaches the inner service",
    async () => {
      const inner = new ManualService<number, number>();
      const svc = loadShed<number, number>()(inner);
      await assert.rejects(
        svc.call(1, { signal: AbortSignal.abort("gone") }),
        (err) => err === "gone",
      );
      assert.equal(inner.received.length, 0);
      assert.equal(svc.shed, 0, "an aborted call is not a shed one");
    },
  );

  await t.step(
    "a call aborted while running rejects with its reason (the inner service stops it)",
    async () => {
      const inner = new ManualService<number, number>();
      const svc = loadShed<number, number>()(inner);
      const controller = new AbortController();
      const call = svc.call(1, { signal: controller.signal });
      assert.equal(inner.received.length, 1);
      assert.equal(inner.last.signal, controller.signal);
      controller.abort("gone");
      await assert.rejects(call, (err) => err === "gone");
    },
  );
});
