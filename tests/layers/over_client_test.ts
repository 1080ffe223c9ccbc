// The layers' internal hand-offs to a norpc client (CALL_AT and the settled
// hook in _timers.ts): a timeout's `now` and concurrencyLimit's permit
// return must keep every outcome and never lose or double a permit.
import assert from "node:assert/strict";
import { serviceFn, spawn } from "../../mod.ts";
import { OverloadedError, TimeoutError } from "../../errors.ts";
import { concurrencyLimit, retry, timeout } from "../../layers/mod.ts";

Deno.test("concurrencyLimit over a client: permits come back after success, failure, abort, deadline and refusal", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { client, server } = spawn(
    serviceFn(async (n: number, { signal }) => {
      if (n === 1) throw new RangeError("bad");
      if (n === 2) {
        await new Promise((_, reject) =>
          signal?.addEventListener("abort", () => reject(signal.reason), {
            once: true,
          })
        );
      }
      if (n === 3) await gate;
      return n;
    }),
  );
  const limit = concurrencyLimit<number, number>(2)(client);
  assert.equal(
    await limit.call(0, { signal: new AbortController().signal }),
    0,
  );
  assert.equal(limit.available, 2);
  await assert.rejects(
    limit.call(1, { signal: new AbortController().signal }),
    RangeError,
  );
  assert.equal(limit.available, 2);
  const controller = new AbortController();
  const aborted = limit.call(2, { signal: controller.signal });
  assert.equal(limit.available, 1);
  controller.abort(new Error("gone"));
  await assert.rejects(aborted, /gone/);
  assert.equal(limit.available, 2);
  // A waiter is let through when a permit comes back from the client.
  const a = limit.call(3, { deadline: Date.now() + 60_000 });
  const b = limit.call(3, { deadline: Date.now() + 60_000 });
  const c = limit.call(0, { deadline: Date.now() + 60_000 });
  assert.equal(limit.waiting, 1);
  release();
  assert.deepEqual(await Promise.all([a, b, c]), [3, 3, 0]);
  assert.equal(limit.available, 2);
  // A deadline already past is refused by the client: the permit returns.
  await assert.rejects(
    limit.call(0, { deadline: Date.now() - 1 }),
    TimeoutError,
  );
  assert.equal(limit.available, 2);
  await server.close();
  await assert.rejects(limit.call(0, { signal: new AbortController().signal }));
  assert.equal(limit.available, 2);
  assert.equal(limit.inFlight, 0);
});

Deno.test("concurrencyLimit over a client: a handler calling through the same stack synchronously loses no permit and doubles none", async () => {
  const signal = new AbortController().signal;
  const ref: {
    stacked?: { call(n: number, o: { signal: AbortSignal }): Promise<number> };
  } = {};
  const { client, server } = spawn(
    serviceFn((n: number): number | Promise<number> =>
      n > 0 ? ref.stacked!.call(n - 1, { signal }).then((m) => m + 1) : 0
    ),
  );
  const limit = concurrencyLimit<number, number>(8)(client);
  const stacked = ref.stacked = timeout<number, number>(1000)(
    retry<number, number>({ attempts: 2 })(limit),
  );
  for (let i = 0; i < 3; i++) {
    assert.equal(await stacked.call(3, { signal }), 3);
    assert.equal(limit.available, 8);
    assert.equal(limit.inFlight, 0);
  }
  await server.close();
});

Deno.test("timeout over a client: a caller's deadline already past never starts the handler", async () => {
  let ran = 0;
  const { client, server } = spawn(serviceFn((n: number) => (ran++, n)));
  const svc = timeout<number, number>(1000)(
    retry<number, number>()(concurrencyLimit<number, number>(4)(client)),
  );
  await assert.rejects(svc.call(1, { deadline: Date.now() - 1 }), TimeoutError);
  assert.equal(ran, 0);
  assert.equal(await svc.call(2), 2);
  assert.equal(ran, 1);
  await server.close();
});

Deno.test("retry over a client (through concurrencyLimit): failures are retried, the last error is kept, the caller's abort is never retried", async () => {
  let calls = 0;
  let failFirst = 0;
  const { client, server } = spawn(
    serviceFn((n: number, { signal }) => {
      calls++;
      if (n === 1 && failFirst-- > 0) throw new OverloadedError("busy");
      if (n === 2) throw new RangeError("not retryable");
      if (n === 3) throw new OverloadedError("always");
      if (n === 4) {
        return new Promise<number>((_, reject) =>
          signal?.addEventListener("abort", () => reject(signal.reason), {
            once: true,
          })
        );
      }
      return n;
    }),
  );
  const events: number[] = [];
  const limit = concurrencyLimit<number, number>(4)(client);
  const svc = timeout<number, number>(10_000)(
    retry<number, number>({
      attempts: 3,
      base: 0,
      budget: false,
      onRetry: ({ attempt }) => events.push(attempt),
    })(limit),
  );
  const signal = new AbortController().signal;
  failFirst = 2;
  assert.equal(await svc.call(1, { signal }), 1);
  assert.equal(calls, 3);
  assert.deepEqual(events, [1, 2]);
  calls = 0;
  const notRetryable = await svc.call(2, { signal }).catch((e) => e);
  assert.ok(notRetryable instanceof RangeError);
  assert.equal(calls, 1);
  calls = 0;
  const exhausted = await svc.call(3, { signal }).catch((e) => e);
  assert.ok(exhausted instanceof OverloadedError);
  assert.equal(exhausted.message, "always");
  assert.equal(calls, 3);
  calls = 0;
  const controller = new AbortController();
  const pending = svc.call(4, { signal: controller.signal });
  const reason = new Error("caller gave up");
  controller.abort(reason);
  let settled = false;
  pending.catch(() => (settled = true));
  await Promise.resolve();
  assert.equal(settled, true, "the caller's abort rejects at once");
  assert.equal(await pending.catch((e) => e), reason);
  assert.equal(calls, 1);
  assert.equal(limit.available, 4);
  await server.close();
});

Deno.test("retry over a client: no retry past the deadline; the server's TimeoutError is the outcome", async () => {
  let calls = 0;
  const { client, server } = spawn(
    serviceFn((_: number, { signal }) => {
      calls++;
      return new Promise<number>((_, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason), {
          once: true,
        })
      );
    }),
  );
  const svc = timeout<number, number>(20)(
    retry<number, number>({ attempts: 5, base: 50, budget: false })(
      concurrencyLimit<number, number>(2)(client),
    ),
  );
  // The server's deadline timer is unref'd: hold the loop open meanwhile.
  const alive = setInterval(() => {}, 5);
  const error = await svc.call(0, { signal: new AbortController().signal })
    .catch((e) => e);
  clearInterval(alive);
  assert.ok(error instanceof TimeoutError);
  assert.equal(calls, 1);
  await server.close();
});
