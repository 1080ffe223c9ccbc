// Hardening of the core (issue 11): a handler's thenable whose `then` throws
// is a rejection on every call path; a value sent on a served channel that
// is not a request envelope goes to `onError` (or console.error), is counted
// in `failed` and never ends the process; withdrawing from a full ring stays
// O(1) amortised at any capacity.

import assert from "node:assert/strict";
import {
  BadRequestError,
  type CallOptions,
  channel,
  ChannelClosedError,
  connect,
  type Envelope,
  serve,
  type Service,
  serviceFn,
  spawn,
  type Spawned,
} from "../mod.ts";
import { Call } from "../client.ts";
import { helloWorldServer } from "../examples/hello_world/hello_world.gen.ts";
import { flushMicrotasks, settle, watch } from "./_helpers.ts";

class ThenFailure extends Error {}

/** A service whose result is a thenable that throws: from `then`, or its getter. */
function throwingThenable(kind: "method" | "getter"): Service<number, number> {
  return {
    call(): Promise<number> {
      const thenable = kind === "method"
        ? {
          then(): never {
            throw new ThenFailure("then threw");
          },
        }
        : Object.defineProperty({}, "then", {
          get(): never {
            throw new ThenFailure("the then getter threw");
          },
        });
      return thenable as unknown as Promise<number>;
    },
  };
}

for (const kind of ["method", "getter"] as const) {
  Deno.test(`hardening: a thenable whose then ${kind} throws rejects the caller on every path; inFlight returns to 0; close() resolves`, async (t) => {
    const paths: [string, () => Record<string, unknown> | undefined][] = [
      ["no options (direct)", () => undefined],
      ["a signal (envelope)", () => ({ signal: new AbortController().signal })],
      ["a deadline", () => ({ deadline: Date.now() + 60_000 })],
      ["metadata only", () => ({ metadata: { a: "b" } })],
    ];
    for (const [what, options] of paths) {
      await t.step(what, async () => {
        const { client, server } = spawn(throwingThenable(kind));
        const outcome = await settle(client.call(1, options()), what);
        assert.equal(outcome.status, "rejected");
        assert.ok(
          (outcome as { reason: unknown }).reason instanceof ThenFailure,
          String((outcome as { reason: unknown }).reason),
        );
        assert.equal(server.inFlight, 0, "the slot was never given back");
        assert.equal(server.failed, 1);
        // Later calls are still served, and close() resolves.
        const again = await settle(client.call(2, options()), "second call");
        assert.equal(again.status, "rejected");
        assert.equal(server.inFlight, 0);
        await settle(server.close(), "close()");
      });
    }

    await t.step("queued behind a busy actor", async () => {
      const { promise: gate, resolve: open } = Promise.withResolvers<void>();
      const thenables = throwingThenable(kind);
      let first = true;
      const { client, server } = spawn<number, number>({
        call(req, options) {
          if (first) {
            first = false;
            return gate.then(() => 0);
          }
          return thenables.call(req, options);
        },
      }, { concurrency: 1 });
      const busy = watch(client.call(0));
      const queued = [
        watch(client.call(1)),
        watch(client.call(2, { signal: new AbortController().signal })),
        watch(client.call(3, { deadline: Date.now() + 60_000 })),
      ];
      await flushMicrotasks();
      assert.equal(server.queued, 3);
      open();
      for (const reply of queued) {
        const outcome = await settle(reply);
        assert.equal(outcome.status, "rejected");
        assert.ok(
          (outcome as { reason: unknown }).reason instanceof ThenFailure,
        );
      }
      assert.equal((await settle(busy)).status, "fulfilled");
      assert.equal(server.inFlight, 0);
      assert.equal(server.failed, 3);
      await settle(server.close(), "close()");
    });
  });
}

Deno.test("hardening: a raw value sent on a served channel goes to onError, is counted in failed, and the server goes on", async () => {
  const reported: [unknown, string][] = [];
  const [tx, rx] = channel<Envelope<number, number>>(8);
  const server = serve(rx, serviceFn((n: number) => n * 2), {
    name: "Doubler",
    onError: (error, context) => reported.push([error, context]),
  });
  const client = connect(tx);
  // An idle server takes it at once…
  await tx.send({} as Envelope<number, number>);
  assert.equal(reported.length, 1);
  const [error, context] = reported[0];
  assert.ok(error instanceof TypeError, String(error));
  assert.match(error.message, /connect\(tx\)\.call/);
  assert.match(context, /Doubler/);
  assert.equal(server.failed, 1);
  // …and calls still work.
  assert.equal(await client.call(21), 42);
  assert.equal(server.served, 1);
  await server.close();
});

