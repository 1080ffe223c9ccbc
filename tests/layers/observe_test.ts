import assert from "node:assert/strict";
import { serviceFn } from "../../service.ts";
import {
  type CallErrorEvent,
  observe,
  type ResponseEvent,
} from "../../layers/observe.ts";
import {
  assertInvalidOption,
  flush,
  ManualService,
  track,
  withClock,
  wrong,
} from "./_helpers.ts";

Deno.test("observe()", async (t) => {
  await t.step("reports request, response and monotonic duration", async () => {
    await withClock(async (clock) => {
      const log: string[] = [];
      let response: ResponseEvent<string, number, string> | undefined;
      const inner = new ManualService<string, number>();
      const svc = observe<string, number, string>({
        onRequest: ({ req }) => {
          log.push(`request ${req}`);
          return `span-${req}`;
        },
        onResponse: (event) => {
          response = event;
        },
        onError: () => log.push("error"),
      })(inner);
      const call = track(svc.call("a"));
      assert.deepEqual(log, ["request a"]);
      await clock.tickAsync(42);
      inner.last.resolve(1);
      await flush();
      assert.equal(call.value, 1);
      assert.deepEqual(response, {
        req: "a",
        res: 1,
        durationMs: 42,
        context: "span-a",
      });
      assert.deepEqual(log, ["request a"]);
    });
  });

  await t.step(
    "reports errors and aborts, passing the error through",
    async () => {
      await withClock(async (clock) => {
        const errors: CallErrorEvent<string>[] = [];
        const inner = new ManualService<string, number>();
        const svc = observe<string, number>({ onError: (e) => errors.push(e) })(
          inner,
        );
        const boom = new Error("boom");
        const failed = track(svc.call("x"));
        await clock.tickAsync(5);
        inner.last.reject(boom);
        const controller = new AbortController();
        const aborted = track(svc.call("y", { signal: controller.signal }));
        await clock.tickAsync(3);
        controller.abort("stop");
        await flush();
        assert.equal(failed.error, boom);
        assert.equal(aborted.error, "stop");
        assert.deepEqual(errors, [
          {
            req: "x",
            error: boom,
            durationMs: 5,
            aborted: false,
            context: undefined,
          },
          {
            req: "y",
            error: "stop",
            durationMs: 3,
            aborted: true,
            context: undefined,
          },
        ]);
      });
    },
  );

  await t.step(
    "a throwing hook goes to onHookError, is counted, and changes nothing",
    async () => {
      const bug = new Error("metrics bug");
      const seen: [unknown, string][] = [];
      const svc = observe<number, number, string>({
        onRequest: () => {
          throw bug;
        },
        onResponse: ({ context }) => {
          assert.equal(context, undefined);
          throw bug;
        },
        onError: () => {
          throw bug;
        },
        onHookError: (error, context) => seen.push([error, context]),
      })(serviceFn((n: number) => {
        if (n < 0) throw new RangeError("negative");
        return n;
      }));
      assert.equal(await svc.call(1), 1);
      await assert.rejects(svc.call(-1), RangeError);
      assert.deepEqual(seen, [
        [bug, "observe() onRequest hook"],
        [bug, "observe() onResponse hook"],
        [bug, "observe() onRequest hook"],
        [bug, "observe() onError hook"],
      ]);
      assert.equal(svc.hookErrors, 4);
    },
  );

  await t.step(
    "without onHookError a throwing hook goes to console.error, never to reportError (which ends the process)",
    async () => {
      const dispatched: unknown[] = [];
      const onGlobalError = (event: ErrorEvent) => {
        event.preventDefault(); // keeps this test alive if it fails
        dispatched.push(event.error);
      };
      const logged: unknown[][] = [];
      const consoleError = console.error;
      console.error = (...args: unknown[]) => void logged.push(args);
      globalThis.addEventListener("error", onGlobalError);
      try {
        const bug = new Error("exporter down");
        const svc = observe<number, number>({
          onResponse: () => {
            throw bug;
          },
        })(serviceFn((n: number) => n));
        assert.equal(await svc.call(7), 7);
        await flush();
        assert.deepEqual(dispatched, [], "reportError() was used");
        assert.equal(logged.length, 1);
        assert.match(String(logged[0][0]), /observe\(\) onResponse hook/);
        assert.equal(logged[0][1], bug);
        assert.equal(svc.hookErrors, 1);
      } finally {
        globalThis.removeEventListener("error", onGlobalError);
        console.error = consoleError;
      }
    },
  );

  await t.step(
    "an onHookError that throws falls back to console.error",
    async () => {
      const logged: unknown[][] = [];
      const consoleError = console.error;
      console.error = (...args: unknown[]) => void logged.push(args);
      try {
        const svc = observe<number, number>({
          onRequest: () => {
            throw new Error("hook");
          },
          onHookError: () => {
            throw new Error("handler");
          },
        })(serviceFn((n: number) => n));
        assert.equal(await svc.call(3), 3);
        assert.equal(logged.length, 1);
        assert.ok(logged[0][1] instanceof AggregateError);
      } finally {
        console.error = consoleError;
      }
    },
  );

  await t.step("no hooks: a plain pass-through", async () => {
    const svc = observe<number, number>({})(serviceFn((n: number) => n + 1));
    assert.equal(await svc.call(1), 2);
    const failing = observe<number, number>({})({
      call: () => {
        throw new TypeError("sync");
      },
    });
    await assert.rejects(failing.call(1), TypeError);
  });

  await t.step("forwards ready()", () => {
    const inner = new ManualService<number, number>();
    const svc = observe<number, number>({})(inner);
    inner.isReady = () => false;
    assert.equal(svc.ready?.(), false);
  });

  await t.step("rejects hooks that are not functions", () => {
    assertInvalidOption(
      () => observe<number, number>({ onRequest: wrong("log") }),
      "observe.onRequest",
      "log",
    );
    assertInvalidOption(
      () => observe<number, number>({ onResponse: wrong(1) }),
      "observe.onResponse",
      1,
    );
    assertInvalidOption(
      () => observe<number, number>({ onError: wrong(null) }),
      "observe.onError",
      null,
    );
    assertInvalidOption(
      () => observe<number, number>(wrong(undefined)),
      "observe hooks",
      undefined,
    );
  });
});
