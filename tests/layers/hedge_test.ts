import assert from "node:assert/strict";
import { hedge } from "../../layers/hedge.ts";
import {
  assertInvalidOption,
  flush,
  listenerCount,
  ManualService,
  track,
  withClock,
  wrong,
} from "./_helpers.ts";

Deno.test("hedge()", async (t) => {
  await t.step("a fast answer sends no second copy", async () => {
    await withClock(async (clock) => {
      const inner = new ManualService<string, string>();
      const svc = hedge<string, string>({ after: 50 })(inner);
      const call = track(svc.call("q"));
      assert.equal(clock.countTimers(), 1);
      await clock.tickAsync(49);
      inner.last.resolve("a");
      await flush();
      assert.equal(call.value, "a");
      assert.equal(clock.countTimers(), 0);
      assert.equal(svc.hedged, 0);
      assert.equal(svc.active, 0);
      await clock.tickAsync(100);
      assert.equal(inner.received.length, 1);
    });
  });

  await t.step(
    "a slow call is hedged; the second copy wins, the first is aborted",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<string, string>();
        const svc = hedge<string, string>({ after: 50 })(inner);
        const call = track(svc.call("q"));
        await clock.tickAsync(50);
        assert.equal(inner.received.length, 2);
        assert.equal(inner.received[1].req, "q");
        assert.equal(svc.hedged, 1);
        inner.received[1].resolve("second");
        await flush();
        assert.equal(call.value, "second");
        const loser = inner.received[0];
        assert.equal(loser.signal?.aborted, true);
        assert.ok(loser.signal?.reason instanceof DOMException);
        assert.equal(loser.signal?.reason.name, "AbortError");
        assert.equal(svc.active, 0);
      });
    },
  );

  await t.step(
    "the first copy can still win after the hedge is sent",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<string, string>();
        const svc = hedge<string, string>({ after: 10 })(inner);
        const call = track(svc.call("q"));
        await clock.tickAsync(10);
        inner.received[0].resolve("first");
        await flush();
        assert.equal(call.value, "first");
        assert.equal(inner.received[1].signal?.aborted, true);
      });
    },
  );

  await t.step(
    "the first copy to settle wins, even with an error",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<string, string>();
        const svc = hedge<string, string>({ after: 10 })(inner);
        const call = track(svc.call("q"));
        await clock.tickAsync(10);
        const boom = new Error("boom");
        inner.received[0].reject(boom);
        await flush();
        assert.equal(call.error, boom);
        assert.equal(inner.received[1].signal?.aborted, true);
      });
    },
  );

  await t.step(
    "no second copy while the inner service is not ready",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<string, string>();
        const svc = hedge<string, string>({ after: 10 })(inner);
        const call = track(svc.call("q"));
        inner.isReady = () => false;
        await clock.tickAsync(10);
        assert.equal(inner.received.length, 1);
        assert.equal(svc.hedged, 0);
        inner.last.resolve("a");
        await flush();
        assert.equal(call.value, "a");
        assert.equal(svc.ready(), false);
      });
    },
  );

  await t.step(
    "a caller abort before the hedge rejects at once and clears the timer",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<string, string>();
        const svc = hedge<string, string>({ after: 50 })(inner);
        const controller = new AbortController();
        const listeners = listenerCount(controller.signal);
        const call = track(svc.call("q", { signal: controller.signal }));
        assert.equal(listeners(), 1);
        await clock.tickAsync(10);
        controller.abort("stop");
        await flush();
        assert.equal(call.error, "stop");
        assert.equal(inner.received[0].signal?.reason, "stop");
        assert.equal(clock.countTimers(), 0);
        assert.equal(listeners(), 0);
        assert.equal(svc.active, 0);
      });
    },
  );

  await t.step(
    "a caller abort after the hedge aborts both copies",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<string, string>();
        const svc = hedge<string, string>({ after: 5 })(inner);
        const controller = new AbortController();
        const call = track(svc.call("q", { signal: controller.signal }));
        await clock.tickAsync(5);
        controller.abort("stop");
        await flush();
        assert.equal(call.error, "stop");
        assert.deepEqual(inner.received.map((c) => c.signal?.reason), [
          "stop",
          "stop",
        ]);
      });
    },
  );

  await t.step("an already aborted call sends nothing", async () => {
    await withClock(async () => {
      const inner = new ManualService<string, string>();
      const svc = hedge<string, string>({ after: 5 })(inner);
      await assert.rejects(
        svc.call("q", { signal: AbortSignal.abort("no") }),
        (err) => err === "no",
      );
      assert.equal(inner.received.length, 0);
      assert.equal(svc.active, 0);
    });
  });

  await t.step("a synchronous throw is a rejection", async () => {
    await withClock(async () => {
      const svc = hedge<string, string>({ after: 5 })({
        call: () => {
          throw new TypeError("sync");
        },
      });
      await assert.rejects(svc.call("q"), TypeError);
      assert.equal(svc.active, 0);
    });
  });

  await t.step("percentile: learns the delay from recent answers", async () => {
    await withClock(async (clock) => {
      const inner = new ManualService<number, number>();
      const svc = hedge<number, number>({
        after: { percentile: 0.9, window: 10, minSamples: 10 },
      })(inner);
      // While learning, nothing is hedged and no timer is set.
      for (let ms = 10; ms <= 100; ms += 10) {
        assert.equal(svc.delay, undefined);
        const call = track(svc.call(ms));
        assert.equal(clock.countTimers(), 0);
        await clock.tickAsync(ms);
        inner.last.resolve(ms);
        await flush();
        assert.equal(call.value, ms);
      }
      assert.equal(svc.samples, 10);
      assert.equal(svc.delay, 90); // p90 of 10, 20, ..., 100
      const slow = track(svc.call(1));
      await clock.tickAsync(89);
      assert.equal(svc.hedged, 0);
      await clock.tickAsync(1);
      assert.equal(svc.hedged, 1);
      inner.last.resolve(2);
      await flush();
      assert.equal(slow.value, 2);
      // Fast answers pull the percentile down (recomputed every sample here).
      for (let i = 0; i < 10; i++) {
        svc.call(i);
        await clock.tickAsync(1);
        inner.last.resolve(i);
        await flush();
      }
      assert.equal(svc.delay, 1);
    });
  });

  await t.step(
    "percentile: a shrinking delay orders deadlines correctly",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<number, number>();
        const svc = hedge<number, number>({
          after: { percentile: 1, window: 1, minSamples: 1 },
        })(inner);
        const answer = async (ms: number) => {
          svc.call(0);
          await clock.tickAsync(ms);
          inner.last.resolve(0);
          await flush();
        };
        await answer(100);
        assert.equal(svc.delay, 100);
        const slow = track(svc.call(1)); // hedged at t + 100
        const helper = track(svc.call(2)); // answers after 10 ms: delay -> 10
        await clock.tickAsync(10);
        inner.received.at(-1)!.resolve(2);
        await flush();
        assert.equal(helper.value, 2);
        assert.equal(svc.delay, 10);
        const fast = track(svc.call(3)); // hedged at t + 10, before `slow`
        await clock.tickAsync(10);
        assert.equal(svc.hedged, 1);
        assert.equal(inner.last.req, 3);
        await clock.tickAsync(80);
        assert.equal(svc.hedged, 2);
        assert.equal(inner.last.req, 1);
        for (const call of inner.received) call.resolve(call.req);
        await flush();
        assert.equal(slow.value, 1);
        assert.equal(fast.value, 3);
        assert.equal(svc.active, 0);
      });
    },
  );

  await t.step("percentile: failures are not latency samples", async () => {
    await withClock(async () => {
      const inner = new ManualService<number, number>();
      const svc = hedge<number, number>({
        after: { percentile: 0.5, minSamples: 1 },
      })(inner);
      const call = track(svc.call(1));
      inner.last.reject(new Error("x"));
      await flush();
      assert.equal(call.state, "rejected");
      assert.equal(svc.samples, 0);
    });
  });

  await t.step("forwards ready()", () => {
    const inner = new ManualService<string, string>();
    const svc = hedge<string, string>({ after: 1 })(inner);
    assert.equal(svc.ready(), true);
    inner.isReady = () => false;
    assert.equal(svc.ready(), false);
  });

  await t.step("rejects invalid options", () => {
    for (const after of [-1, NaN, Infinity]) {
      assertInvalidOption(() => hedge({ after }), "hedge.after", after);
    }
    for (const after of ["5", null, undefined]) {
      assertInvalidOption(
        () => hedge({ after: wrong(after) }),
        "hedge.after",
        after,
      );
    }
    for (const percentile of [0, -0.5, 1.5, 95, NaN]) {
      assertInvalidOption(
        () => hedge({ after: { percentile } }),
        "hedge.after.percentile",
        percentile,
      );
    }
    assertInvalidOption(
      () => hedge({ after: { percentile: wrong("p95") } }),
      "hedge.after.percentile",
      "p95",
    );
    assertInvalidOption(
      () => hedge({ after: { percentile: 0.9, window: 0 } }),
      "hedge.after.window",
      0,
    );
    assertInvalidOption(
      () => hedge({ after: { percentile: 0.9, minSamples: 1.5 } }),
      "hedge.after.minSamples",
      1.5,
    );
    assertInvalidOption(
      () => hedge({ after: { percentile: 0.9, window: 10, minSamples: 20 } }),
      "hedge.after.minSamples",
      20,
    );
    assertInvalidOption(() => hedge(wrong(null)), "hedge options", null);
  });
});