Deno.test("hardening: a raw value queued behind a busy server, and one left when it aborts, are reported too", async () => {
  const reported: unknown[] = [];
  const [tx, rx] = channel<Envelope<number, number>>(8);
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const server = serve(
    rx,
    serviceFn(async (n: number) => {
      await gate;
      return n;
    }),
    { concurrency: 1, onError: (error) => reported.push(error) },
  );
  const client = connect(tx);
  const busy = watch(client.call(1));
  await tx.send({ raw: 1 } as unknown as Envelope<number, number>);
  const queued = watch(client.call(2));
  assert.equal(server.queued, 2);
  open();
  assert.equal(await busy.promise, 1);
  assert.equal(await queued.promise, 2);
  assert.equal(reported.length, 1, "the queued raw value was not reported");
  assert.equal(server.failed, 1);

  // Queued when the server is aborted.
  const { promise: hold, resolve: release } = Promise.withResolvers<void>();
  const second = channel<Envelope<number, number>>(8);
  const aborting = serve(
    second[1],
    serviceFn(async (n: number) => {
      await hold;
      return n;
    }),
    { concurrency: 1, onError: (error) => reported.push(error) },
  );
  const running = watch(connect(second[0]).call(1));
  await second[0].send({ raw: 2 } as unknown as Envelope<number, number>);
  const stopped = aborting.abort(new Error("stop"));
  assert.equal(reported.length, 2, "the raw value dropped by abort() vanished");
  assert.equal(aborting.failed, 1);
  release();
  await stopped;
  await running.promise;
  await server.close();
});

Deno.test("hardening: without onError a raw value goes to console.error with context, never ends the process", async () => {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const [tx, rx] = channel<Envelope<number, number>>(4);
    const server = serve(rx, serviceFn((n: number) => n), { name: "Raw" });
    // No client: the channel accepts a primitive from an untyped caller.
    await tx.send(5 as unknown as Envelope<number, number>);
    await flushMicrotasks();
    assert.equal(logged.length, 1);
    assert.match(String(logged[0][0]), /Raw/);
    assert.ok(logged[0].some((arg) => arg instanceof TypeError));
    assert.equal(server.failed, 1);
    await server.close();
  } finally {
    console.error = original;
  }
});

Deno.test("hardening: a throwing onError falls back to console.error and the server goes on", async () => {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const [tx, rx] = channel<Envelope<number, number>>(4);
    const server = serve(rx, serviceFn((n: number) => n), {
      onError: () => {
        throw new Error("the metrics exporter is broken");
      },
    });
    await tx.send({} as Envelope<number, number>);
    assert.equal(logged.length, 1);
    assert.equal(await connect(tx).call(7), 7);
    assert.equal(server.failed, 1);
    assert.equal(server.served, 1);
    await server.close();
  } finally {
    console.error = original;
  }
});

// Channel compaction: relocating the ring reads each slot's `queued` flag
// (the live/tombstone test), so counting reads of `Call#queued` counts the
// slots copied. With a full ring at capacity 65,536, compacting on every
// abort+send would copy the whole ring each time: 2,000 × 65,536 reads. The
// second case runs ten times the capacity of rounds, through many
// compactions.
for (
  const [ring, rounds] of [[65_536, 2_000], [1_024, 10_240]] as const
) {
  Deno.test(`hardening: abort+send on a full ring of ${ring}, ${rounds} times, stays O(1) amortised (slots copied, counted)`, () => {
    const descriptor = Object.getOwnPropertyDescriptor(
      Call.prototype,
      "queued",
    )!;
    let reads = 0;
    Object.defineProperty(Call.prototype, "queued", {
      ...descriptor,
      get(this: Call<number, number>) {
        reads++;
        return descriptor.get!.call(this);
      },
    });
    try {
      const [tx, rx] = channel<Envelope<number, number>>(ring);
      const client = connect(tx);
      const controllers: AbortController[] = [];
      const send = (id: number) => {
        const controller = new AbortController();
        controllers[id] = controller;
        client.call(id, { signal: controller.signal }).catch(() => {});
      };
      // No server: the calls stay in the ring until received.
      const live: number[] = [];
      for (let id = 0; id < ring; id++) {
        send(id);
        live.push(id);
      }
      assert.equal(tx.size, ring);
      assert.equal(client.ready(), false, "the ring is not full");

      reads = 0;
      let next = ring;
      for (let i = 0; i < rounds; i++) {
        // Withdraw a live queued call (spread over the ring)…
        const at = (i * 7919) % live.length;
        const id = live[at];
        live[at] = live[live.length - 1];
        live.pop();
        controllers[id].abort();
        // …and refill its slot.
        send(next);
        live.push(next++);
        assert.equal(tx.size, ring);
      }
      // Each round reads a flag or two; relocations copy at most one ring
      // per `ring` rounds, plus one growth.
      const budget = 2 * ring + 16 * rounds;
      assert.ok(
        reads <= budget,
        `${reads} slot reads for ${rounds} abort+send rounds (budget ${budget}): compaction is not amortised`,
      );

      // The channel is still FIFO and holds exactly the live calls.
      const received: number[] = [];
      for (
        let result = rx.tryRecv();
        result.state === "ok";
        result = rx.tryRecv()
      ) {
        received.push(result.value.req);
        result.value.resolve(result.value.req);
      }
      assert.deepEqual(received, live.sort((a, b) => a - b));
      tx.close();
    } finally {
      Object.defineProperty(Call.prototype, "queued", descriptor);
    }
  });
}

