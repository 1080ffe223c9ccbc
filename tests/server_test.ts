import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import fc from "fast-check";
import { assertProperty } from "./_property.ts";
import {
  type CallOptions,
  channel,
  ChannelClosedError,
  type Client,
  connect,
  type Envelope,
  HandlerError,
  InvalidOptionError,
  type Receiver,
  serve,
  type Server,
  type Service,
  serviceFn,
  spawn,
  TimeoutError,
} from "../mod.ts";
import {
  assertPending,
  ControlledService,
  flushMicrotasks,
  fulfilled,
  rejected,
  settle,
  TrackedController,
  watch,
  type Watched,
} from "./_helpers.ts";

type Req = { id: number };

function counters(server: Server) {
  return {
    queued: server.queued,
    inFlight: server.inFlight,
    served: server.served,
    failed: server.failed,
    cancelled: server.cancelled,
    rejected: server.rejected,
  };
}

/** served + failed + cancelled + rejected + queued + inFlight. */
function accounted(server: Server): number {
  return server.served + server.failed + server.cancelled + server.rejected +
    server.queued + server.inFlight;
}

function assertClosedError(err: unknown, value: unknown, cause?: unknown) {
  assert.ok(err instanceof ChannelClosedError, `got ${String(err)}`);
  assert.equal(err.value, value, "ChannelClosedError.value");
  assert.equal(err.cause, cause, "ChannelClosedError.cause");
}

// ---------------------------------------------------------------------------
// basics

Deno.test("spawn: round trip, then close", async () => {
  const { client, server } = spawn(serviceFn((s: string) => `Hello, ${s}!`));
  assert.equal(await fulfilled(client.call("world")), "Hello, world!");
  assert.equal(server.served, 1);
  const closing = server.close();
  assert.equal(closing, server.closed);
  await fulfilled(closing);
});

Deno.test("serve + connect: round trip over an explicit channel", async () => {
  const [tx, rx] = channel<Envelope<number, number>>(8);
  const server = serve(rx, serviceFn((n: number) => n + 1));
  const client = connect(tx);
  assert.deepEqual(
    await fulfilled(Promise.all([client.call(1), client.call(2)])),
    [2, 3],
  );
  await fulfilled(server.close());
});

Deno.test("serve: an idle server starts the handler synchronously", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc);
  const reply = watch(client.call({ id: 1 }));
  assert.equal(svc.calls.length, 1); // started inside call()
  assert.equal(server.inFlight, 1);
  assert.equal(server.queued, 0);
  svc.calls[0].resolve(10);
  assert.equal(await fulfilled(reply), 10);
  await fulfilled(server.close());
});

Deno.test("serve: the handler gets the request by reference and a signal", async () => {
  const seen: { req: unknown; options: CallOptions }[] = [];
  const { client, server } = spawn(
    serviceFn((req: Req, options: CallOptions) => {
      seen.push({ req, options });
      return req.id;
    }),
  );
  const req = { id: 7 };
  assert.equal(await fulfilled(client.call(req)), 7);
  assert.equal(seen[0].req, req);
  assert.ok(seen[0].options.signal instanceof AbortSignal);
  assert.equal(seen[0].options.signal.aborted, false);
  await fulfilled(server.close());
});

Deno.test("serve: requests queued before serve() are handled in order", async () => {
  const [tx, rx] = channel<Envelope<Req, number>>(8);
  const client = connect(tx);
  const replies = [0, 1, 2, 3].map((id) => watch(client.call({ id })));
  assert.equal(rx.size, 4);
  const svc = new ControlledService<Req, number>();
  const server = serve(rx, svc, { concurrency: 2 });
  // Taken at once; each runs one microtask later, in its caller's context.
  assert.equal(server.queued, 2);
  assert.equal(server.inFlight, 2);
  await flushMicrotasks();
  assert.deepEqual(svc.started, [{ id: 0 }, { id: 1 }]);
  for (let i = 0; i < 4; i++) {
    svc.pending[0].resolve(i * 10);
    await flushMicrotasks();
  }
  assert.deepEqual(svc.started.map((r) => r.id), [0, 1, 2, 3]);
  for (const [i, r] of replies.entries()) {
    assert.equal(await fulfilled(r), i * 10);
  }
  await fulfilled(server.close());
});

Deno.test("serve: a closed channel is drained, then the server stops by itself", async () => {
  const [tx, rx] = channel<Envelope<Req, number>>(8);
  const client = connect(tx);
  const replies = [0, 1].map((id) => watch(client.call({ id })));
  tx.close();
  const server = serve(rx, serviceFn((r: Req) => r.id + 100));
  assert.deepEqual(
    [await fulfilled(replies[0]), await fulfilled(replies[1])],
    [100, 101],
  );
  await fulfilled(server.closed, "server on a closed channel");
  assert.equal(server.served, 2);
});

Deno.test("spawn: the default capacity is 1024", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency: 1 });
  const replies = Array.from({ length: 1026 }, (_, id) => client.call({ id }));
  assert.equal(server.inFlight, 1);
  assert.equal(server.queued, 1024);
  assert.equal(client.ready(), false); // the 1026th waits for room
  while (svc.pending.length > 0) {
    svc.pending[0].resolve(svc.pending[0].req.id);
    await flushMicrotasks();
  }
  const results = await fulfilled(Promise.all(replies));
  assert.deepEqual(results, Array.from({ length: 1026 }, (_, i) => i));
  await fulfilled(server.close());
});

