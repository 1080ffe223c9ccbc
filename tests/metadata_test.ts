// The handler's options (issue 12): `metadata` reaches the handler unchanged
// on every call path and travels on when the handler passes its options
// down; the handler's `signal` costs nothing until read (no AbortController
// per call), is created already aborted when read after its caller gave up,
// and survives `{ ...options }`.

import assert from "node:assert/strict";
import { type CallOptions, serviceFn, spawn, TimeoutError } from "../mod.ts";
import { withClock } from "./layers/_helpers.ts";
import { flushMicrotasks, rejected, watch } from "./_helpers.ts";

type Paths = [string, (metadata: Record<string, string>) => CallOptions][];

/** Every way a caller can pass metadata, each a different path in the core. */
const PATHS: Paths = [
  ["metadata only (direct)", (metadata) => ({ metadata })],
  ["with a signal", (metadata) => ({
    metadata,
    signal: new AbortController().signal,
  })],
  ["with a deadline", (metadata) => ({
    metadata,
    deadline: Date.now() + 60_000,
  })],
  ["with both", (metadata) => ({
    metadata,
    deadline: Date.now() + 60_000,
    signal: new AbortController().signal,
  })],
];

Deno.test("metadata: reaches the handler as the same, unchanged object on every path, dispatched at once or queued", async () => {
  for (const [what, options] of PATHS) {
    for (const concurrency of [Infinity, 1]) {
      const seen: [number, unknown][] = [];
      const { client, server } = spawn(
        serviceFn(async (id: number, opts: CallOptions) => {
          seen.push([id, opts.metadata]);
          await Promise.resolve();
          return id;
        }),
        { concurrency },
      );
      const sent = Array.from(
        { length: 8 },
        (_, id) => Object.freeze({ traceparent: `00-${id}-01`, id: `${id}` }),
      );
      await Promise.all(sent.map((m, id) => client.call(id, options(m))));
      assert.equal(seen.length, 8, what);
      for (const [id, metadata] of seen) {
        assert.equal(metadata, sent[id], `${what}, concurrency ${concurrency}`);
        assert.deepEqual(metadata, { traceparent: `00-${id}-01`, id: `${id}` });
      }
      await server.close();
    }
  }
});

Deno.test("metadata: absent when the caller sent none; null means none", async () => {
  const seen: unknown[] = [];
  const { client, server } = spawn(
    serviceFn((_: number, opts: CallOptions) => seen.push(opts.metadata)),
  );
  await client.call(1);
  await client.call(2, {});
  await client.call(3, { signal: new AbortController().signal });
  await client.call(4, { metadata: null as unknown as Record<string, string> });
  assert.deepEqual(seen, [undefined, undefined, undefined, undefined]);
  await server.close();
});

Deno.test("metadata: a handler passing its options (or a spread of them) on propagates metadata downstream", async () => {
  const seen: unknown[] = [];
  const inner = spawn(
    serviceFn((_: number, opts: CallOptions) => seen.push(opts.metadata)),
  );
  const outer = spawn(
    serviceFn((n: number, opts: CallOptions) =>
      n === 0
        ? inner.client.call(n, opts)
        : inner.client.call(n, { ...opts, deadline: Date.now() + 1000 })
    ),
  );
  const metadata = { tenant: "acme" };
  await outer.client.call(0, { metadata });
  await outer.client.call(1, { metadata });
  assert.deepEqual(seen, [metadata, metadata]);
  assert.equal(seen[0], metadata);
  await outer.server.close();
  await inner.server.close();
});

/**
 * Counts `new AbortController()` while `fn` runs, by wrapping the global
 * constructor (restored afterwards).
 */
async function countControllers(fn: () => Promise<void>): Promise<number> {
  const Original = globalThis.AbortController;
  let constructed = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      constructed++;
    }
  };
  try {
    await fn();
  } finally {
    globalThis.AbortController = Original;
  }
  return constructed;
}

Deno.test("handler signal: calls that share a caller's signal, or a deadline, share one controller; calls with neither make none", async () => {
  let deadlines = 0;
  const { client, server } = spawn(
    serviceFn(async (n: number, opts: CallOptions) => {
      if (opts.deadline !== undefined) deadlines++; // reads the others
      await Promise.resolve();
      return n;
    }),
    { concurrency: 2 },
  );
  const caller = new AbortController();
  const deadline = Date.now() + 60_000;
  const constructed = await countControllers(async () => {
    const calls: Promise<number>[] = [];
    for (let i = 0; i < 50; i++) {
      calls.push(client.call(i));
      calls.push(client.call(i, { signal: caller.signal }));
      calls.push(client.call(i, { deadline }));
      calls.push(client.call(i, { metadata: { i: String(i) } }));
    }
    await Promise.all(calls);
  });
  assert.equal(deadlines, 50);
  assert.equal(
    constructed,
    2,
    "one controller for the 50 calls on one signal, one for the 50 with one deadline",
  );
  await server.close();
});

