// A server's `name` reaches the errors raised for it (closed, aborted,
// deadline), and serve/spawn refuse an unknown option key naming the closest
// valid one.

import assert from "node:assert/strict";
import {
  channel,
  ChannelClosedError,
  type Envelope,
  InvalidOptionError,
  serve,
  serviceFn,
  spawn,
  TimeoutError,
} from "../mod.ts";
import { withClock } from "./layers/_helpers.ts";
import { flushMicrotasks, watch } from "./_helpers.ts";

type Req = { readonly method: string };

Deno.test("service name: a call to a closed named server names it", async () => {
  const { client, server } = spawn(serviceFn((r: Req) => r.method), {
    name: "Bank",
  });
  assert.equal(server.name, "Bank");
  await server.close();
  const req = { method: "balance" };
  for (const options of [undefined, { signal: new AbortController().signal }]) {
    const error = await client.call(req, options).then(
      () => assert.fail("a closed server answered"),
      (err) => err,
    );
    assert.ok(error instanceof ChannelClosedError, String(error));
    assert.match(error.message, /^cannot call Bank/);
    assert.equal(error.service, "Bank");
    assert.equal(error.value, req, "the request is not given back");
  }
});

Deno.test("service name: callers waiting for room when it closes, and calls dropped by abort(), name it", async () => {
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const { client, server } = spawn(
    serviceFn(async (r: Req) => {
      await gate;
      return r.method;
    }),
    { name: "Bank", concurrency: 1, capacity: 1 },
  );
  const running = watch(client.call({ method: "a" }));
  const queued = watch(client.call({ method: "b" }));
  const waiting = watch(client.call({ method: "c" }));
  await flushMicrotasks();
  const stopped = server.abort(new Error("maintenance"));
  await flushMicrotasks();
  for (
    const [what, reply] of [["queued", queued], ["waiting", waiting]] as const
  ) {
    assert.equal(reply.outcome.status, "rejected", what);
    const error = (reply.outcome as { reason: unknown }).reason;
    assert.ok(error instanceof ChannelClosedError, `${what}: ${error}`);
    assert.equal(error.service, "Bank", what);
    assert.match(error.message, /Bank/, what);
  }
  open();
  await stopped;
  await running.promise;
});

Deno.test("service name: a deadline's TimeoutError names the service and the method", async () => {
  await withClock(async (clock) => {
    // Never answers; stops when its signal aborts (here, at the deadline).
    const never = serviceFn((_: unknown, options) =>
      new Promise<never>((_, reject) =>
        options.signal!.addEventListener(
          "abort",
          () => reject(options.signal!.reason),
        )
      )
    );
    const named = spawn(never, { name: "Bank" });
    const anonymous = spawn(never);
    const replies = [
      watch(named.client.call({ method: "transfer" }, {
        deadline: Date.now() + 100,
      })),
      watch(named.client.call(42, { deadline: Date.now() + 100 })),
      watch(anonymous.client.call({ method: "transfer" }, {
        deadline: Date.now() + 100,
      })),
    ];
    await clock.tickAsync(100);
    const errors = replies.map((r) =>
      (r.outcome as { reason: unknown }).reason
    );
    assert.ok(errors.every((e) => e instanceof TimeoutError));
    const [a, b, c] = errors as TimeoutError[];
    assert.match(a.message, /^Bank\.transfer timed out after 100 ms/);
    assert.equal(a.service, "Bank");
    assert.equal(a.method, "transfer");
    assert.match(b.message, /^call to Bank timed out/);
    assert.match(c.message, /^transfer timed out/);
    assert.equal(c.service, undefined);
    await named.server.close();
    await anonymous.server.close();
  });
});

Deno.test("service name: a passed deadline at call time names the service too", async () => {
  const { client, server } = spawn(serviceFn((r: Req) => r.method), {
    name: "Bank",
  });
  const error = await client.call({ method: "audit" }, { deadline: 0 }).then(
    () => assert.fail("a late call ran"),
    (err) => err,
  );
  assert.ok(error instanceof TimeoutError);
  assert.equal(error.service, "Bank");
  assert.match(error.message, /^Bank\.audit timed out/);
  await server.close();
});

Deno.test("service name: unknown option keys of spawn() and serve() are refused, naming the closest valid key", () => {
  const svc = serviceFn((n: number) => n);
  const cases: [string, () => unknown, string, RegExp][] = [
    [
      "spawn concurency",
      () => spawn(svc, { concurency: 1 } as never),
      "concurency",
      /did you mean concurrency\?/,
    ],
    [
      "spawn capcity",
      () => spawn(svc, { capcity: 8 } as never),
      "capcity",
      /did you mean capacity\?/,
    ],
    [
      "spawn nmae",
      () => spawn(svc, { nmae: "Bank" } as never),
      "nmae",
      /did you mean name\?/,
    ],
    [
      "spawn onerror",
      () => spawn(svc, { onerror: () => {} } as never),
      "onerror",
      /did you mean onError\?/,
    ],
    [
      "serve concurency",
      () => {
        const [, rx] = channel<Envelope<number, number>>(4);
        return serve(rx, svc, { concurency: 1 } as never);
      },
      "concurency",
      /did you mean concurrency\?/,
    ],
    [
      "serve capacity (a spawn option)",
      () => {
        const [, rx] = channel<Envelope<number, number>>(4);
        return serve(rx, svc, { capacity: 1 } as never);
      },
      "capacity",
      /no such option of serve\(\)/,
    ],
    [
      "spawn timeout (nothing close)",
      () => spawn(svc, { timeout: 5 } as never),
      "timeout",
      /valid options: concurrency, name, onError, capacity/,
    ],
  ];
  for (const [what, fn, option, message] of cases) {
    assert.throws(fn, (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError, `${what}: ${error}`);
      assert.equal(error.option, option, what);
      assert.match(error.message, message, what);
      return true;
    });
  }
});

Deno.test("service name: an invalid name or onError is refused, naming the option", () => {
  const svc = serviceFn((n: number) => n);
  for (
    const [options, option] of [
      [{ name: "" }, "name"],
      [{ name: 5 }, "name"],
      [{ onError: "log" }, "onError"],
    ] as const
  ) {
    assert.throws(
      () => spawn(svc, options as never),
      (error: unknown) =>
        error instanceof InvalidOptionError && error.option === option &&
        error.message.includes(option),
    );
  }
});