Deno.test("serve: a handler may call services, its own included, re-entrantly", async () => {
  type Msg = { depth: number };
  const ref: { self?: Service<Msg, number> } = {};
  const { client, server } = spawn(serviceFn(async (m: Msg) => {
    if (m.depth === 0) return 0;
    // Dispatched synchronously from inside the outer dispatch.
    return 1 + await ref.self!.call({ depth: m.depth - 1 });
  }));
  ref.self = client;
  assert.equal(await fulfilled(client.call({ depth: 5 })), 5);
  assert.equal(server.served, 6);
  await fulfilled(server.close());
});

Deno.test("serve: a handler may close or abort its own server", async (t) => {
  await t.step("close from inside a handler", async () => {
    const ref: { server?: Server } = {};
    const spawned = spawn(
      serviceFn(async (cmd: string) => {
        await null; // the second call is queued by now
        if (cmd === "shutdown") ref.server!.close();
        return `did ${cmd}`;
      }),
      { concurrency: 1 },
    );
    const server = ref.server = spawned.server;
    const a = watch(spawned.client.call("shutdown"));
    const b = watch(spawned.client.call("queued before close"));
    assert.equal(server.queued, 1);
    assert.equal(await fulfilled(a), "did shutdown");
    assert.equal(await fulfilled(b), "did queued before close"); // drained
    await fulfilled(server.closed);
    assert.equal(server.served, 2);
  });
  await t.step("abort from inside a handler", async () => {
    const ref: { server?: Server } = {};
    let ownSignal: AbortSignal | undefined;
    const spawned = spawn(
      serviceFn(async (cmd: string, options: CallOptions) => {
        await null; // the second call is queued by now
        if (cmd === "abort") {
          ownSignal = options.signal;
          ref.server!.abort("self-destruct");
        }
        return `did ${cmd}`;
      }),
      { concurrency: 1 },
    );
    const server = ref.server = spawned.server;
    const a = watch(spawned.client.call("abort"));
    const queued = watch(spawned.client.call("never"));
    assert.equal(server.queued, 1);
    await fulfilled(server.closed);
    assert.equal(await fulfilled(a), "did abort");
    assert.equal(ownSignal?.aborted, true);
    assert.equal(ownSignal?.reason, "self-destruct");
    const err = await rejected(queued);
    assert.ok(err instanceof ChannelClosedError);
    assert.equal(err.value, "never");
    assert.equal(err.cause, "self-destruct");
    assert.equal(server.rejected, 1);
  });
});

// ---------------------------------------------------------------------------
// validation

Deno.test("serve: the same receiver cannot be served twice", async () => {
  const [, rx] = channel<Envelope<Req, number>>(4);
  const first = serve(rx, serviceFn((r: Req) => r.id));
  assert.throws(
    () => serve(rx, serviceFn((r: Req) => r.id)),
    (err: unknown) => {
      assert.ok(err instanceof InvalidOptionError);
      assert.equal(err.option, "receiver");
      return true;
    },
  );
  await fulfilled(first.close());
});

Deno.test("serve and spawn: invalid concurrency throws InvalidOptionError naming the value", async (t) => {
  const bad: [unknown, string][] = [
    [0, "0"],
    [-1, "-1"],
    [1.5, "1.5"],
    [NaN, "NaN"],
    ["3", '"3"'],
    [null, "null"],
    [-Infinity, "-Infinity"],
    [{}, "{}"],
  ];
  for (const [i, [concurrency, rendered]] of bad.entries()) {
    await t.step(`${i}: ${rendered}`, () => {
      const check = (err: unknown) => {
        assert.ok(err instanceof InvalidOptionError, String(err));
        assert.equal(err.option, "concurrency");
        assert.ok(Object.is(err.value, concurrency));
        assert.ok(err.message.includes(`concurrency: ${rendered};`));
        return true;
      };
      const [, rx] = channel<Envelope<Req, number>>(4);
      const svc = serviceFn((r: Req) => r.id);
      assert.throws(
        () => serve(rx, svc, { concurrency: concurrency as number }),
        check,
      );
      assert.throws(
        () => spawn(svc, { concurrency: concurrency as number }),
        check,
      );
      // A failed serve() leaves the receiver free.
      const server = serve(rx, svc);
      server.abort();
    });
  }
});

Deno.test("spawn: invalid capacity throws InvalidOptionError naming the value", () => {
  const svc = serviceFn((r: Req) => r.id);
  for (const capacity of [0, -1, 1.5, NaN, "3", null]) {
    assert.throws(
      () => spawn(svc, { capacity: capacity as number }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidOptionError, String(err));
        assert.equal(err.option, "capacity");
        assert.ok(Object.is(err.value, capacity));
        return true;
      },
    );
  }
});

Deno.test("serve: each valid concurrency value caps the handlers running at once (default: unbounded)", async (t) => {
  const LOAD = 1_500;
  for (const concurrency of [1, 2, 1000, Infinity, undefined]) {
    await t.step(String(concurrency), async () => {
      const svc = new ControlledService<Req, number>();
      const { client, server } = spawn(svc, {
        concurrency,
        capacity: Infinity,
      });
      const replies = Array.from(
        { length: LOAD },
        (_, id) => watch(client.call({ id })),
      );
      await flushMicrotasks();
      // More calls than the limit: exactly `limit` run, the rest wait.
      const limit = Math.min(concurrency ?? Infinity, LOAD);
      assert.equal(svc.running, limit);
      assert.equal(server.inFlight, limit);
      assert.equal(server.queued, LOAD - limit);
      for (let settled = 0; settled < LOAD;) {
        const running = svc.pending;
        for (const call of running) call.resolve(call.req.id);
        settled += running.length;
        await flushMicrotasks();
        assert.ok(svc.running <= limit);
      }
      assert.equal(svc.peak, limit);
      for (const [id, r] of replies.entries()) {
        assert.equal(await fulfilled(r), id);
      }
      await fulfilled(server.close());
    });
  }
});

