import assert from "node:assert/strict";
import fc from "fast-check";
import { TimeoutError } from "../../errors.ts";
import { serviceFn } from "../../service.ts";
import { rateLimit } from "../../layers/rate_limit.ts";
import {
  assertInvalidOption,
  flush,
  listenerCount,
  ManualService,
  track,
  withClock,
  wrong,
} from "./_helpers.ts";

Deno.test("rateLimit()", async (t) => {
  await t.step("lets a burst through, then one call per interval", async () => {
    await withClock(async (clock) => {
      const inner = new ManualService<number, number>();
      const svc = rateLimit<number, number>({ requests: 2, per: 1000 })(inner);
      assert.equal(svc.available, 2);
      svc.call(1);
      svc.call(2);
      assert.equal(inner.received.length, 2);
      assert.equal(svc.available, 0);
      assert.equal(svc.ready(), false);
      const third = track(svc.call(3));
      assert.equal(svc.waiting, 1);
      await clock.tickAsync(499);
      assert.equal(inner.received.length, 2);
      await clock.tickAsync(1);
      assert.equal(inner.received.length, 3);
      assert.equal(svc.waiting, 0);
      inner.last.resolve(30);
      await flush();
      assert.equal(third.value, 30);
      // After a quiet spell the bucket is full again, but no fuller.
      await clock.tickAsync(10_000);
      assert.equal(svc.available, 2);
      assert.equal(svc.ready(), true);
    });
  });

  await t.step("burst may differ from requests", async () => {
    await withClock(async (clock) => {
      const inner = new ManualService<number, number>();
      const svc = rateLimit<number, number>({
        requests: 10,
        per: 1000,
        burst: 1,
      })(
        inner,
      );
      for (let i = 0; i < 3; i++) svc.call(i);
      assert.equal(inner.received.length, 1);
      await clock.tickAsync(100);
      assert.equal(inner.received.length, 2);
      await clock.tickAsync(100);
      assert.equal(inner.received.length, 3);
    });
  });

  await t.step("waiters are served FIFO with a single timer", async () => {
    await withClock(async (clock) => {
      const inner = new ManualService<number, number>();
      const svc = rateLimit<number, number>({ requests: 1, per: 100 })(inner);
      for (let i = 0; i < 5; i++) svc.call(i);
      assert.equal(svc.waiting, 4);
      assert.equal(clock.countTimers(), 1);
      await clock.tickAsync(250);
      assert.deepEqual(inner.received.map((c) => c.req), [0, 1, 2]);
      await clock.tickAsync(200);
      assert.deepEqual(inner.received.map((c) => c.req), [0, 1, 2, 3, 4]);
      assert.equal(clock.countTimers(), 0);
    });
  });

  await t.step(
    "an aborted waiter frees its place and its listener",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<number, number>();
        const svc = rateLimit<number, number>({ requests: 1, per: 100 })(inner);
        svc.call(0);
        const controller = new AbortController();
        const listeners = listenerCount(controller.signal);
        const aborted = track(svc.call(1, { signal: controller.signal }));
        svc.call(2);
        assert.equal(listeners(), 1);
        controller.abort("cancelled");
        await flush();
        assert.equal(aborted.error, "cancelled");
        assert.equal(listeners(), 0);
        assert.equal(svc.waiting, 1);
        await clock.tickAsync(100);
        // The next waiter takes the token the aborted one would have had.
        assert.deepEqual(inner.received.map((c) => c.req), [0, 2]);
      });
    },
  );

  await t.step("the timer stops when the last waiter aborts", async () => {
    await withClock(async (clock) => {
      const svc = rateLimit<number, number>({ requests: 1, per: 1000 })(
        serviceFn((n: number) => n),
      );
      await svc.call(0);
      const controller = new AbortController();
      const waiting = track(svc.call(1, { signal: controller.signal }));
      assert.equal(clock.countTimers(), 1);
      controller.abort(new Error("bye"));
      await flush();
      assert.equal(waiting.state, "rejected");
      assert.equal(clock.countTimers(), 0);
      assert.equal(svc.waiting, 0);
    });
  });

  await t.step(
    "a waiter let through that calls back in arms no second timer",
    async () => {
      await withClock(async (clock) => {
        const controller = new AbortController();
        let reentered: Promise<number> | undefined;
        const inner = serviceFn((n: number) => {
          // The admitted waiter calls back into the same limiter, from
          // inside the limiter's own timer callback: it must queue with
          // the one timer, not leave an orphan one behind.
          if (n === 2) {
            reentered = svc.call(3, { signal: controller.signal });
            reentered.catch(() => {});
          }
          return n;
        });
        const svc = rateLimit<number, number>({ requests: 1, per: 100 })(inner);
        await svc.call(1);
        const second = track(svc.call(2));
        assert.equal(clock.countTimers(), 1);
        await clock.tickAsync(100);
        assert.equal(second.value, 2);
        assert.equal(svc.waiting, 1);
        assert.equal(clock.countTimers(), 1, "one timer for one waiter");
        controller.abort("gone");
        await flush();
        assert.equal(svc.waiting, 0);
        assert.equal(clock.countTimers(), 0, "a timer was left behind");
        await assert.rejects(reentered!, (e) => e === "gone");
      });
    },
  );

  await t.step("a granted waiter drops its abort listener", async () => {
    await withClock(async (clock) => {
      const svc = rateLimit<number, number>({ requests: 1, per: 10 })(
        serviceFn((n: number) => n),
      );
      await svc.call(0);
      const controller = new AbortController();
      const listeners = listenerCount(controller.signal);
      const waiting = track(svc.call(1, { signal: controller.signal }));
      await clock.tickAsync(10);
      assert.equal(waiting.value, 1);
      assert.equal(listeners(), 0);
    });
  });

  await t.step("an already aborted call takes no token", async () => {
    await withClock(async () => {
      const inner = new ManualService<number, number>();
      const svc = rateLimit<number, number>({ requests: 1, per: 10 })(inner);
      await assert.rejects(
        svc.call(1, { signal: AbortSignal.abort("no") }),
        (err) => err === "no",
      );
      assert.equal(svc.available, 1);
      assert.equal(inner.received.length, 0);
    });
  });

  await t.step("ready() also reflects the inner service", async () => {
    await withClock(() => {
      const inner = new ManualService<number, number>();
      const svc = rateLimit<number, number>({ requests: 1, per: 10 })(inner);
      assert.equal(svc.ready(), true);
      inner.isReady = () => false;
      assert.equal(svc.ready(), false);
    });
  });

  await t.step("rejects invalid options", () => {
    for (const requests of [0, -1, 1.5, NaN, Infinity]) {
      assertInvalidOption(
        () => rateLimit({ requests, per: 1000 }),
        "rateLimit.requests",
        requests,
      );
    }
    for (const per of [0, -5, NaN, Infinity]) {
      assertInvalidOption(
        () => rateLimit({ requests: 1, per }),
        "rateLimit.per",
        per,
      );
    }
    for (const burst of [0, 2.5]) {
      assertInvalidOption(
        () => rateLimit({ requests: 1, per: 10, burst }),
        "rateLimit.burst",
        burst,
      );
    }
    assertInvalidOption(
      () => rateLimit({ requests: wrong("10"), per: 1000 }),
      "rateLimit.requests",
      "10",
    );
    assertInvalidOption(
      () => rateLimit(wrong({ requests: 10 })),
      "rateLimit.per",
      undefined,
    );
    for (const options of [undefined, null, 5]) {
      assertInvalidOption(
        () => rateLimit(wrong(options)),
        "rateLimit options",
        options,
      );
    }
  });

  await t.step(
    "property: never more calls than the bucket allows, FIFO, deadlines honoured while waiting, nothing leaks",
    async () => {
      const step = fc.oneof(
        fc.record({
          kind: fc.constant("call" as const),
          abortable: fc.boolean(),
          // ms from now, or none
          deadline: fc.option(fc.integer({ min: 0, max: 600 }), {
            nil: undefined,
          }),
        }),
        fc.record({ kind: fc.constant("abort" as const), index: fc.nat() }),
        fc.record({
          kind: fc.constant("wait" as const),
          ms: fc.integer({ min: 0, max: 400 }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 1000 }),
          fc.integer({ min: 1, max: 5 }),
          fc.array(step, { maxLength: 80, size: "max" }),
          async (requests, per, burst, steps) => {
            await withClock(async (clock) => {
              const granted: { at: number; n: number }[] = [];
              const svc = rateLimit<number, number>({ requests, per, burst })(
                serviceFn((n: number) => {
                  granted.push({ at: performance.now(), n });
                  return n;
                }),
              );
              const callers: {
                controller?: AbortController;
                deadline?: number;
                result: ReturnType<typeof track<number>>;
              }[] = [];
              const noneWaitsPastItsDeadline = () => {
                callers.forEach((caller, n) => {
                  if (
                    caller.deadline !== undefined &&
                    caller.deadline <= Date.now() &&
                    caller.result.state === "pending"
                  ) {
                    assert.ok(
                      granted.some((g) => g.n === n),
                      `caller ${n} still waits past its deadline`,
                    );
                  }
                });
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
                  callers[s.index % Math.max(1, callers.length)]?.controller
                    ?.abort(new Error("abort"));
                } else {
                  await clock.tickAsync(s.ms);
                }
                await flush();
                noneWaitsPastItsDeadline();
              }
              // Drain the queue: every caller still waiting gets a token. A
              // timer fires on whole milliseconds, so each fire lets at least
              // one waiter through: waiting * ceil(interval) ms always suffice.
              const interval = Math.max(1, Math.ceil(per / requests));
              await clock.tickAsync((svc.waiting + 1) * interval + 1);
              await flush();
              assert.equal(svc.waiting, 0);
              // At most burst + t * rate calls in any span of t ms.
              const rate = requests / per;
              for (let i = 0; i < granted.length; i++) {
                for (let j = i; j < granted.length; j++) {
                  const span = granted[j].at - granted[i].at;
                  assert.ok(
                    j - i + 1 <= burst + span * rate + 1e-6,
                    `${j - i + 1} calls in ${span} ms`,
                  );
                }
              }
              const order = granted.map((g) => g.n);
              assert.deepEqual(order, [...order].sort((a, b) => a - b), "FIFO");
              callers.forEach((caller, n) => {
                assert.notEqual(caller.result.state, "pending");
                const ran = granted.some((g) => g.n === n);
                if (caller.result.state === "fulfilled") {
                  assert.equal(caller.result.value, n);
                } else if (caller.result.error instanceof TimeoutError) {
                  assert.ok(!ran, `caller ${n} timed out after it ran`);
                  assert.ok(caller.deadline !== undefined);
                }
              });
            });
          },
        ),
        { numRuns: 150 },
      );
    },
  );
});