Deno.test("handler signal: the handlers of calls on one long-lived signal share one signal, which aborts with the caller's", async () => {
  const signals: AbortSignal[] = [];
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const { client, server } = spawn(
    serviceFn(async (n: number, opts: CallOptions) => {
      signals.push(opts.signal!);
      if (n === 9) await gate;
      return n;
    }),
  );
  const caller = new AbortController();
  const constructed = await countControllers(async () => {
    for (let i = 0; i < 9; i++) {
      await client.call(i, { signal: caller.signal });
    }
  });
  assert.equal(constructed, 1);
  const last = watch(client.call(9, { signal: caller.signal }));
  await flushMicrotasks();
  assert.equal(new Set(signals).size, 1, "one signal for every handler");
  assert.notEqual(
    signals[0],
    caller.signal,
    "the server's own, not the caller's",
  );
  caller.abort("stop");
  assert.equal(signals[9].aborted, true);
  assert.equal(signals[9].reason, "stop");
  assert.equal(await rejected(last), "stop");
  open();
  await server.close();
});

Deno.test("handler signal: read after its caller aborted, it is already aborted with the caller's reason", async () => {
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const read: AbortSignal[] = [];
  const { client, server } = spawn(
    serviceFn(async (_: number, opts: CallOptions) => {
      await gate;
      read.push(opts.signal!);
      return 1;
    }),
  );
  const caller = new AbortController();
  const reason = new Error("caller gave up");
  const reply = watch(client.call(1, { signal: caller.signal }));
  await flushMicrotasks();
  caller.abort(reason);
  await flushMicrotasks();
  assert.deepEqual(reply.outcome, { status: "rejected", reason });
  open();
  await flushMicrotasks();
  assert.equal(read.length, 1);
  assert.equal(read[0].aborted, true, "a late read got a live signal");
  assert.equal(read[0].reason, reason);
  await server.close();
});

Deno.test("handler signal: read after the deadline passed, it is aborted with a TimeoutError", async () => {
  await withClock(async (clock) => {
    const { promise: gate, resolve: open } = Promise.withResolvers<void>();
    const read: AbortSignal[] = [];
    const { client, server } = spawn(
      serviceFn(async (_: number, opts: CallOptions) => {
        await gate;
        read.push(opts.signal!);
        return 1;
      }),
    );
    const reply = watch(client.call(1, { deadline: Date.now() + 20 }));
    await clock.tickAsync(20);
    assert.equal(reply.outcome.status, "rejected");
    open();
    await flushMicrotasks();
    assert.equal(read[0].aborted, true);
    assert.ok(read[0].reason instanceof TimeoutError);
    await server.close();
  });
});

Deno.test("handler signal: read after the server was aborted, it is aborted with the server's reason", async () => {
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const read: AbortSignal[] = [];
  const { client, server } = spawn(
    serviceFn(async (_: number, opts: CallOptions) => {
      await gate;
      read.push(opts.signal!);
      return 1;
    }),
  );
  const reply = watch(
    client.call(1, { signal: new AbortController().signal }),
  );
  await flushMicrotasks();
  const why = new Error("shutting down");
  const stopped = server.abort(why);
  open();
  await stopped;
  assert.equal(read[0].aborted, true, "the server's abort was lost");
  assert.equal(read[0].reason, why);
  await reply.promise;
});

Deno.test("handler signal: { ...options } keeps the signal, and it still aborts with the caller", async () => {
  const copies: CallOptions[] = [];
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const { client, server } = spawn(
    serviceFn(async (_: number, opts: CallOptions) => {
      copies.push({ ...opts });
      await gate;
      return 1;
    }),
  );
  const caller = new AbortController();
  const deadline = Date.now() + 60_000;
  const metadata = { a: "b" };
  const reply = watch(
    client.call(1, { signal: caller.signal, deadline, metadata }),
  );
  await flushMicrotasks();
  const copy = copies[0];
  assert.ok(copy.signal instanceof AbortSignal, "the spread lost the signal");
  assert.equal(copy.deadline, deadline);
  assert.equal(copy.metadata, metadata);
  assert.equal(copy.signal.aborted, false);
  caller.abort(new Error("stop"));
  assert.equal(copy.signal.aborted, true, "the spread's signal is dead");
  open();
  await flushMicrotasks();
  assert.equal(reply.outcome.status, "rejected");
  await server.close();
});