Deno.test("serve: rejects a non-receiver and a non-service with TypeError", () => {
  const [tx, rx] = channel<Envelope<Req, number>>(1);
  const svc = serviceFn((r: Req) => r.id);
  for (const bad of [undefined, null, {}, "rx"]) {
    assert.throws(
      () => serve(bad as unknown as Receiver<Envelope<Req, number>>, svc),
      TypeError,
    );
  }
  for (const bad of [undefined, null, {}, () => 1, { call: 1 }]) {
    assert.throws(
      () => serve(rx, bad as unknown as Service<Req, number>),
      TypeError,
    );
    assert.throws(
      () => spawn(bad as unknown as Service<Req, number>),
      TypeError,
    );
  }
  tx.close();
});

// ---------------------------------------------------------------------------
// load and concurrency

Deno.test("10,000 concurrent calls are all answered with the right response", async (t) => {
  const N = 10_000;
  const handler = serviceFn(async (req: Req) => {
    await null;
    return { echo: req.id, double: req.id * 2 };
  });
  const configs: [string, { capacity?: number; concurrency?: number }][] = [
    ["unbounded", {}],
    ["concurrency 16, capacity 64", { concurrency: 16, capacity: 64 }],
    ["actor with capacity 1", { concurrency: 1, capacity: 1 }],
  ];
  for (const [name, options] of configs) {
    await t.step(name, async () => {
      const { client, server } = spawn(handler, options);
      const replies = Array.from({ length: N }, (_, id) => client.call({ id }));
      const results = await fulfilled(Promise.all(replies), `${N} calls`);
      for (const [id, r] of results.entries()) {
        assert.equal(r.echo, id);
        assert.equal(r.double, id * 2);
      }
      assert.equal(server.served, N);
      assert.equal(accounted(server), N);
      await fulfilled(server.close());
    });
  }
});

Deno.test("10,000 concurrent calls completed out of order each get their own response", async () => {
  const N = 10_000;
  const svc = new ControlledService<Req, string>();
  const { client, server } = spawn(svc);
  const replies = Array.from(
    { length: N },
    (_, id) => watch(client.call({ id })),
  );
  assert.equal(svc.running, N); // unbounded by default
  for (let i = N - 1; i >= 0; i--) {
    const call = svc.calls[i];
    call.resolve(`r${call.req.id}`);
  }
  await fulfilled(Promise.all(replies.map((r) => r.promise)));
  for (const [id, r] of replies.entries()) {
    assert.deepEqual(r.outcome, { status: "fulfilled", value: `r${id}` });
  }
  await fulfilled(server.close());
});

Deno.test("serve: the concurrency limit is honoured exactly", async (t) => {
  for (const limit of [1, 3, 16]) {
    for (const capacity of [1024, 2]) {
      await t.step(`limit ${limit}, capacity ${capacity}`, async () => {
        const load = limit * 4 + 5;
        const svc = new ControlledService<Req, number>();
        const { client, server } = spawn(svc, { concurrency: limit, capacity });
        const replies = Array.from(
          { length: load },
          (_, id) => watch(client.call({ id })),
        );
        await flushMicrotasks();
        assert.equal(svc.running, limit);
        assert.equal(server.inFlight, limit);
        assert.equal(server.queued, Math.min(capacity, load - limit));
        // Settle one at a time, picking from the middle of the running set;
        // the server refills exactly to the limit.
        let remaining = load;
        while (remaining > 0) {
          const running = svc.pending;
          const call = running[Math.floor(running.length / 2)];
          call.resolve(call.req.id);
          remaining--;
          await flushMicrotasks();
          assert.equal(svc.running, Math.min(limit, remaining));
          assert.equal(server.inFlight, svc.running);
          assert.ok(svc.running <= limit);
        }
        assert.equal(svc.peak, limit);
        // Handlers started in arrival order.
        assert.deepEqual(
          svc.started.map((r) => r.id),
          Array.from({ length: load }, (_, i) => i),
        );
        for (const [id, r] of replies.entries()) {
          assert.equal(await fulfilled(r), id);
        }
        assert.equal(server.served, load);
        await fulfilled(server.close());
      });
    }
  }
});

Deno.test("serve: default concurrency is unbounded", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { capacity: 1 });
  const replies = Array.from({ length: 500 }, (_, id) => client.call({ id }));
  assert.equal(svc.running, 500);
  assert.equal(server.queued, 0);
  for (const c of svc.calls) c.resolve(c.req.id);
  await fulfilled(Promise.all(replies));
  assert.equal(svc.peak, 500);
  await fulfilled(server.close());
});

Deno.test("serve: concurrency 1 is an actor (no lost updates)", async () => {
  // Read, yield, write: interleaved handlers lose updates.
  const run = async (concurrency: number) => {
    let balance = 0;
    const { client, server } = spawn(
      serviceFn(async (amount: number) => {
        const read = balance;
        await null;
        await null;
        balance = read + amount;
        return balance;
      }),
      { concurrency },
    );
    await fulfilled(
      Promise.all(Array.from({ length: 100 }, () => client.call(1))),
    );
    await fulfilled(server.close());
    return balance;
  };
  assert.equal(await run(1), 100);
  assert.notEqual(await run(Infinity), 100); // the test can tell
});

// ---------------------------------------------------------------------------
// handler failures