// A handler of a `concurrency: 1` server that calls its own server with its
// own options would wait for itself forever if it awaited the call: the
// server reports it (once) through onError.
Deno.test("hardening: an actor's handler calling its own server with its own options is reported once via onError", async (t) => {
  for (
    const [what, pass] of [
      ["its options", (o: CallOptions) => o],
      ["a spread of them", (o: CallOptions) => ({ ...o })],
    ] as const
  ) {
    for (
      const [how, callerOptions] of [
        ["no options (direct)", undefined],
        ["metadata", { metadata: { a: "b" } }],
        ["a signal", { signal: new AbortController().signal }],
      ] as const
    ) {
      await t.step(
        `${what}, the caller passed ${how}`,
        async () => {
          const reported: [unknown, string][] = [];
          const spawned: Spawned<number, number> = spawn<number, number>(
            serviceFn((n: number, options: CallOptions) => {
              // Not awaited (that would deadlock): fire and forget, twice.
              if (n > 0) {
                spawned.client.call(n - 1, pass(options)).catch(() => {});
                spawned.client.call(n - 1, pass(options)).catch(() => {});
              }
              return n;
            }),
            {
              concurrency: 1,
              name: "Ledger",
              onError: (error, context) => reported.push([error, context]),
            },
          );
          const { client, server } = spawned;
          // Only the first handler calls itself: each path must be recognised.
          assert.equal(await client.call(1, callerOptions), 1);
          await settle(server.close(), "close()");
          assert.equal(reported.length, 1, "not reported exactly once");
          const [error, context] = reported[0];
          assert.match(String((error as Error).message), /Ledger/);
          assert.match(String((error as Error).message), /deadlock/);
          assert.match(context, /Ledger/);
        },
      );
    }
  }

  await t.step(
    "not reported: concurrency above 1, fresh options, or another server",
    async () => {
      const reported: unknown[] = [];
      const onError = (error: unknown) => reported.push(error);
      const other = spawn(serviceFn((n: number) => n), {
        concurrency: 1,
        onError,
      });
      const wide: Spawned<number, number> = spawn<number, number>(
        serviceFn(async (n: number, options: CallOptions) => {
          if (n > 0) await wide.client.call(n - 1, options);
          return n;
        }),
        { concurrency: 2, onError },
      );
      const actor: Spawned<number, number> = spawn<number, number>(
        serviceFn((n: number, options: CallOptions) => {
          if (n > 0) {
            actor.client.call(n - 1, { metadata: options.metadata }).catch(
              () => {},
            );
            other.client.call(n, options).catch(() => {});
          }
          return n;
        }),
        { concurrency: 1, onError },
      );
      assert.equal(await wide.client.call(1), 1);
      assert.equal(await actor.client.call(1, { metadata: { m: "1" } }), 1);
      await settle(actor.server.close(), "close()");
      await settle(wide.server.close(), "close()");
      await settle(other.server.close(), "close()");
      assert.deepEqual(reported, []);
    },
  );
});

/**
 * Runs `fn` while tracking which `Call`s sit in any `Set` (by wrapping
 * Set.prototype.add/delete/clear, restored afterwards): a Call still in a Set
 * after it settled is retained by the library for good.
 */
