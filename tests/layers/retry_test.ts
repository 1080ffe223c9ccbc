import assert from "node:assert/strict";
import { OverloadedError, TimeoutError } from "../../errors.ts";
import { serviceFn } from "../../service.ts";
import { retry, retryableByDefault } from "../../layers/retry.ts";
import { RetryBudget } from "../../layers/retry_budget.ts";
import {
  assertInvalidOption,
  flush,
  listenerCount,
  ManualService,
  track,
  withClock,
  wrong,
} from "./_helpers.ts";

/** A service failing with the given errors, in turn, then answering `ok`. */
function failing(errors: unknown[], log: number[] = []) {
  let i = 0;
  return serviceFn((_req: string) => {
    log.push(performance.now());
    if (i < errors.length) throw errors[i++];
    return "ok";
  });
}

Deno.test("retry()", async (t) => {
  await t.step(
    "retries overloads with exponential backoff and full jitter",
    async () => {
      await withClock(async (clock) => {
        const at: number[] = [];
        const svc = retry<string, string>({
          attempts: 4,
          base: 100,
          max: 1000,
          random: () => 0.5,
        })(failing([1, 2, 3].map((n) => new OverloadedError(`busy ${n}`)), at));
        const call = track(svc.call("x"));
        await clock.tickAsync(1000);
        assert.equal(call.value, "ok");
        // Waits of 0.5 * 100, 0.5 * 200, 0.5 * 400.
        assert.deepEqual(at, [0, 50, 150, 350]);
        assert.equal(svc.retrying, 0);
      });
    },
  );

  await t.step("the backoff is capped by max", async () => {
    await withClock(async (clock) => {
      const at: number[] = [];
      const svc = retry<string, string>({
        attempts: 5,
        base: 100,
        max: 150,
        random: () => 0.999,
        budget: false,
      })(failing([1, 2, 3, 4].map(() => new OverloadedError("busy")), at));
      const call = track(svc.call("x"));
      await clock.tickAsync(2000);
      assert.equal(call.value, "ok");
      // Backoffs of 99.9 and 149.85 ms: a timer fires on whole ms, never
      // before the backoff has fully elapsed.
      const waits = at.slice(1).map((t, i) => t - at[i]);
      assert.deepEqual(waits, [100, 150, 150, 150]);
    });
  });

  await t.step(
    "default policy: overloads and timeouts from below, nothing else",
    async () => {
      assert.equal(retryableByDefault(new OverloadedError("x")), true);
      assert.equal(retryableByDefault(new TimeoutError(1, 1)), true);
      assert.equal(retryableByDefault(new Error("x")), false);
      await withClock(async (clock) => {
        const at: number[] = [];
        const svc = retry<string, string>({ base: 10 })(
          failing([new TimeoutError(5, 5), new TypeError("bug")], at),
        );
        const call = track(svc.call("x"));
        await clock.tickAsync(100);
        assert.equal(at.length, 2);
        assert.ok(call.error instanceof TypeError);
      });
    },
  );

  await t.step(
    "a custom retryIf sees the error and the attempt count",
    async () => {
      await withClock(async (clock) => {
        const seen: [unknown, number][] = [];
        const svc = retry<string, string>({
          attempts: 5,
          base: 1,
          retryIf: (error, attempt) => {
            seen.push([error, attempt]);
            return attempt < 2;
          },
        })(failing(["a", "b", "c"]));
        const call = track(svc.call("x"));
        await clock.tickAsync(100);
        assert.deepEqual(seen, [["a", 1], ["b", 2]]);
        assert.equal(call.error, "b");
      });
    },
  );

  await t.step(
    "exhaustion rejects with the last error, unchanged; onRetry saw the earlier ones",
    async () => {
      await withClock(async (clock) => {
        const errors = [1, 2, 3].map((n) => new OverloadedError(`busy ${n}`));
        const retries: [unknown, number, number][] = [];
        const svc = retry<string, string>({
          attempts: 3,
          base: 10,
          random: () => 0.5,
          onRetry: ({ error, attempt, delayMs, req }) => {
            assert.equal(req, "x");
            retries.push([error, attempt, delayMs]);
          },
        })(failing(errors));
        const call = track(svc.call("x"));
        await clock.tickAsync(100);
        assert.equal(call.error, errors[2]);
        assert.equal(errors[2].cause, undefined);
        assert.ok(!Object.hasOwn(errors[2], "cause"));
        assert.deepEqual(retries, [[errors[0], 1, 5], [errors[1], 2, 10]]);
      });
    },
  );

  await t.step(
    "an error shared by several calls never carries another call's history",
    async () => {
      await withClock(async (clock) => {
        // Each call first fails with its own error, then with one constant
        // error the service keeps for every call.
        const SHARED = new OverloadedError("busy");
        const attempts = new Map<string, number>();
        const svc = retry<string, string>({ attempts: 2, base: 1 })(
          serviceFn((req: string) => {
            const n = (attempts.get(req) ?? 0) + 1;
            attempts.set(req, n);
            throw n === 1
              ? new OverloadedError(`${req}'s own failure`)
              : SHARED;
          }),
        );
        const a = track(svc.call("a"));
        const b = track(svc.call("b"));
        await clock.tickAsync(100);
        assert.equal(a.error, SHARED);
        assert.equal(b.error, SHARED);
        assert.ok(
          !Object.hasOwn(SHARED, "cause"),
          "retry wrote onto the error",
        );
        assert.equal(SHARED.cause, undefined);
      });
    },
  );

  await t.step(
    "a random() outside [0, 1) is clamped; one that throws fails only that call",
    async () => {
      await withClock(async (clock) => {
        for (const [value, wait] of [[2, 100], [NaN, 0], [-1, 0]]) {
          const at: number[] = [];
          const svc = retry<string, string>({
            attempts: 2,
            base: 100,
            random: () => value,
            budget: false,
          })(failing([new OverloadedError("busy")], at));
          const call = track(svc.call("x"));
          await clock.tickAsync(200);
          assert.equal(call.value, "ok", `random() = ${value}`);
          assert.equal(at[1] - at[0], wait, `random() = ${value}`);
        }
        const bug = new Error("random bug");
        const svc = retry<string, string>({
          random: () => {
            throw bug;
          },
        })(failing([new OverloadedError("busy")]));
        const call = track(svc.call("x"));
        await clock.tickAsync(100);
        assert.equal(call.error, bug);
        assert.equal(svc.retrying, 0);
      });
    },
  );

  await t.step("an error's own cause is kept", async () => {
    await withClock(async (clock) => {
      const root = new Error("root");
      const last = new OverloadedError("busy", { cause: root });
      const svc = retry<string, string>({ attempts: 2, base: 1 })(
        failing([new OverloadedError("first"), last]),
      );
      const call = track(svc.call("x"));
      await clock.tickAsync(100);
      assert.equal(call.error, last);
      assert.equal(last.cause, root);
    });
  });

  await t.step(
    "a throwing retryIf or onRetry goes to onHookError; the call keeps its own error",
    async () => {
      await withClock(async (clock) => {
        const seen: string[] = [];
        const busy = new OverloadedError("busy");
        const predicate = retry<string, string>({
          retryIf: () => {
            throw new Error("predicate bug");
          },
          onHookError: (_error, context) => seen.push(context),
        })(failing([busy]));
        const first = track(predicate.call("x"));
        await clock.tickAsync(100);
        assert.equal(first.error, busy);
        assert.equal(predicate.hookErrors, 1);
        const hook = retry<string, string>({
          base: 1,
          onRetry: () => {
            throw new Error("hook bug");
          },
          onHookError: (_error, context) => seen.push(context),
        })(failing([new OverloadedError("once")]));
        const second = track(hook.call("y"));
        await clock.tickAsync(100);
        assert.equal(second.value, "ok");
        assert.equal(hook.hookErrors, 1);
        assert.deepEqual(seen, ["retry() retryIf", "retry() onRetry"]);
      });
    },
  );

  await t.step(
    "an abort during the backoff rejects at once and clears the timer",
    async () => {
      await withClock(async (clock) => {
        const at: number[] = [];
        const svc = retry<string, string>({ base: 1000, random: () => 0.5 })(
          failing([new OverloadedError("busy")], at),
        );
        const controller = new AbortController();
        const listeners = listenerCount(controller.signal);
        const call = track(svc.call("x", { signal: controller.signal }));
        await clock.tickAsync(100);
        assert.equal(clock.countTimers(), 1);
        assert.equal(svc.retrying, 1);
        assert.equal(listeners(), 1);
        controller.abort("stop");
        await flush();
        assert.equal(call.error, "stop");
        assert.equal(clock.countTimers(), 0);
        assert.equal(listeners(), 0);
        assert.equal(svc.retrying, 0);
        await clock.tickAsync(2000);
        assert.equal(at.length, 1);
      });
    },
  );

  await t.step(
    "the caller's own abort is never retried, even a TimeoutError",
    async () => {
      await withClock(async () => {
        const inner = new ManualService<string, string>();
        const svc = retry<string, string>({ base: 1, budget: false })(inner);
        const controller = new AbortController();
        const call = track(svc.call("x", { signal: controller.signal }));
        // An outer timeout aborts with a TimeoutError as its reason.
        const reason = new TimeoutError(10, 10);
        controller.abort(reason);
        await flush();
        assert.equal(call.error, reason);
        assert.equal(inner.received.length, 1);
        assert.equal(svc.retrying, 0);
      });
    },
  );

  await t.step("an already aborted call is not retried", async () => {
    await withClock(async () => {
      const inner = new ManualService<string, string>();
      const svc = retry<string, string>()(inner);
      await assert.rejects(
        svc.call("x", { signal: AbortSignal.abort("early") }),
        (err) => err === "early",
      );
      assert.equal(svc.retrying, 0);
    });
  });

  await t.step("the budget caps retries in an outage", async () => {
    await withClock(async (clock) => {
      let calls = 0;
      const svc = retry<number, string>({
        attempts: 5,
        base: 1,
        budget: { ratio: 0.1, minPerSecond: 0 },
      })(serviceFn(() => {
        calls++;
        throw new OverloadedError("down");
      }));
      const results = Array.from({ length: 100 }, (_, i) => track(svc.call(i)));
      await clock.tickAsync(1000);
      assert.ok(results.every((r) => r.error instanceof OverloadedError));
      // 100 requests, and retries worth at most 10% of them.
      assert.equal(calls, 110);
      assert.equal(svc.budget?.retries, 10);
    });
  });

  await t.step("without a budget every attempt is made", async () => {
    await withClock(async (clock) => {
      let calls = 0;
      const svc = retry<number, string>({
        attempts: 3,
        base: 1,
        budget: false,
      })(
        serviceFn(() => {
          calls++;
          throw new OverloadedError("down");
        }),
      );
      assert.equal(svc.budget, undefined);
      for (let i = 0; i < 10; i++) svc.call(i).catch(() => {});
      await clock.tickAsync(1000);
      assert.equal(calls, 30);
    });
  });

  await t.step("a shared budget caps several services together", async () => {
    await withClock(async (clock) => {
      const budget = new RetryBudget({ ratio: 0, minPerSecond: 0.3 }); // 3 retries
      let calls = 0;
      const down = serviceFn((_n: number): string => {
        calls++;
        throw new OverloadedError("down");
      });
      const a = retry<number, string>({ base: 1, budget })(down);
      const b = retry<number, string>({ base: 1, budget })(down);
      assert.equal(a.budget, budget);
      for (let i = 0; i < 5; i++) {
        a.call(i).catch(() => {});
        b.call(i).catch(() => {});
      }
      await clock.tickAsync(1000);
      assert.equal(calls, 13);
    });
  });

  await t.step("attempts: 1 disables retrying", async () => {
    const at: number[] = [];
    const svc = retry<string, string>({ attempts: 1 })(
      failing([new OverloadedError("busy")], at),
    );
    await assert.rejects(svc.call("x"), OverloadedError);
    assert.equal(at.length, 1);
  });

  await t.step("a synchronous throw is retried like a rejection", async () => {
    await withClock(async (clock) => {
      let calls = 0;
      const svc = retry<string, string>({ base: 1 })({
        call: () => {
          if (calls++ === 0) throw new OverloadedError("sync");
          return Promise.resolve("ok");
        },
      });
      const call = track(svc.call("x"));
      await clock.tickAsync(10);
      assert.equal(call.value, "ok");
    });
  });

  await t.step("forwards ready()", () => {
    const inner = new ManualService<string, string>();
    const svc = retry<string, string>()(inner);
    assert.equal(svc.ready(), true);
    inner.isReady = () => false;
    assert.equal(svc.ready(), false);
  });

  await t.step("rejects invalid policies", () => {
    for (const attempts of [0, -1, 1.5, NaN, Infinity]) {
      assertInvalidOption(
        () => retry({ attempts }),
        "retry.attempts",
        attempts,
      );
    }
    assertInvalidOption(
      () => retry({ attempts: wrong("3") }),
      "retry.attempts",
      "3",
    );
    for (const base of [-1, NaN, Infinity]) {
      assertInvalidOption(() => retry({ base }), "retry.base", base);
    }
    assertInvalidOption(() => retry({ max: -10 }), "retry.max", -10);
    assertInvalidOption(
      () => retry({ retryIf: wrong(true) }),
      "retry.retryIf",
      true,
    );
    assertInvalidOption(
      () => retry({ random: wrong(0.5) }),
      "retry.random",
      0.5,
    );
    assertInvalidOption(
      () => retry({ budget: { ratio: -0.1 } }),
      "retry.budget.ratio",
      -0.1,
    );
    assertInvalidOption(
      () => retry({ budget: wrong(null) }),
      "retry.budget",
      null,
    );
    assertInvalidOption(() => retry(wrong(null)), "retry policy", null);
    assertInvalidOption(() => retry(wrong(3)), "retry policy", 3);
  });
});