Deno.test("handler failures reach the caller; Errors pass through unchanged", async (t) => {
  const boom = new RangeError("boom");
  const services: [string, Service<number, number>][] = [
    ["call() throws synchronously", {
      call: () => {
        throw boom;
      },
    }],
    ["call() returns a rejected promise", { call: () => Promise.reject(boom) }],
    [
      "serviceFn throws synchronously",
      serviceFn((): number => {
        throw boom;
      }),
    ],
    [
      "async handler throws",
      serviceFn(async (): Promise<number> => {
        await null;
        throw boom;
      }),
    ],
  ];
  for (const [name, svc] of services) {
    await t.step(name, async () => {
      const { client, server } = spawn(svc, { concurrency: 1 });
      let reply: Promise<number> | undefined;
      assert.doesNotThrow(() => {
        reply = client.call(1);
      });
      assert.equal(await rejected(reply!), boom);
      assert.equal(await rejected(client.call(2)), boom); // still serving
      assert.equal(server.failed, 2);
      assert.equal(server.served, 0);
      assert.equal(server.inFlight, 0);
      await fulfilled(server.close());
    });
  }
});

Deno.test("a non-Error thrown by a handler becomes a HandlerError with cause", async (t) => {
  const values: unknown[] = ["boom", 42, undefined, null, { code: 7 }];
  for (const [i, thrown] of values.entries()) {
    await t.step(`${i}: ${typeof thrown}`, async () => {
      const { client, server } = spawn<number, number>({
        call: () => {
          throw thrown;
        },
      });
      const viaReject = spawn<number, number>({
        call: () => Promise.reject(thrown),
      });
      for (const c of [client, viaReject.client]) {
        const err = await rejected(c.call(1));
        assert.ok(err instanceof HandlerError);
        assert.ok(Object.is(err.cause, thrown));
      }
      assert.equal(server.failed, 1);
      await fulfilled(server.close());
      await fulfilled(viaReject.server.close());
    });
  }
});

Deno.test("a handler returning a plain value (not a promise) still answers", async () => {
  const { client, server } = spawn<number, number>({
    call: (n) => (n * 3) as unknown as Promise<number>,
  });
  assert.equal(await fulfilled(client.call(2)), 6);
  await fulfilled(server.close());
});

// ---------------------------------------------------------------------------
// caller aborts

Deno.test("abort before enqueue: rejects with the reason; the handler never runs", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc);
  const controller = new TrackedController();
  const reason = new Error("early");
  controller.abort(reason);
  assert.equal(
    await rejected(client.call({ id: 1 }, { signal: controller.signal })),
    reason,
  );
  assert.equal(svc.calls.length, 0);
  assert.equal(accounted(server), 0);
  assert.equal(controller.added, 0);
  await fulfilled(server.close());
});

Deno.test("abort while queued: rejects at once, frees the slot, counted cancelled, never handled", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency: 1, capacity: 2 });
  const controller = new TrackedController();
  const r0 = watch(client.call({ id: 0 })); // running
  const r1 = watch(client.call({ id: 1 }, { signal: controller.signal })); // queued
  const r2 = watch(client.call({ id: 2 })); // queued
  const r3 = watch(client.call({ id: 3 })); // waiting for room
  assert.equal(server.queued, 2);
  const reason = new Error("not needed");
  controller.abort(reason);
  await flushMicrotasks();
  assert.equal(r1.outcome.status, "rejected"); // at once, not after r0
  assert.equal(await rejected(r1), reason);
  assert.deepEqual(counters(server), {
    queued: 2, // r2, and r3 admitted into the freed slot
    inFlight: 1,
    served: 0,
    failed: 0,
    cancelled: 1,
    rejected: 0,
  });
  assert.equal(controller.listeners, 0);
  for (let i = 0; i < 3; i++) {
    svc.pending[0].resolve(svc.pending[0].req.id);
    await flushMicrotasks();
  }
  assert.deepEqual(svc.started.map((r) => r.id), [0, 2, 3]);
  assert.equal(await fulfilled(r0), 0);
  assert.equal(await fulfilled(r2), 2);
  assert.equal(await fulfilled(r3), 3);
  assert.equal(server.served, 3);
  assert.equal(accounted(server), 4);
  await fulfilled(server.close());
});

Deno.test("abort while waiting for room: rejects at once, never reaches the server", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency: 1, capacity: 1 });
  const controller = new TrackedController();
  const r0 = watch(client.call({ id: 0 })); // running
  const r1 = watch(client.call({ id: 1 })); // queued
  const r2 = watch(client.call({ id: 2 }, { signal: controller.signal })); // waiting
  const r3 = watch(client.call({ id: 3 })); // waiting
  await assertPending(r2);
  controller.abort("too slow");
  await flushMicrotasks();
  assert.equal(await rejected(r2), "too slow");
  assert.equal(controller.listeners, 0);
  assert.equal(server.cancelled, 0); // it never reached the channel
  for (let i = 0; i < 3; i++) {
    svc.pending[0].resolve(svc.pending[0].req.id);
    await flushMicrotasks();
  }
  assert.deepEqual(svc.started.map((r) => r.id), [0, 1, 3]);
  assert.deepEqual(
    [await fulfilled(r0), await fulfilled(r1), await fulfilled(r3)],
    [0, 1, 3],
  );
  assert.equal(accounted(server), 3);
  await fulfilled(server.close());
});