async function callsHeldInSets(fn: () => Promise<void>): Promise<number> {
  const { add, delete: remove, clear } = Set.prototype;
  const held = new Map<Set<unknown>, Set<unknown>>();
  const track = (set: Set<unknown>) => {
    let members = held.get(set);
    if (members === undefined) held.set(set, members = new Set());
    return members;
  };
  Set.prototype.add = function (this: Set<unknown>, value: unknown) {
    if (value instanceof Call) add.call(track(this), value);
    return add.call(this, value);
  } as typeof Set.prototype.add;
  Set.prototype.delete = function (this: Set<unknown>, value: unknown) {
    if (value instanceof Call) remove.call(track(this), value);
    return remove.call(this, value);
  };
  Set.prototype.clear = function (this: Set<unknown>) {
    held.delete(this);
    return clear.call(this);
  };
  try {
    await fn();
  } finally {
    Set.prototype.add = add;
    Set.prototype.delete = remove;
    Set.prototype.clear = clear;
  }
  let count = 0;
  for (const members of held.values()) count += members.size;
  return count;
}

Deno.test("hardening: a handler that read its signal and whose caller gave up while it ran leaves nothing held by the server", async () => {
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const { client, server } = spawn(
    serviceFn(async (n: number, options: CallOptions) => {
      options.signal!.aborted; // read it: the server now tracks it
      await gate;
      return n;
    }),
  );
  const held = await callsHeldInSets(async () => {
    const controllers = Array.from({ length: 20 }, () => new AbortController());
    const replies = controllers.map((c, i) =>
      watch(
        client.call(i, {
          signal: c.signal,
          // Half carry a deadline too (another path to the handler signal).
          deadline: i % 2 === 0 ? Date.now() + 60_000 : undefined,
        }),
      )
    );
    await flushMicrotasks();
    controllers.forEach((c) => c.abort(new Error("gave up")));
    open();
    await flushMicrotasks();
    assert.ok(replies.every((r) => r.outcome.status === "rejected"));
    assert.equal(server.inFlight, 0);
    // And calls that end normally, for comparison.
    for (let i = 0; i < 10; i++) {
      await client.call(i, { signal: new AbortController().signal });
    }
  });
  assert.equal(held, 0, `${held} settled calls are still held in a Set`);
  await server.close();
});

Deno.test("hardening: a call aborted after the server took it but before its turn to run (starting) never runs and frees its slot", async () => {
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const started: number[] = [];
  const { client, server } = spawn(
    serviceFn(async (n: number) => {
      started.push(n);
      if (n === 1) await gate;
      return n;
    }),
    { concurrency: 1 },
  );
  const reason = new Error("changed my mind");
  const second = new AbortController();
  const first = client.call(1, { signal: new AbortController().signal });
  const queued = watch(client.call(2, { signal: second.signal }));
  // Runs when the first call is answered: the server has just taken the
  // second off the queue, and its handler waits for its turn (a microtask).
  const abortedWhileStarting = first.then(() => {
    assert.equal(server.queued, 0, "the second call is not taken yet");
    assert.equal(server.inFlight, 1);
    second.abort(reason);
  });
  await flushMicrotasks();
  open();
  await abortedWhileStarting;
  await flushMicrotasks();
  assert.deepEqual(queued.outcome, { status: "rejected", reason });
  assert.deepEqual(started, [1], "the aborted call ran");
  assert.equal(server.inFlight, 0, "its slot was not freed");
  assert.equal(server.cancelled, 1);
  assert.equal(await client.call(3), 3);
  assert.equal(server.served, 2);
  await server.close();
});

/** A native promise whose `then` throws: a Promise subclass from a library. */
class ThrowingThenPromise<T> extends Promise<T> {
  override then<R1 = T, R2 = never>(): Promise<R1 | R2> {
    throw new ThenFailure("the subclass's then threw");
  }
}

Deno.test("hardening: a Promise subclass whose then throws is a rejection too, on every path", async (t) => {
  const service: Service<number, number> = {
    call: (n) => new ThrowingThenPromise<number>((resolve) => resolve(n)),
  };
  const paths: [string, () => CallOptions | undefined][] = [
    ["no options (direct)", () => undefined],
    ["a signal (envelope)", () => ({ signal: new AbortController().signal })],
    ["a deadline", () => ({ deadline: Date.now() + 60_000 })],
    ["metadata only", () => ({ metadata: { a: "b" } })],
  ];
  for (const [what, options] of paths) {
    await t.step(what, async () => {
      const { client, server } = spawn(service);
      let reply: Promise<number>;
      try {
        reply = client.call(1, options());
      } catch (err) {
        assert.fail(`client.call threw synchronously: ${err}`);
      }
      const outcome = await settle(reply, what);
      assert.equal(outcome.status, "rejected");
      assert.ok(
        (outcome as { reason: unknown }).reason instanceof ThenFailure,
        String((outcome as { reason: unknown }).reason),
      );
      assert.equal(server.inFlight, 0, "the slot was never given back");
      await settle(server.close(), "close()");
    });
  }
});

