import assert from "node:assert/strict";
import fc from "fast-check";
import { CircuitOpenError } from "../../errors.ts";
import {
  circuitBreaker,
  type CircuitState,
  type CircuitStateChange,
} from "../../layers/circuit_breaker.ts";
import {
  assertInvalidOption,
  flush,
  ManualService,
  track,
  withClock,
  wrong,
} from "./_helpers.ts";

async function fail(inner: ManualService<number, number>, error: unknown) {
  inner.last.reject(error);
  await flush();
}

Deno.test("circuitBreaker()", async (t) => {
  await t.step(
    "closed: calls pass, a success resets the failure count",
    async () => {
      await withClock(async () => {
        const inner = new ManualService<number, number>();
        const svc = circuitBreaker<number, number>({ failureThreshold: 3 })(
          inner,
        );
        for (let i = 0; i < 2; i++) {
          svc.call(i).catch(() => {});
          await fail(inner, new Error("x"));
        }
        assert.equal(svc.failures, 2);
        const ok = track(svc.call(9));
        inner.last.resolve(9);
        await flush();
        assert.equal(ok.value, 9);
        assert.equal(svc.failures, 0);
        assert.equal(svc.state, "closed");
      });
    },
  );

  await t.step("opens after failureThreshold failures in a row", async () => {
    await withClock(async (clock) => {
      const changes: CircuitStateChange[] = [];
      const inner = new ManualService<number, number>();
      const svc = circuitBreaker<number, number>({
        failureThreshold: 2,
        resetAfter: 1000,
        onStateChange: (change) => changes.push(change),
      })(inner);
      const boom = new Error("db down");
      for (let i = 0; i < 2; i++) {
        svc.call(i).catch(() => {});
        await fail(inner, boom);
      }
      assert.equal(svc.state, "open");
      assert.deepEqual(changes, [{ from: "closed", to: "open", cause: boom }]);
      assert.equal(svc.ready(), false);
      await clock.tickAsync(400);
      const refused = track(svc.call(3));
      await flush();
      assert.ok(refused.error instanceof CircuitOpenError);
      assert.equal(refused.error.retryAfterMs, 600);
      assert.equal(refused.error.cause, boom);
      assert.equal(inner.received.length, 2);
    });
  });

  await t.step("half-open after resetAfter: probes close it", async () => {
    await withClock(async (clock) => {
      const changes: string[] = [];
      const inner = new ManualService<number, number>();
      const svc = circuitBreaker<number, number>({
        failureThreshold: 1,
        resetAfter: 1000,
        halfOpenMax: 2,
        onStateChange: ({ from, to }) => changes.push(`${from}->${to}`),
      })(inner);
      svc.call(0).catch(() => {});
      await fail(inner, new Error("x"));
      await clock.tickAsync(999);
      assert.equal(svc.state, "open");
      await clock.tickAsync(1);
      assert.equal(svc.state, "half-open");
      assert.equal(svc.ready(), true);
      const probes = [track(svc.call(1)), track(svc.call(2))];
      assert.equal(svc.probes, 2);
      assert.equal(svc.ready(), false);
      const refused = track(svc.call(3));
      await flush();
      assert.ok(refused.error instanceof CircuitOpenError);
      inner.received[1].resolve(1);
      await flush();
      assert.equal(svc.state, "half-open"); // one success of two
      const third = track(svc.call(4)); // the freed probe slot
      inner.received[2].resolve(2);
      await flush();
      assert.equal(svc.state, "closed");
      assert.deepEqual(changes, [
        "closed->open",
        "open->half-open",
        "half-open->closed",
      ]);
      inner.received[3].resolve(4);
      await flush();
      assert.deepEqual(probes.map((p) => p.value), [1, 2]);
      assert.equal(third.value, 4);
      assert.equal(svc.probes, 0);
    });
  });

  await t.step("a failed probe opens the circuit again", async () => {
    await withClock(async (clock) => {
      const inner = new ManualService<number, number>();
      const svc = circuitBreaker<number, number>({
        failureThreshold: 1,
        resetAfter: 100,
      })(inner);
      svc.call(0).catch(() => {});
      await fail(inner, new Error("x"));
      await clock.tickAsync(100);
      svc.call(1).catch(() => {});
      assert.equal(svc.state, "half-open");
      await fail(inner, new Error("still down"));
      assert.equal(svc.state, "open");
      await clock.tickAsync(99);
      assert.equal(svc.state, "open");
      await clock.tickAsync(1);
      assert.equal(svc.state, "half-open");
    });
  });

  await t.step("errors isFailure rejects count as successes", async () => {
    await withClock(async () => {
      const inner = new ManualService<number, number>();
      const svc = circuitBreaker<number, number>({
        failureThreshold: 1,
        isFailure: (error) => !(error instanceof RangeError),
      })(inner);
      const call = track(svc.call(1));
      await fail(inner, new RangeError("not found"));
      assert.ok(call.error instanceof RangeError);
      assert.equal(svc.state, "closed");
    });
  });

  await t.step(
    "the caller's abort counts for nothing and frees a probe slot",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<number, number>();
        const svc = circuitBreaker<number, number>({
          failureThreshold: 1,
          resetAfter: 10,
        })(inner);
        const controller = new AbortController();
        const aborted = track(svc.call(1, { signal: controller.signal }));
        controller.abort("cancel");
        await flush();
        assert.equal(aborted.error, "cancel");
        assert.equal(svc.state, "closed");
        svc.call(2).catch(() => {});
        await fail(inner, new Error("x"));
        await clock.tickAsync(10);
        const probeAbort = new AbortController();
        svc.call(3, { signal: probeAbort.signal }).catch(() => {});
        assert.equal(svc.probes, 1);
        probeAbort.abort("cancel");
        await flush();
        assert.equal(svc.probes, 0);
        assert.equal(svc.state, "half-open");
      });
    },
  );

  await t.step(
    "outcomes of calls from an earlier state are ignored",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<number, number>();
        const svc = circuitBreaker<number, number>({
          failureThreshold: 1,
          resetAfter: 10,
        })(inner);
        svc.call(1).catch(() => {}); // slow, started while closed
        svc.call(2).catch(() => {});
        await fail(inner, new Error("x")); // opens
        await clock.tickAsync(10);
        assert.equal(svc.state, "half-open");
        inner.received[0].reject(new Error("late failure"));
        await flush();
        assert.equal(svc.state, "half-open");
      });
    },
  );

  await t.step(
    "a throwing onStateChange goes to onHookError, the call is unaffected",
    async () => {
      await withClock(async () => {
        const seen: [unknown, string][] = [];
        const dispatched: unknown[] = [];
        const onGlobalError = (event: ErrorEvent) => {
          event.preventDefault(); // keeps this test alive if it fails
          dispatched.push(event.error);
        };
        globalThis.addEventListener("error", onGlobalError);
        try {
          const inner = new ManualService<number, number>();
          const bug = new Error("hook bug");
          const svc = circuitBreaker<number, number>({
            failureThreshold: 1,
            onStateChange: () => {
              throw bug;
            },
            onHookError: (error, context) => seen.push([error, context]),
          })(inner);
          const call = track(svc.call(1));
          const failure = new Error("x");
          await fail(inner, failure);
          assert.equal(call.error, failure);
          assert.equal(svc.state, "open");
          assert.deepEqual(seen, [[bug, "circuitBreaker() onStateChange"]]);
          assert.equal(svc.hookErrors, 1);
          assert.deepEqual(dispatched, [], "reportError() was used");
        } finally {
          globalThis.removeEventListener("error", onGlobalError);
        }
      });
    },
  );

  await t.step(
    "a throwing isFailure: the caller gets the service's error, it counts as a failure, the hook error is reported",
    async () => {
      await withClock(async () => {
        const seen: [unknown, string][] = [];
        const inner = new ManualService<number, number>();
        const bug = new Error("predicate bug");
        const svc = circuitBreaker<number, number>({
          failureThreshold: 2,
          isFailure: () => {
            throw bug;
          },
          onHookError: (error, context) => seen.push([error, context]),
        })(inner);
        const failure = new Error("service down");
        const call = track(svc.call(1));
        await fail(inner, failure);
        assert.equal(call.error, failure);
        assert.equal(svc.failures, 1);
        assert.deepEqual(seen, [[bug, "circuitBreaker() isFailure"]]);
        assert.equal(svc.hookErrors, 1);
      });
    },
  );

  await t.step(
    "a throwing isFailure in half-open releases the probe: the breaker recovers",
    async () => {
      await withClock(async (clock) => {
        const inner = new ManualService<number, number>();
        let broken = true;
        const svc = circuitBreaker<number, number>({
          failureThreshold: 1,
          resetAfter: 1000,
          isFailure: () => {
            if (broken) throw new Error("predicate bug");
            return true;
          },
          onHookError: () => {},
        })(inner);
        svc.call(1).catch(() => {});
        await fail(inner, new Error("down"));
        assert.equal(svc.state, "open");
        await clock.tickAsync(1000);
        assert.equal(svc.state, "half-open");
        const probe = track(svc.call(2));
        assert.equal(svc.probes, 1);
        const failure = new Error("still down");
        await fail(inner, failure);
        assert.equal(probe.error, failure);
        // The failed probe reopened the circuit and freed its slot.
        assert.equal(svc.probes, 0);
        assert.equal(svc.state, "open");
        broken = false;
        await clock.tickAsync(1000);
        assert.equal(svc.state, "half-open");
        assert.equal(svc.ready(), true);
        const next = track(svc.call(3));
        inner.last.resolve(3);
        await flush();
        assert.equal(next.value, 3);
        assert.equal(svc.state, "closed");
      });
    },
  );

  await t.step("ready() reflects the inner service while closed", () => {
    const inner = new ManualService<number, number>();
    const svc = circuitBreaker<number, number>()(inner);
    assert.equal(svc.ready(), true);
    inner.isReady = () => false;
    assert.equal(svc.ready(), false);
  });

  await t.step("rejects invalid options", () => {
    for (const failureThreshold of [0, -1, 2.5, NaN]) {
      assertInvalidOption(
        () => circuitBreaker({ failureThreshold }),
        "circuitBreaker.failureThreshold",
        failureThreshold,
      );
    }
    for (const resetAfter of [0, -1, NaN, Infinity]) {
      assertInvalidOption(
        () => circuitBreaker({ resetAfter }),
        "circuitBreaker.resetAfter",
        resetAfter,
      );
    }
    assertInvalidOption(
      () => circuitBreaker({ halfOpenMax: 0 }),
      "circuitBreaker.halfOpenMax",
      0,
    );
    assertInvalidOption(
      () => circuitBreaker({ resetAfter: wrong("1s") }),
      "circuitBreaker.resetAfter",
      "1s",
    );
    assertInvalidOption(
      () => circuitBreaker({ isFailure: wrong("yes") }),
      "circuitBreaker.isFailure",
      "yes",
    );
    assertInvalidOption(
      () => circuitBreaker({ onStateChange: wrong(1) }),
      "circuitBreaker.onStateChange",
      1,
    );
    assertInvalidOption(
      () => circuitBreaker(wrong(null)),
      "circuitBreaker options",
      null,
    );
  });

  await t.step("property: the state machine stays legal", async () => {
    const legal = new Set([
      "closed->open",
      "open->half-open",
      "half-open->open",
      "half-open->closed",
    ]);
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("call" as const),
        abortable: fc.boolean(),
      }),
      fc.record({ kind: fc.constant("abort" as const), index: fc.nat() }),
      fc.record({
        kind: fc.constant("complete" as const),
        index: fc.nat(),
        ok: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant("wait" as const),
        ms: fc.integer({ min: 0, max: 300 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(step, { maxLength: 80, size: "max" }),
        async (failureThreshold, resetAfter, halfOpenMax, steps) => {
          await withClock(async (clock) => {
            const changes: (CircuitStateChange & { at: number })[] = [];
            const inner = new ManualService<number, number>();
            const svc = circuitBreaker<number, number>({
              failureThreshold,
              resetAfter,
              halfOpenMax,
              onStateChange: (change) =>
                changes.push({ ...change, at: performance.now() }),
            })(inner);
            const controllers: (AbortController | undefined)[] = [];
            const current = (): CircuitState => changes.at(-1)?.to ?? "closed";
            for (const s of steps) {
              if (s.kind === "call") {
                const before = svc.state;
                const received = inner.received.length;
                const controller = s.abortable
                  ? new AbortController()
                  : undefined;
                controllers.push(controller);
                const call = track(svc.call(1, { signal: controller?.signal }));
                await flush();
                if (before === "open") {
                  assert.ok(call.error instanceof CircuitOpenError);
                  assert.equal(inner.received.length, received);
                }
              } else if (s.kind === "abort") {
                controllers[s.index % Math.max(1, controllers.length)]?.abort(
                  "abort",
                );
              } else if (s.kind === "complete") {
                const open = inner.received.filter((c) => !c.settled);
                const call = open[s.index % Math.max(1, open.length)];
                if (s.ok) call?.resolve(1);
                else call?.reject(new Error("failed"));
              } else {
                await clock.tickAsync(s.ms);
              }
              await flush();
              assert.equal(svc.state, current());
              assert.ok(svc.probes <= halfOpenMax);
              assert.ok(svc.failures < failureThreshold);
              if (svc.state !== "half-open") assert.equal(svc.probes, 0);
            }
            changes.forEach((change, i) => {
              assert.ok(legal.has(`${change.from}->${change.to}`));
              if (i > 0) assert.equal(change.from, changes[i - 1].to);
              else assert.equal(change.from, "closed");
              if (change.to === "half-open") {
                assert.ok(change.at - changes[i - 1].at >= resetAfter);
              }
            });
            for (const call of inner.received) call.resolve(1);
            await flush();
            assert.equal(svc.probes, 0);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