Deno.test("abort while running: the caller rejects at once and the handler's signal fires", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc);
  const controller = new TrackedController();
  const other = watch(client.call({ id: 0 }));
  const reply = watch(client.call({ id: 1 }, { signal: controller.signal }));
  const call = svc.calls[1];
  const handlerSignal = call.signal!;
  assert.equal(handlerSignal.aborted, false);
  let fired = 0;
  handlerSignal.addEventListener("abort", () => fired++, { once: true });
  const reason = new Error("user left");
  controller.abort(reason);
  assert.equal(fired, 1);
  assert.equal(handlerSignal.aborted, true);
  assert.equal(handlerSignal.reason, reason);
  assert.equal(await rejected(reply), reason); // before the handler settled
  assert.equal(call.done, false);
  assert.equal(controller.listeners, 0);
  // Other requests do not see the abort.
  assert.equal(svc.calls[0].signal!.aborted, false);
  assert.equal(server.inFlight, 2);
  // close() waits for the aborted caller's handler too.
  const closing = watch(server.close());
  await assertPending(closing, "close with an aborted request still running");
  // The handler's late result is dropped; the caller's outcome stands.
  call.resolve(99);
  svc.calls[0].resolve(0);
  assert.equal(await fulfilled(other), 0);
  assert.equal(await rejected(reply), reason);
  assert.equal(server.inFlight, 0);
  assert.equal(server.served, 2);
  assert.equal(server.cancelled, 0);
  await fulfilled(closing);
});

Deno.test("abort while running: a handler that honours the signal ends the request", async () => {
  const started = Promise.withResolvers<void>();
  const { client, server } = spawn(serviceFn((_: Req, options: CallOptions) => {
    started.resolve();
    const { promise, reject } = Promise.withResolvers<number>();
    options.signal!.addEventListener(
      "abort",
      () => reject(options.signal!.reason),
      { once: true },
    );
    return promise;
  }));
  const controller = new AbortController();
  const reply = watch(client.call({ id: 1 }, { signal: controller.signal }));
  await fulfilled(started.promise);
  controller.abort("stop");
  assert.equal(await rejected(reply), "stop");
  await flushMicrotasks();
  assert.equal(server.inFlight, 0);
  assert.equal(server.failed, 1);
  await fulfilled(server.close(), "close after the handler honoured abort");
});

Deno.test("a signal shared by many calls aborts them all, wherever they are", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency: 1, capacity: 1 });
  const controller = new TrackedController();
  const signal = controller.signal;
  const replies = [0, 1, 2, 3].map((id) =>
    watch(client.call({ id }, { signal }))
  );
  // 0 running, 1 queued, 2 and 3 waiting for room.
  controller.abort("all");
  for (const r of replies) assert.equal(await rejected(r), "all");
  assert.equal(controller.listeners, 0);
  assert.equal(server.queued, 0);
  // Withdrawing 1 admits the waiters into its slot before their own
  // listeners run, so they are withdrawn (cancelled) from the queue in turn:
  // 1 to 3 cancelled, none handled.
  assert.equal(server.cancelled, 3);
  svc.calls[0].resolve(0);
  await flushMicrotasks();
  assert.equal(svc.calls.length, 1);
  assert.equal(server.served, 1);
  assert.equal(accounted(server), 4);
  await fulfilled(server.close());
});

// ---------------------------------------------------------------------------
// close

Deno.test("close: stops intake, drains the queue, waits for in-flight", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency: 1 });
  const replies = [0, 1, 2].map((id) => watch(client.call({ id })));
  const closing = watch(server.close());
  assert.equal(server.close(), closing.promise); // idempotent: same promise
  assert.equal(server.closed, closing.promise);

  const req = { id: 3 };
  const late = await rejected(client.call(req));
  assertClosedError(late, req, undefined);
  assert.equal(client.ready(), false);

  for (let i = 0; i < 3; i++) {
    await assertPending(closing, "close with work left");
    svc.pending[0].resolve(i);
    await flushMicrotasks();
  }
  await fulfilled(closing);
  for (const [i, r] of replies.entries()) assert.equal(await fulfilled(r), i);
  assert.equal(server.served, 3);
  assert.equal(accounted(server), 3);
  await fulfilled(server.close()); // again, after stopping
});

Deno.test("close: calls waiting for room reject ChannelClosedError carrying the request", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency: 1, capacity: 1 });
  const controller = new TrackedController();
  const r0 = watch(client.call({ id: 0 }));
  const r1 = watch(client.call({ id: 1 }));
  const req2 = { id: 2 };
  const r2 = watch(client.call(req2, { signal: controller.signal }));
  const closing = watch(server.close());
  assertClosedError(await rejected(r2), req2, undefined);
  assert.equal(controller.listeners, 0);
  svc.pending[0].resolve(0);
  await flushMicrotasks();
  svc.pending[0].resolve(1);
  assert.equal(await fulfilled(r0), 0);
  assert.equal(await fulfilled(r1), 1);
  await fulfilled(closing);
  assert.equal(accounted(server), 2);
});

Deno.test("close: an idle server stops at once", async () => {
  const { server } = spawn(serviceFn((n: number) => n));
  await fulfilled(server.close());
  assert.equal(accounted(server), 0);
});

Deno.test("close: await using closes the server gracefully", async () => {
  const svc = new ControlledService<Req, number>();
  let server: Server | undefined;
  let reply: Watched<number> | undefined;
  const scope = watch((async () => {
    await using s = spawn(svc).server;
    server = s;
  })());
  await fulfilled(scope);
  await fulfilled(server!.closed);

  const spawned = spawn(svc);
  const inner = watch((async () => {
    await using _s = spawned.server;
    reply = watch(spawned.client.call({ id: 1 }));
  })());
  await assertPending(inner, "dispose waits for in-flight");
  svc.pending[0].resolve(5);
  await fulfilled(inner);
  assert.equal(await fulfilled(reply!), 5);
});

