import assert from "node:assert/strict";
import { TimeoutError } from "../../errors.ts";
import { ServiceBuilder, serviceFn } from "../../service.ts";
import { timeout } from "../../layers/timeout.ts";
import {
  assertInvalidOption,
  flush,
  ManualService,
  track,
  withClock,
  wrong,
} from "./_helpers.ts";

Deno.test("timeout()", async (t) => {
  await t.step("passes a response through and clears its timer", async () => {
    await withClock(async (clock) => {
      const inner = new ManualService<string, number>();
      const svc = timeout<string, number>(50)(inner);
      const call = track(svc.call("abc"));
      assert.equal(clock.countTimers(), 1);
      assert.equal(svc.active, 1);
      await clock.tickAsync(49);
      inner.last.resolve(3);
      await flush();
      assert.deepEqual(call, { state: "fulfilled", value: 3 });
      assert.equal(clock.countTimers(), 0);
      assert.equal(svc.active, 0);
      assert.equal(inner.last.signal?.aborted, false);
    });
  });

  await t.step("passes an inner error through unchanged", async () => {
    await withClock(async () => {
      const boom = new Error("boom");
      const svc = timeout<string, number>(50)(serviceFn(() => {
        throw boom;
      }));
      await assert.rejects(svc.call("x"), (err) => err === boom);
    });
  });

  await t.step(
    "rejects TimeoutError naming method and elapsed time, aborting the inner call",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<{ method: string }, number>();
        const svc = timeout<{ method: string }, number>(50)(inner);
        const call = track(svc.call({ method: "getUser" }));
        await clock.tickAsync(49);
        assert.equal(call.state, "pending");
        await clock.tickAsync(1);
        assert.equal(call.state, "rejected");
        const err = call.error;
        assert.ok(err instanceof TimeoutError);
        assert.equal(err.method, "getUser");
        assert.equal(err.timeoutMs, 50);
        assert.equal(err.elapsedMs, 50);
        assert.match(err.message, /getUser timed out after 50 ms/);
        // The inner call sees its signal abort with the same error.
        assert.equal(inner.last.signal?.aborted, true);
        assert.equal(inner.last.signal?.reason, err);
        assert.equal(inner.last.settled, true);
        assert.equal(svc.active, 0);
      });
    },
  );

  await t.step(
    "staggered calls share one timer and each expires on time",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<number, number>();
        const svc = timeout<number, number>(50)(inner);
        const calls = [];
        for (let i = 0; i < 4; i++) {
          calls.push(track(svc.call(i)));
          assert.equal(clock.countTimers(), 1);
          await clock.tickAsync(10);
        }
        // t = 40: answer the first (the one the timer is armed for) and the third.
        inner.received[0].resolve(0);
        inner.received[2].resolve(2);
        await flush();
        assert.equal(svc.active, 2);
        await clock.tickAsync(19); // t = 59
        assert.equal(calls[1].state, "pending");
        await clock.tickAsync(1); // t = 60: call 1 started at 10
        assert.ok(calls[1].error instanceof TimeoutError);
        assert.equal((calls[1].error as TimeoutError).elapsedMs, 50);
        assert.equal(calls[3].state, "pending");
        await clock.tickAsync(20); // t = 80: call 3 started at 30
        assert.ok(calls[3].error instanceof TimeoutError);
        assert.deepEqual([calls[0].value, calls[2].value], [0, 2]);
        assert.equal(svc.active, 0);
        assert.equal(clock.countTimers(), 0);
      });
    },
  );

  await t.step("a late answer after the timeout is ignored", async () => {
    await withClock(async (clock) => {
      let answer!: (n: number) => void;
      // An inner service that ignores its signal.
      const svc = timeout<string, number>(10)({
        call: () => new Promise<number>((resolve) => (answer = resolve)),
      });
      const call = track(svc.call("x"));
      await clock.tickAsync(10);
      answer(1);
      await flush();
      assert.equal(call.state, "rejected");
      assert.ok(call.error instanceof TimeoutError);
      assert.equal((call.error as TimeoutError).method, undefined);
    });
  });

  await t.step(
    "a caller abort rejects at once with signal.reason",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<string, number>();
        const svc = timeout<string, number>(50)(inner);
        const controller = new AbortController();
        const call = track(svc.call("x", { signal: controller.signal }));
        await clock.tickAsync(10);
        const reason = new Error("user left");
        controller.abort(reason);
        await flush();
        assert.equal(call.state, "rejected");
        assert.equal(call.error, reason);
        assert.equal(inner.last.signal?.reason, reason);
        assert.equal(clock.countTimers(), 0);
        assert.equal(svc.active, 0);
      });
    },
  );

  await t.step(
    "an already aborted signal never reaches the inner service",
    async () => {
      await withClock(async () => {
        const inner = new ManualService<string, number>();
        const svc = timeout<string, number>(50)(inner);
        const reason = new Error("already");
        await assert.rejects(
          svc.call("x", { signal: AbortSignal.abort(reason) }),
          (err) => err === reason,
        );
        assert.equal(inner.received.length, 0);
      });
    },
  );

  await t.step(
    "a synchronous throw from the inner service is a rejection",
    async () => {
      await withClock(async () => {
        const svc = timeout<string, number>(50)({
          call: () => {
            throw new RangeError("sync");
          },
        });
        await assert.rejects(svc.call("x"), RangeError);
        assert.equal(svc.active, 0);
      });
    },
  );

  await t.step("forwards ready() and composes in a builder", async () => {
    await withClock(() => {
      const inner = new ManualService<string, number>();
      const svc = new ServiceBuilder<string, number>()
        .layer(timeout(5))
        .service(inner);
      assert.equal(svc.ready?.(), true);
      inner.isReady = () => false;
      assert.equal(svc.ready?.(), false);
    });
  });

  await t.step("rejects invalid limits", () => {
    for (const ms of [0, -1, NaN, Infinity]) {
      assertInvalidOption(() => timeout(ms), "timeout.ms", ms);
    }
    assertInvalidOption(() => timeout(wrong("50")), "timeout.ms", "50");
    assertInvalidOption(
      () => timeout(wrong(undefined)),
      "timeout.ms",
      undefined,
    );
  });
});