Deno.test("hardening: server.abort() while a call is starting rejects it as dropped, never runs it, and the counters add up", async () => {
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const started: number[] = [];
  const { client, server } = spawn(
    serviceFn(async (n: number) => {
      started.push(n);
      if (n === 1) await gate;
      return n;
    }),
    { concurrency: 1, name: "Vault" },
  );
  const first = client.call(1, { signal: new AbortController().signal });
  const queued = watch(
    client.call(2, { signal: new AbortController().signal }),
  );
  let stopped: Promise<void> | undefined;
  const abortedWhileStarting = first.then(() => {
    assert.equal(server.queued, 0);
    assert.equal(server.inFlight, 1, "the second call is not starting");
    stopped = server.abort(new Error("maintenance"));
  });
  await flushMicrotasks();
  open();
  await abortedWhileStarting;
  await settle(stopped!, "abort()");
  assert.equal(queued.outcome.status, "rejected");
  const error = (queued.outcome as { reason: unknown }).reason;
  assert.ok(error instanceof ChannelClosedError, String(error));
  assert.equal(error.service, "Vault");
  assert.deepEqual(started, [1]);
  assert.equal(server.state, "stopped");
  assert.equal(server.inFlight, 0);
  assert.equal(server.served, 1);
  assert.equal(server.rejected, 1);
});

Deno.test("hardening: the core runtime never calls reportError (it ends a Deno process)", async () => {
  const core = [
    "mod.ts",
    "channel.ts",
    "client.ts",
    "server.ts",
    "service.ts",
    "errors.ts",
    "_abort.ts",
    "_timers.ts",
  ];
  for (const file of core) {
    const source = await Deno.readTextFile(
      new URL(`../${file}`, import.meta.url),
    );
    // Code only: block and line comments removed (JSDoc may name it).
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(
      /(^|[^:])\/\/.*$/gm,
      "$1",
    );
    assert.doesNotMatch(
      code,
      /\breportError\s*\(/,
      `${file} calls reportError`,
    );
  }
});

Deno.test("hardening: null call options from an untyped caller mean none (as for fetch), never a synchronous throw", async () => {
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const { client, server } = spawn(
    serviceFn(async (n: number) => {
      if (n === 0) await gate;
      return n;
    }),
    { concurrency: 1 },
  );
  const replies: Promise<number>[] = [];
  for (const n of [0, 1]) { // direct, then queued
    try {
      replies.push(client.call(n, null as unknown as CallOptions));
    } catch (err) {
      assert.fail(`client.call threw synchronously: ${err}`);
    }
  }
  open();
  assert.deepEqual(await Promise.all(replies), [0, 1]);
  await server.close();
});

Deno.test("hardening: a handler that reads its signal only after it settled (background work) leaves nothing held by the server", async () => {
  const late: Promise<AbortSignal>[] = [];
  const { client, server } = spawn(
    serviceFn((n: number, options: CallOptions) => {
      // Reads the signal a few microtasks after answering.
      late.push(
        Promise.resolve().then(() => Promise.resolve()).then(() =>
          Promise.resolve()
        ).then(() => options.signal!),
      );
      return n;
    }),
  );
  const held = await callsHeldInSets(async () => {
    for (let i = 0; i < 20; i++) {
      await client.call(i, { signal: new AbortController().signal });
      await client.call(i, { deadline: Date.now() + 60_000 });
    }
    await Promise.all(late);
    await flushMicrotasks();
  });
  assert.equal(late.length, 40);
  assert.equal(held, 0, `${held} finished calls are still held in a Set`);
  await server.close();
});

Deno.test("hardening: a generated server refuses what an untyped caller sends with a BadRequestError naming the service", async () => {
  const { client, server } = spawn(
    helloWorldServer({ hello: (n) => `Hello, ${n}!` }),
  );
  const untyped = client as unknown as {
    call(req: unknown): Promise<unknown>;
  };
  for (const bad of [null, 42, "hello", {}, { method: "hello", args: "x" }]) {
    const err = await untyped.call(bad).then(() => undefined, (e) => e);
    assert.ok(err instanceof BadRequestError, `${JSON.stringify(bad)}: ${err}`);
    assert.equal(err.service, "HelloWorld");
    assert.equal(err.request, bad);
    assert.match(err.message, /HelloWorld/);
  }
  assert.equal(
    await untyped.call({ method: "hello", args: ["ada"] }),
    "Hello, ada!",
  );
  await server.close();
});