Deno.test("close: closing the receiver side closes the server too", async () => {
  const [tx, rx] = channel<Envelope<number, number>>(4);
  const server = serve(rx, serviceFn((n: number) => n));
  rx.close();
  await fulfilled(server.closed);
  assertClosedError(await rejected(connect(tx).call(1)), 1, undefined);
});

// ---------------------------------------------------------------------------
// abort

Deno.test("abort: queued requests reject at once, running handlers see the signal", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency: 2, capacity: 2 });
  const callerSignal = new TrackedController();
  const r0 = watch(client.call({ id: 0 }));
  const r1 = watch(client.call({ id: 1 }, { signal: callerSignal.signal }));
  const queued = [{ id: 2 }, { id: 3 }];
  const rq = queued.map((req) => watch(client.call(req)));
  const waitingReq = { id: 4 };
  const rw = watch(client.call(waitingReq));
  assert.equal(server.queued, 2);

  const reason = new Error("emergency stop");
  const aborting = watch(server.abort(reason));
  assert.equal(aborting.promise, server.closed);
  // Queued and waiting requests fail at once.
  for (const [i, r] of rq.entries()) {
    assertClosedError(await rejected(r), queued[i], reason);
  }
  assertClosedError(await rejected(rw), waitingReq, reason);
  // Running handlers see their signal abort with the reason; with and
  // without a caller signal.
  for (const call of svc.calls) {
    assert.equal(call.signal!.aborted, true);
    assert.equal(call.signal!.reason, reason);
  }
  assert.equal(svc.calls.length, 2); // queued ones never ran
  assert.deepEqual(counters(server), {
    queued: 0,
    inFlight: 2,
    served: 0,
    failed: 0,
    cancelled: 0,
    rejected: 2,
  });
  // New calls fail with the reason as cause.
  const req9 = { id: 9 };
  assertClosedError(await rejected(client.call(req9)), req9, reason);

  await assertPending(aborting, "abort waits for running handlers");
  assert.equal(r0.settled, false); // running callers get their handler's outcome
  svc.calls[0].resolve(0);
  svc.calls[1].reject(reason);
  assert.equal(await fulfilled(r0), 0);
  assert.equal(await rejected(r1), reason);
  await fulfilled(aborting);
  assert.equal(callerSignal.listeners, 0);
  assert.equal(accounted(server), 4);
  await fulfilled(server.abort()); // again: no-op
  await fulfilled(server.close());
});

Deno.test("abort: handlers running for callers with their own signals are aborted too", async () => {
  // Requests with a caller signal take the envelope path; abort() must reach
  // those handlers as well as the ones without a caller signal.
  const { client, server } = spawn(
    serviceFn((_req: Req, { signal }) =>
      new Promise<number>((_, reject) => {
        signal!.addEventListener("abort", () => reject(signal!.reason), {
          once: true,
        });
      })
    ),
  );
  const callers = Array.from({ length: 3 }, () => new TrackedController());
  const replies = callers.map((c, id) =>
    watch(client.call({ id }, { signal: c.signal }))
  );
  const plain = watch(client.call({ id: 9 }));
  await flushMicrotasks();
  assert.equal(server.inFlight, 4);
  const reason = new Error("shutting down now");
  await fulfilled(server.abort(reason), "abort ends every handler");
  for (const reply of replies) assert.equal(await rejected(reply), reason);
  assert.equal(await rejected(plain), reason);
  for (const c of callers) {
    assert.equal(
      c.signal.aborted,
      false,
      "the caller's own signal is not aborted",
    );
    assert.equal(c.listeners, 0, "the caller's listener is released");
  }
  assert.equal(server.inFlight, 0);
  assert.equal(server.failed, 4);
});

Deno.test("deadline: a queued call whose deadline is due when its turn comes frees its slot once", async () => {
  // Found by the soak: the running call's timer and the queued call's
  // deadline timer are due at the same instant; the running call finishes
  // first, the queued call gets its turn with its deadline due and its
  // timer not yet fired. It must be cancelled once, never run, and give its
  // slot back once (inFlight went to -1 and close() never resolved).
  const clock = FakeTimers.install();
  try {
    const { client, server } = spawn(
      serviceFn((n: number) =>
        new Promise<number>((resolve) => setTimeout(() => resolve(n), 5))
      ),
      { concurrency: 1 },
    );
    const first = watch(client.call(1));
    const late = watch(client.call(2, { deadline: Date.now() + 5 }));
    const third = watch(client.call(3));
    await clock.tickAsync(20);
    assert.equal(await fulfilled(first), 1);
    assert.ok((await rejected(late)) instanceof TimeoutError);
    assert.equal(await fulfilled(third), 3);
    assert.deepEqual(counters(server), {
      queued: 0,
      inFlight: 0,
      served: 2,
      failed: 0,
      cancelled: 1,
      rejected: 0,
    });
    const closing = watch(server.close());
    await clock.tickAsync(0);
    await fulfilled(closing, "close() after the expired call");
  } finally {
    clock.uninstall();
  }
});

Deno.test("abort: the default reason is an AbortError", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency: 1 });
  const r0 = watch(client.call({ id: 0 }));
  const r1 = watch(client.call({ id: 1 }));
  const aborting = watch(server.abort());
  const err = await rejected(r1);
  assert.ok(err instanceof ChannelClosedError);
  assert.ok(err.cause instanceof DOMException);
  assert.equal(err.cause.name, "AbortError");
  assert.equal(svc.calls[0].signal!.reason, err.cause);
  svc.calls[0].resolve(0);
  assert.equal(await fulfilled(r0), 0);
  await fulfilled(aborting);
});

