import assert from "node:assert/strict";
import fc from "fast-check";
import { OverloadedError, TimeoutError } from "../../errors.ts";
import { serviceFn } from "../../service.ts";
import { concurrencyLimit } from "../../layers/concurrency_limit.ts";
import {
  assertInvalidOption,
  flush,
  listenerCount,
  ManualService,
  track,
  withClock,
  wrong,
} from "./_helpers.ts";

Deno.test("concurrencyLimit()", async (t) => {
  await t.step("passes calls through while permits are free", async () => {
    const inner = new ManualService<number, number>();
    const svc = concurrencyLimit<number, number>(2)(inner);
    assert.deepEqual([svc.max, svc.available, svc.inFlight], [2, 2, 0]);
    const a = track(svc.call(1));
    assert.deepEqual([svc.available, svc.inFlight, svc.waiting], [1, 1, 0]);
    assert.equal(inner.received.length, 1);
    inner.last.resolve(10);
    await flush();
    assert.deepEqual(a, { state: "fulfilled", value: 10 });
    assert.deepEqual([svc.available, svc.inFlight], [2, 0]);
  });

  await t.step("queues beyond the limit and serves waiters FIFO", async () => {
    const inner = new ManualService<number, number>();
    const svc = concurrencyLimit<number, number>(2)(inner);
    const calls = [1, 2, 3, 4, 5].map((n) => track(svc.call(n)));
    assert.deepEqual(inner.received.map((c) => c.req), [1, 2]);
    assert.equal(svc.waiting, 3);
    assert.equal(svc.available, 0);
    assert.equal(svc.ready(), false);
    inner.received[1].resolve(20);
    await flush();
    assert.deepEqual(inner.received.map((c) => c.req), [1, 2, 3]);
    inner.received[0].reject(new Error("one failed"));
    await flush();
    assert.deepEqual(inner.received.map((c) => c.req), [1, 2, 3, 4]);
    assert.equal(inner.maxActive, 2);
    for (const call of inner.received.slice(2)) call.resolve(call.req * 10);
    await flush();
    inner.last.resolve(50);
    await flush();
    assert.deepEqual(inner.received.map((c) => c.req), [1, 2, 3, 4, 5]);
    assert.equal(calls[0].state, "rejected");
    assert.deepEqual(calls.slice(1).map((c) => c.value), [20, 30, 40, 50]);
    assert.deepEqual([svc.available, svc.inFlight, svc.waiting], [2, 0, 0]);
    assert.equal(svc.ready(), true);
  });

  await t.step("a waiter that aborts leaves the queue at once", async () => {
    const inner = new ManualService<number, number>();
    const svc = concurrencyLimit<number, number>(1)(inner);
    const first = track(svc.call(1));
    const controller = new AbortController();
    const listeners = listenerCount(controller.signal);
    const second = track(svc.call(2, { signal: controller.signal }));
    const third = track(svc.call(3));
    assert.equal(svc.waiting, 2);
    assert.equal(listeners(), 1);
    const reason = new Error("gave up");
    controller.abort(reason);
    await flush();
    assert.equal(second.state, "rejected");
    assert.equal(second.error, reason);
    assert.equal(svc.waiting, 1);
    assert.equal(listeners(), 0);
    inner.last.resolve(1);
    await flush();
    // The permit skips the aborted waiter.
    assert.deepEqual(inner.received.map((c) => c.req), [1, 3]);
    inner.last.resolve(3);
    await flush();
    assert.equal(first.value, 1);
    assert.equal(third.value, 3);
    assert.deepEqual([svc.available, svc.waiting], [1, 0]);
  });

  await t.step(
    "a waiter that gets its permit drops its abort listener",
    async () => {
      const inner = new ManualService<number, number>();
      const svc = concurrencyLimit<number, number>(1)(inner);
      svc.call(1);
      const controller = new AbortController();
      const listeners = listenerCount(controller.signal);
      const second = track(svc.call(2, { signal: controller.signal }));
      inner.received[0].resolve(1);
      await flush();
      // Only the inner service's own listener is left.
      assert.equal(inner.last.req, 2);
      assert.equal(listeners(), 1);
      inner.last.resolve(2);
      await flush();
      assert.equal(listeners(), 0);
      assert.equal(second.value, 2);
    },
  );

  await t.step(
    "an abort while running frees the permit when the inner call settles",
    async () => {
      const inner = new ManualService<number, number>();
      const svc = concurrencyLimit<number, number>(1)(inner);
      const controller = new AbortController();
      const running = track(svc.call(1, { signal: controller.signal }));
      const waiting = track(svc.call(2));
      controller.abort("stop");
      await flush();
      assert.equal(running.error, "stop");
      assert.equal(inner.received[0].settled, true);
      assert.equal(inner.last.req, 2);
      inner.last.resolve(2);
      await flush();
      assert.equal(waiting.value, 2);
      assert.equal(svc.inFlight, 0);
    },
  );

  await t.step("an already aborted call takes no permit", async () => {
    const inner = new ManualService<number, number>();
    const svc = concurrencyLimit<number, number>(1)(inner);
    const reason = new Error("early");
    await assert.rejects(
      svc.call(1, { signal: AbortSignal.abort(reason) }),
      (err) => err === reason,
    );
    assert.equal(inner.received.length, 0);
    assert.equal(svc.available, 1);
  });

  await t.step("a synchronous throw releases the permit", async () => {
    const svc = concurrencyLimit<number, number>(1)({
      call: () => {
        throw new OverloadedError("sync");
      },
    });
    await assert.rejects(svc.call(1), OverloadedError);
    await assert.rejects(svc.call(2), OverloadedError);
    assert.equal(svc.available, 1);
  });

  await t.step("ready() also reflects the inner service", () => {
    const inner = new ManualService<number, number>();
    const svc = concurrencyLimit<number, number>(3)(inner);
    assert.equal(svc.ready(), true);
    inner.isReady = () => false;
    assert.equal(svc.ready(), false);
    const plain = concurrencyLimit<number, number>(1)(serviceFn((n) => n));
    assert.equal(plain.ready(), true);
  });

  await t.step("rejects invalid limits", () => {
    for (const max of [0, -1, 1.5, NaN, Infinity]) {
      assertInvalidOption(
        () => concurrencyLimit(max),
        "concurrencyLimit.max",
        max,
      );
    }
    assertInvalidOption(
      () => concurrencyLimit(wrong("4")),
      "concurrencyLimit.max",
      "4",
    );
    assertInvalidOption(
      () => concurrencyLimit(wrong(null)),
      "concurrencyLimit.max",
      null,
    );
  });

  await t.step(
    "property: never more than max in flight, FIFO, deadlines honoured while waiting, nothing leaks",
    async () => {
      const step = fc.oneof(
        fc.record({
          kind: fc.constant("call" as const),
          abortable: fc.boolean(),
          // ms from now, or none
          deadline: fc.option(fc.integer({ min: 0, max: 40 }), {
            nil: undefined,
          }),
        }),
        fc.record({ kind: fc.constant("abort" as const), index: fc.nat() }),
        fc.record({
          kind: fc.constant("complete" as const),
          index: fc.nat(),
          ok: fc.boolean(),
        }),
        fc.record({
          kind: fc.constant("tick" as const),
          ms: fc.integer({ min: 1, max: 20 }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 4 }),
          fc.array(step, { maxLength: 80, size: "max" }),
          (max, steps) =>
            withClock(async (clock) => {
              const inner = new ManualService<number, number>();
              const svc = concurrencyLimit<number, number>(max)(inner);
              const callers: {
                controller?: AbortController;
                deadline?: number;
                result: ReturnType<typeof track<number>>;
              }[] = [];
              const check = () => {
                assert.ok(inner.active <= max, "more than max in flight");
                assert.equal(svc.inFlight, inner.active);
                assert.equal(svc.inFlight + svc.available, max);
                if (svc.waiting > 0) assert.equal(svc.available, 0);
                const reqs = inner.received.map((c) => c.req);
                assert.deepEqual(
                  reqs,
                  [...reqs].sort((a, b) => a - b),
                  "FIFO",
                );
                // No caller still waits past its deadline.
                for (const caller of callers) {
                  if (
                    caller.deadline !== undefined &&
                    caller.deadline <= Date.now() &&
                    caller.result.state === "pending"
                  ) {
                    const n = callers.indexOf(caller);
                    assert.ok(
                      inner.received.some((c) => c.req === n),
                      `caller ${n} still waits past its deadline`,
                    );
                  }
                }
              };
              for (const s of steps) {
                if (s.kind === "call") {
                  const controller = s.abortable
                    ? new AbortController()
                    : undefined;
                  const n = callers.length;
                  const deadline = s.deadline === undefined
                    ? undefined
                    : Date.now() + s.deadline;
                  callers.push({
                    controller,
                    deadline,
                    result: track(
                      svc.call(n, { signal: controller?.signal, deadline }),
                    ),
                  });
                } else if (s.kind === "abort") {
                  const caller = callers[s.index % Math.max(1, callers.length)];
                  caller?.controller?.abort(new Error("abort"));
                } else if (s.kind === "tick") {
                  await clock.tickAsync(s.ms);
                } else {
                  const open = inner.received.filter((c) => !c.settled);
                  const call = open[s.index % Math.max(1, open.length)];
                  if (s.ok) call?.resolve(call.req * 10);
                  else call?.reject(new Error("failed"));
                }
                await flush();
                check();
              }
              // Drain: answer everything still running until nothing is left.
              for (
                let open;
                (open = inner.received.filter((c) => !c.settled)).length;
              ) {
                for (const call of open) call.resolve(call.req * 10);
                await flush();
                check();
              }
              assert.deepEqual([svc.inFlight, svc.waiting, svc.available], [
                0,
                0,
                max,
              ]);
              callers.forEach((caller, n) => {
                assert.notEqual(caller.result.state, "pending");
                const ran = inner.received.some((c) => c.req === n);
                if (caller.result.state === "fulfilled") {
                  assert.equal(caller.result.value, n * 10);
                } else if (caller.result.error instanceof TimeoutError) {
                  assert.ok(!ran, `caller ${n} timed out after it ran`);
                  assert.ok(caller.deadline !== undefined);
                }
              });
              // withClock checks that no timer is left behind.
            }),
        ),
        { numRuns: 150 },
      );
    },
  );
});