Deno.test("abort: during a graceful close rejects what is still queued", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency: 1 });
  const r0 = watch(client.call({ id: 0 }));
  const req1 = { id: 1 };
  const r1 = watch(client.call(req1));
  const closing = watch(server.close());
  await assertPending(closing);
  const reason = "hurry";
  server.abort(reason);
  assertClosedError(await rejected(r1), req1, reason);
  assert.equal(svc.calls[0].signal!.aborted, true);
  svc.calls[0].resolve(0);
  assert.equal(await fulfilled(r0), 0);
  await fulfilled(closing);
  assert.deepEqual(counters(server), {
    queued: 0,
    inFlight: 0,
    served: 1,
    failed: 0,
    cancelled: 0,
    rejected: 1,
  });
});

Deno.test("abort: an idle server stops at once", async () => {
  const { server } = spawn(serviceFn((n: number) => n));
  await fulfilled(server.abort("now"));
});

// ---------------------------------------------------------------------------
// counters

Deno.test("counters are live and add up across every outcome", async () => {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency: 2, capacity: 3 });
  const c = [0, 1, 2, 3, 4, 5].map(() => new AbortController());
  const r = c.map((ctl, id) =>
    watch(client.call({ id }, { signal: ctl.signal }))
  );
  // 0,1 running; 2,3,4 queued; 5 waiting for room.
  assert.deepEqual(counters(server), {
    queued: 3,
    inFlight: 2,
    served: 0,
    failed: 0,
    cancelled: 0,
    rejected: 0,
  });
  assert.equal(accounted(server), 5);
  c[3].abort(); // cancelled; 5 moves into the queue
  await flushMicrotasks();
  assert.equal(accounted(server), 6);
  assert.equal(server.cancelled, 1);
  svc.calls[0].resolve(0); // served; 2 starts
  svc.calls[1].reject(new Error("x")); // failed; 4 starts
  await flushMicrotasks();
  assert.deepEqual(counters(server), {
    queued: 1,
    inFlight: 2,
    served: 1,
    failed: 1,
    cancelled: 1,
    rejected: 0,
  });
  const aborting = watch(server.abort("stop")); // 5 rejected
  await flushMicrotasks();
  assert.equal(server.rejected, 1);
  assert.equal(accounted(server), 6);
  for (const call of svc.pending) call.resolve(call.req.id);
  await fulfilled(aborting);
  assert.deepEqual(counters(server), {
    queued: 0,
    inFlight: 0,
    served: 3,
    failed: 1,
    cancelled: 1,
    rejected: 1,
  });
  for (const w of r) assert.ok((await settle(w)).status !== "pending");
});

// ---------------------------------------------------------------------------
// model-based property: every request gets exactly one outcome

type SOp =
  | { op: "call"; signal: boolean }
  | { op: "resolve"; pick: number }
  | { op: "reject"; pick: number }
  | { op: "abortCall"; pick: number }
  | { op: "close" }
  | { op: "abortServer" };

const sopArb: fc.Arbitrary<SOp> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constant("call" as const),
      signal: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("resolve" as const),
      pick: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("reject" as const),
      pick: fc.nat(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("abortCall" as const),
      pick: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("close" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("abortServer" as const) }),
  },
);

type SExpected =
  | { status: "pending" }
  | { status: "fulfilled"; value: number }
  | { status: "rejected"; reason: unknown }
  | { status: "closed"; cause: unknown };

interface CallRec {
  req: Req;
  controller: AbortController | undefined;
  abortReason: unknown;
  actual: Watched<number>;
  expected: SExpected;
  reached: boolean;
}

async function runServerModel(
  concurrency: number,
  capacity: number,
  ops: SOp[],
): Promise<void> {
  const svc = new ControlledService<Req, number>();
  const { client, server } = spawn(svc, { concurrency, capacity });
  const closedWatch = watch(server.closed);
  const recs: CallRec[] = [];
  const byReq = new Map<Req, CallRec>();
  // Model.
  const running: CallRec[] = [];
  const queue: CallRec[] = [];
  const waiting: CallRec[] = [];
  const started: Req[] = [];
  let closed = false;
  let closeReason: unknown = undefined; // the channel's, set by the first close
  let serverAborted = false;
  const count = { served: 0, failed: 0, cancelled: 0, rejected: 0 };

  const start = (rec: CallRec) => {
    running.push(rec);
    started.push(rec.req);
  };
  const admit = () => {
    while (waiting.length > 0 && queue.length < capacity) {
      const w = waiting.shift()!;
      w.reached = true;
      queue.push(w);
    }
  };
  const drain = () => {
    while (running.length < concurrency && queue.length > 0) {
      const next = queue.shift()!;
      admit();
      start(next);
    }
  };
  const finish = (rec: CallRec, outcome: SExpected) => {
    running.splice(running.indexOf(rec), 1);
    if (outcome.status === "fulfilled") count.served++;
    else count.failed++;
    if (rec.expected.status === "pending") rec.expected = outcome;
    drain();
  };

  for (const op of ops) {
    switch (op.op) {
      case "call": {
        const req = { id: recs.length };
        const controller = op.signal ? new AbortController() : undefined;
        const rec: CallRec = {
          req,
          controller,
          abortReason: undefined,
          actual: watch(client.call(req, { signal: controller?.signal })),
          expected: { status: "pending" },
          reached: false,
        };
        recs.push(rec);
        byReq.set(req, rec);
        if (closed) {
          rec.expected = { status: "closed", cause: closeReason };
        } else if (running.length < concurrency && queue.length === 0) {
          rec.reached = true;
          start(rec);
        } else if (queue.length < capacity) {
          rec.reached = true;
          queue.push(rec);
        } else waiting.push(rec);
        break;
      }
      case "resolve":
      case "reject": {
        const pending = svc.pending;
        if (pending.length === 0) break;
        const call = pending[op.pick % pending.length];
        const rec = byReq.get(call.req)!;
        if (op.op === "resolve") {
          call.resolve(rec.req.id * 10);
          finish(rec, { status: "fulfilled", value: rec.req.id * 10 });
        } else {
          const err = new Error(`handler ${rec.req.id} failed`);
          call.reject(err);
          finish(rec, { status: "rejected", reason: err });
        }
        break;
      }
      case "abortCall": {
        const candidates = recs.filter((r) =>
          r.controller !== undefined && !r.controller.signal.aborted
        );
        if (candidates.length === 0) break;
        const rec = candidates[op.pick % candidates.length];
        rec.abortReason = new Error(`abort ${rec.req.id}`);
        rec.controller!.abort(rec.abortReason);
        if (rec.expected.status !== "pending") break;
        rec.expected = { status: "rejected", reason: rec.abortReason };
        const qi = queue.indexOf(rec);
        if (qi >= 0) {
          queue.splice(qi, 1);
          count.cancelled++;
          admit();
        }
        const wi = waiting.indexOf(rec);
        if (wi >= 0) waiting.splice(wi, 1);
        break;
      }
      case "close": {
        server.close();
        if (closed) break;
        closed = true;
        for (const w of waiting) {
          w.expected = { status: "closed", cause: undefined };
        }
        waiting.length = 0;
        break;
      }
      case "abortServer": {
        const reason = new Error("server abort");
        server.abort(reason);
        if (!closed) {
          closed = true;
          closeReason = reason;
          for (const w of waiting) {
            w.expected = { status: "closed", cause: reason };
          }
          waiting.length = 0;
        }
        if (!serverAborted) {
          serverAborted = true;
          for (const q of queue) {
            q.expected = { status: "closed", cause: reason };
            count.rejected++;
          }
          queue.length = 0;
        }
        break;
      }
    }
    await flushMicrotasks();
    // Compare with the model.
    assert.deepEqual(counters(server), {
      queued: queue.length,
      inFlight: running.length,
      ...count,
    });
    assert.deepEqual(svc.started, started, "handler start order");
    assert.ok(svc.running <= concurrency, "concurrency limit");
    for (const rec of recs) {
      const o = rec.actual.outcome;
      const e = rec.expected;
      const what = `call ${rec.req.id}`;
      assert.equal(
        o.status,
        e.status === "closed" ? "rejected" : e.status,
        `${what}: ${JSON.stringify(o)} vs ${e.status}`,
      );
      if (e.status === "fulfilled" && o.status === "fulfilled") {
        assert.equal(o.value, e.value, what);
      }
      if (e.status === "rejected" && o.status === "rejected") {
        assert.equal(o.reason, e.reason, what);
      }
      if (e.status === "closed" && o.status === "rejected") {
        assert.ok(o.reason instanceof ChannelClosedError, what);
        assert.equal(o.reason.value, rec.req, what);
        assert.equal(o.reason.cause, e.cause, `${what} cause`);
      }
    }
    for (const rec of running) {
      const call = svc.calls.find((c) => c.req === rec.req)!;
      assert.equal(
        call.signal!.aborted,
        serverAborted || rec.abortReason !== undefined,
        `handler signal of ${rec.req.id}`,
      );
    }
    const stopped: boolean = closed && running.length === 0 &&
      queue.length === 0;
    assert.equal(closedWatch.settled, stopped, "server.closed");
  }

  // Finish: settle every handler, close, and every call has its outcome.
  while (svc.pending.length > 0) {
    for (const call of svc.pending) {
      const rec = byReq.get(call.req)!;
      call.resolve(rec.req.id * 10);
      finish(rec, { status: "fulfilled", value: rec.req.id * 10 });
    }
    await flushMicrotasks();
  }
  assert.deepEqual(svc.started, started, "handler start order");
  await fulfilled(server.close(), "server.close() at the end");
  for (const rec of recs) {
    assert.ok(rec.actual.settled, `call ${rec.req.id} settled`);
  }
  const reached = recs.filter((r) => r.reached).length;
  assert.equal(accounted(server), reached, "counters add up");
  assert.equal(
    server.served + server.failed,
    svc.calls.length,
    "every started handler counted once",
  );
}

Deno.test("server: random interleavings give every request exactly one outcome (property)", async () => {
  await assertProperty(
    fc.asyncProperty(
      fc.constantFrom(1, 2, 3, Infinity),
      fc.constantFrom(1, 2, 4),
      fc.array(sopArb, { maxLength: 60 }),
      runServerModel,
    ),
    { numRuns: 500 },
    "server: random interleavings give every request exactly one outcome (property)",
  );
});

Deno.test("spawn: the returned pair is AsyncDisposable and closes its server", async () => {
  let kept: { client: Client<number, number>; server: Server } | undefined;
  {
    await using spawned = spawn(serviceFn((n: number) => n + 1));
    kept = spawned;
    assert.equal(await spawned.client.call(1), 2);
  }
  await fulfilled(kept.server.closed); // disposing closed it
  assert.equal(kept.server.served, 1);
  await assert.rejects(kept.client.call(2), ChannelClosedError);
});
