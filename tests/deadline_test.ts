// Server-enforced deadlines (issue 12): the caller rejects at its deadline
// whatever the handler does, a late request never starts, the handler's
// options carry the deadline on, and three in-process hops propagate the
// deadline, the metadata and cancellation (the storm is in
// deadline_storm_test.ts). Everything runs on fake time
// (Date.now included: deadlines are on the Date.now() clock).

import assert from "node:assert/strict";
import {
  type CallOptions,
  type Client,
  serviceFn,
  spawn,
  type Spawned,
  TimeoutError,
} from "../mod.ts";
import { abortListeners } from "../_abort.ts";
import { withClock } from "./layers/_helpers.ts";
import { flushMicrotasks, watch } from "./_helpers.ts";

type Req = { readonly method: string; readonly id?: number };

/** A handler that the test releases by hand and that ignores its signal. */
function stubborn() {
  const started: { req: Req; options: CallOptions; signal: AbortSignal }[] = [];
  const releases: (() => void)[] = [];
  let running = 0;
  let peak = 0;
  const service = serviceFn(async (req: Req, options: CallOptions) => {
    running++;
    peak = Math.max(peak, running);
    started.push({ req, options, signal: options.signal! });
    const { promise, resolve } = Promise.withResolvers<void>();
    releases.push(resolve);
    await promise;
    running--;
    return `done ${req.id ?? 0}`;
  });
  return {
    service,
    started,
    release: (i: number) => releases[i](),
    get running() {
      return running;
    },
    get peak() {
      return peak;
    },
  };
}

Deno.test("deadline: a handler that ignores its signal — the caller rejects TimeoutError at the deadline, the handler's signal aborts with a TimeoutError", async () => {
  await withClock(async (clock) => {
    const handler = stubborn();
    const { client, server } = spawn(handler.service, { name: "Bank" });
    const deadline = Date.now() + 100;
    const reply = watch(client.call({ method: "get", id: 1 }, { deadline }));
    await flushMicrotasks();
    assert.equal(handler.started.length, 1);
    const { signal } = handler.started[0];
    assert.equal(signal.aborted, false);

    await clock.tickAsync(99);
    assert.equal(reply.settled, false, "rejected before its deadline");
    assert.equal(signal.aborted, false);

    await clock.tickAsync(1);
    assert.equal(reply.outcome.status, "rejected", "not rejected at deadline");
    const error = (reply.outcome as { reason: unknown }).reason;
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(error.method, "get");
    assert.equal(signal.aborted, true, "the handler's signal did not abort");
    assert.ok(signal.reason instanceof TimeoutError, String(signal.reason));
    assert.equal(Date.now(), deadline);

    // The handler still runs: its slot is held until it settles.
    assert.equal(server.inFlight, 1);
    handler.release(0);
    await flushMicrotasks();
    assert.equal(server.inFlight, 0);
    assert.equal(server.served + server.failed + server.cancelled, 1);
    await server.close();
  });
});

Deno.test("deadline: a deadline already passed at call time never reaches the server", async () => {
  await withClock(async () => {
    let runs = 0;
    const { client, server } = spawn(serviceFn((_: Req) => ++runs));
    for (const deadline of [Date.now(), Date.now() - 1, 0, -Infinity]) {
      const reply = watch(client.call({ method: "late" }, { deadline }));
      await flushMicrotasks();
      assert.equal(reply.outcome.status, "rejected", `deadline ${deadline}`);
      assert.ok(
        (reply.outcome as { reason: unknown }).reason instanceof TimeoutError,
      );
    }
    assert.equal(runs, 0, "a late request ran");
    assert.equal(
      server.served + server.failed + server.cancelled + server.rejected,
      0,
      "a late request reached the channel",
    );
    await server.close();
  });
});

Deno.test("deadline: a call whose deadline passes while queued behind a busy actor never runs and is counted cancelled", async () => {
  await withClock(async (clock) => {
    const handler = stubborn();
    const { client, server } = spawn(handler.service, { concurrency: 1 });
    const first = watch(client.call({ method: "slow", id: 1 }));
    const late = watch(
      client.call({ method: "late", id: 2 }, { deadline: Date.now() + 50 }),
    );
    await flushMicrotasks();
    assert.equal(server.queued, 1);

    await clock.tickAsync(50);
    assert.equal(late.outcome.status, "rejected");
    assert.ok(
      (late.outcome as { reason: unknown }).reason instanceof TimeoutError,
    );
    assert.equal(server.queued, 0, "the late call still holds its queue slot");
    assert.equal(server.cancelled, 1);

    handler.release(0);
    await flushMicrotasks();
    assert.equal(first.outcome.status, "fulfilled");
    assert.equal(handler.started.length, 1, "the late call ran");
    assert.equal(server.served, 1);
    assert.equal(server.cancelled, 1);
    await server.close();
  });
});

Deno.test("deadline: a queued call found late when its turn comes (the timer has not fired yet) never runs", async () => {
  await withClock(async (clock) => {
    const handler = stubborn();
    const { client, server } = spawn(handler.service, { concurrency: 1 });
    watch(client.call({ method: "slow", id: 1 }));
    const late = watch(
      client.call({ method: "late", id: 2 }, { deadline: Date.now() + 50 }),
    );
    await flushMicrotasks();
    // Date.now() moves past the deadline, but no timer fires.
    clock.setSystemTime(Date.now() + 60);
    handler.release(0);
    await flushMicrotasks();
    assert.equal(handler.started.length, 1, "a late request was started");
    assert.equal(late.outcome.status, "rejected");
    assert.ok(
      (late.outcome as { reason: unknown }).reason instanceof TimeoutError,
    );
    assert.equal(server.inFlight, 0, "the slot was given back twice");
    assert.equal(server.served, 1);
    assert.equal(server.cancelled, 1, "counted twice");
    // The actor still runs one request at a time.
    watch(client.call({ method: "m", id: 3 }));
    watch(client.call({ method: "m", id: 4 }));
    await flushMicrotasks();
    assert.equal(handler.peak, 1, "two requests ran at once");
    handler.release(1);
    await flushMicrotasks();
    handler.release(2);
    await flushMicrotasks();
    assert.equal(server.served, 3);
    await server.close();
  });
});

Deno.test("deadline: the handler sees the caller's deadline and metadata; Infinity means no deadline and no timer", async () => {
  await withClock(async (clock) => {
    const seen: CallOptions[] = [];
    const { client, server } = spawn(
      serviceFn((_: Req, options: CallOptions) => {
        seen.push({ ...options });
        return 1;
      }),
    );
    const deadline = Date.now() + 1234;
    const metadata = { traceparent: "00-abc-def-01", tenant: "t1" };
    await client.call({ method: "m" }, { deadline, metadata });
    assert.equal(seen[0].deadline, deadline);
    assert.deepEqual(seen[0].metadata, metadata);
    assert.ok(seen[0].signal instanceof AbortSignal, "spread lost the signal");
    // The channel keeps its one timer armed while it is open…
    assert.equal(clock.countTimers(), 1);
    await server.close();
    // …and clears it on close.
    assert.equal(clock.countTimers(), 0, "close() left the deadline timer");

    const other = spawn(
      serviceFn((_: Req, options: CallOptions) => {
        seen.push({ ...options });
        return 2;
      }),
    );
    await other.client.call({ method: "m" }, { deadline: Infinity });
    assert.equal(seen[1].deadline, undefined);
    assert.equal(clock.countTimers(), 0, "an Infinity deadline armed a timer");
    await other.server.close();
  });
});

Deno.test("deadline: close() while deadlines are pending clears the timer once they settle", async () => {
  await withClock(async (clock) => {
    const handler = stubborn();
    const { client, server } = spawn(handler.service, { concurrency: 2 });
    const replies = [1, 2, 3].map((id) =>
      watch(
        client.call({ method: "m", id }, { deadline: Date.now() + 10 * id }),
      )
    );
    await flushMicrotasks();
    const closed = watch(server.close());
    assert.equal(clock.countTimers(), 1);
    await clock.tickAsync(30);
    assert.ok(replies.every((r) => r.outcome.status === "rejected"));
    assert.equal(clock.countTimers(), 0, "a timer outlived every deadline");
    handler.release(0);
    handler.release(1);
    await flushMicrotasks();
    assert.equal(closed.settled, true);
    assert.equal(
      handler.started.length,
      2,
      "the third call ran after its deadline",
    );
  });
});

Deno.test("deadline: the concurrency slot is held until the handler settles, even after its caller timed out (an actor never runs two at once)", async () => {
  await withClock(async (clock) => {
    const handler = stubborn();
    const { client, server } = spawn(handler.service, { concurrency: 1 });
    const first = watch(
      client.call({ method: "m", id: 1 }, { deadline: Date.now() + 10 }),
    );
    const second = watch(client.call({ method: "m", id: 2 }));
    await flushMicrotasks();
    await clock.tickAsync(10);
    assert.equal(first.outcome.status, "rejected");
    await clock.tickAsync(100);
    assert.equal(handler.started.length, 1, "the second ran beside the first");
    assert.equal(server.inFlight, 1);
    handler.release(0);
    await flushMicrotasks();
    assert.equal(handler.started.length, 2);
    handler.release(1);
    await flushMicrotasks();
    assert.equal(second.outcome.status, "fulfilled");
    assert.equal(handler.peak, 1);
    await server.close();
  });
});

Deno.test("deadline: invalid deadline and metadata reject with TypeError, nothing reaches the server", async () => {
  await withClock(async () => {
    let runs = 0;
    const { client, server } = spawn(serviceFn((_: Req) => ++runs));
    const signal = new AbortController().signal;
    const bad: [string, CallOptions][] = [
      ["string deadline", { deadline: "soon" as unknown as number }],
      ["NaN deadline", { deadline: NaN }],
      ["string deadline + signal", {
        signal,
        deadline: "1" as unknown as number,
      }],
      ["numeric metadata", {
        metadata: 5 as unknown as Record<string, string>,
      }],
      ["numeric metadata + signal", {
        signal,
        metadata: 5 as unknown as Record<string, string>,
      }],
      ["numeric metadata + deadline", {
        deadline: Date.now() + 10,
        metadata: 5 as unknown as Record<string, string>,
      }],
    ];
    for (const [what, options] of bad) {
      const reply = watch(client.call({ method: "m" }, options));
      await flushMicrotasks();
      assert.equal(reply.outcome.status, "rejected", what);
      const error = (reply.outcome as { reason: unknown }).reason;
      assert.ok(error instanceof TypeError, `${what}: ${error}`);
      assert.match(
        (error as Error).message,
        /deadline|metadata/,
        `${what}: the message names the option`,
      );
    }
    assert.equal(runs, 0);
    assert.equal(abortListeners(signal), 0);
    assert.equal(server.served + server.failed + server.cancelled, 0);
    await server.close();
  });
});

// Three hops: the caller calls A, A's handler calls B with its own options,
// B's handler calls C with its own.
interface Hops {
  a: Spawned<Req, string>;
  b: Spawned<Req, string>;
  c: Spawned<Req, string>;
  /** What C's handler saw. */
  seen: CallOptions[];
  /** The outcome each hop's downstream call had, as its handler saw it. */
  downstream: Record<"a" | "b", unknown[]>;
  /** Releases C's handler (it ignores its signal). */
  release: () => void;
  close(): Promise<void>;
}

function threeHops(): Hops {
  const seen: CallOptions[] = [];
  const downstream: Hops["downstream"] = { a: [], b: [] };
  const releases: (() => void)[] = [];
  const forward = (
    hop: "a" | "b",
    next: () => Client<Req, string>,
  ) =>
    serviceFn(async (req: Req, options: CallOptions) => {
      try {
        const value = await next().call(req, options);
        downstream[hop].push(value);
        return `${hop}(${value})`;
      } catch (err) {
        downstream[hop].push(err);
        throw err;
      }
    });
  const c = spawn(
    serviceFn(async (_req: Req, options: CallOptions) => {
      seen.push(options);
      const { promise, resolve } = Promise.withResolvers<void>();
      releases.push(resolve);
      await promise;
      return "c";
    }),
    { name: "C" },
  );
  const b = spawn(forward("b", () => c.client), { name: "B" });
  const a = spawn(forward("a", () => b.client), { name: "A" });
  return {
    a,
    b,
    c,
    seen,
    downstream,
    release: () => releases.forEach((r) => r()),
    async close() {
      await a.server.close();
      await b.server.close();
      await c.server.close();
    },
  };
}

Deno.test("deadline: three hops — the deadline and the metadata arrive unchanged", async () => {
  await withClock(async () => {
    const hops = threeHops();
    const deadline = Date.now() + 500;
    const metadata = { traceparent: "00-1-2-01" };
    const reply = watch(
      hops.a.client.call({ method: "m" }, { deadline, metadata }),
    );
    await flushMicrotasks();
    assert.equal(hops.seen.length, 1, "C's handler did not start");
    assert.equal(hops.seen[0].deadline, deadline);
    assert.deepEqual(hops.seen[0].metadata, metadata);
    hops.release();
    await flushMicrotasks();
    assert.deepEqual(reply.outcome, { status: "fulfilled", value: "a(b(c))" });
    await hops.close();
  });
});

Deno.test("deadline: three hops — an upstream abort aborts C's handler signal and every hop rejects with its reason", async () => {
  await withClock(async () => {
    const hops = threeHops();
    const controller = new AbortController();
    const reason = new Error("the user gave up");
    const reply = watch(
      hops.a.client.call({ method: "m" }, { signal: controller.signal }),
    );
    await flushMicrotasks();
    const cSignal = hops.seen[0].signal!;
    assert.equal(cSignal.aborted, false);
    controller.abort(reason);
    await flushMicrotasks();
    assert.equal(cSignal.aborted, true, "C's handler signal did not abort");
    assert.equal(cSignal.reason, reason);
    assert.deepEqual(reply.outcome, { status: "rejected", reason });
    assert.deepEqual(hops.downstream.a, [reason]);
    assert.deepEqual(hops.downstream.b, [reason]);
    assert.equal(abortListeners(controller.signal), 0);
    hops.release();
    await flushMicrotasks();
    await hops.close();
  });
});

Deno.test("deadline: three hops — aborting A's server aborts C's handler signal (cascading cancellation)", async () => {
  await withClock(async () => {
    const hops = threeHops();
    for (const options of [undefined, { metadata: { m: "1" } }]) {
      watch(hops.a.client.call({ method: "m" }, options));
    }
    await flushMicrotasks();
    assert.equal(hops.seen.length, 2);
    const why = new Error("A is shutting down");
    const stopped = hops.a.server.abort(why);
    await flushMicrotasks();
    for (const seen of hops.seen) {
      assert.equal(seen.signal!.aborted, true, "C's handler was not told");
      assert.equal(seen.signal!.reason, why);
    }
    assert.deepEqual(hops.downstream.b, [why, why]);
    hops.release();
    await stopped;
    await hops.close();
  });
});

Deno.test("deadline: three hops — an upstream deadline rejects every hop with TimeoutError at that deadline, C's signal aborts", async () => {
  await withClock(async (clock) => {
    const hops = threeHops();
    const deadline = Date.now() + 300;
    const reply = watch(hops.a.client.call({ method: "m" }, { deadline }));
    await flushMicrotasks();
    const cSignal = hops.seen[0].signal!;
    await clock.tickAsync(299);
    assert.equal(reply.settled, false);
    assert.equal(hops.downstream.b.length, 0);
    await clock.tickAsync(1);
    assert.equal(reply.outcome.status, "rejected");
    assert.ok(
      (reply.outcome as { reason: unknown }).reason instanceof TimeoutError,
    );
    assert.equal(hops.downstream.a.length, 1);
    assert.ok(hops.downstream.a[0] instanceof TimeoutError, "hop A→B");
    assert.equal(hops.downstream.b.length, 1);
    assert.ok(hops.downstream.b[0] instanceof TimeoutError, "hop B→C");
    assert.equal(cSignal.aborted, true);
    assert.ok(cSignal.reason instanceof TimeoutError);
    hops.release();
    await flushMicrotasks();
    await hops.close();
  });
});

Deno.test("deadline: a deadline 30 days away is enforced at that time, with a couple of timers, not one per millisecond", async () => {
  await withClock(async (clock) => {
    const handler = stubborn();
    const { client, server } = spawn(handler.service);
    const day = 86_400_000;
    const deadline = Date.now() + 30 * day;
    const original = globalThis.setTimeout;
    let timers = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      timers++;
      return original(...args);
    }) as typeof setTimeout;
    try {
      const reply = watch(client.call({ method: "m" }, { deadline }));
      await clock.tickAsync(1000);
      assert.equal(reply.settled, false);
      assert.ok(timers <= 1, `${timers} timers armed in the first second`);
      await clock.tickAsync(30 * day - 1001);
      assert.equal(reply.settled, false, "rejected before its deadline");
      await clock.tickAsync(1);
      assert.equal(reply.outcome.status, "rejected");
      assert.ok(
        (reply.outcome as { reason: unknown }).reason instanceof TimeoutError,
      );
      assert.ok(timers <= 3, `${timers} timers armed over 30 days`);
    } finally {
      globalThis.setTimeout = original;
    }
    handler.release(0);
    await flushMicrotasks();
    await server.close();
  });
});

Deno.test("deadline: concurrent handlers keep their own context — another caller's abort, an earlier deadline or other metadata never reach them", async () => {
  await withClock(async (clock) => {
    const seen = new Map<number, CallOptions>();
    const releases: (() => void)[] = [];
    const { client, server } = spawn(
      serviceFn(async (id: number, options: CallOptions) => {
        seen.set(id, options);
        const { promise, resolve } = Promise.withResolvers<void>();
        releases.push(resolve);
        await promise;
        return id;
      }),
    );
    const shared = new AbortController();
    const deadline = Date.now() + 100;
    const metadata = { m: "x" };
    const first = new AbortController();
    const second = new AbortController();
    const replies = [
      // Same deadline and metadata, different signals.
      watch(client.call(1, { signal: first.signal, deadline, metadata })),
      watch(client.call(2, { signal: second.signal, deadline, metadata })),
      // Same signal and metadata, different deadlines.
      watch(
        client.call(3, {
          signal: shared.signal,
          deadline: deadline - 50,
          metadata,
        }),
      ),
      watch(client.call(4, { signal: shared.signal, deadline, metadata })),
      // Same signal and deadline, different metadata.
      watch(
        client.call(5, {
          signal: shared.signal,
          deadline,
          metadata: { m: "5" },
        }),
      ),
      watch(
        client.call(6, {
          signal: shared.signal,
          deadline,
          metadata: { m: "6" },
        }),
      ),
    ];
    await flushMicrotasks();
    assert.equal(seen.size, 6);
    first.abort(new Error("first gave up"));
    assert.equal(seen.get(1)!.signal!.aborted, true);
    assert.equal(seen.get(2)!.signal!.aborted, false, "another caller's abort");
    await clock.tickAsync(50);
    assert.equal(seen.get(3)!.signal!.aborted, true);
    assert.equal(seen.get(4)!.signal!.aborted, false, "an earlier deadline");
    assert.equal(seen.get(4)!.deadline, deadline);
    assert.deepEqual(seen.get(5)!.metadata, { m: "5" });
    assert.deepEqual(seen.get(6)!.metadata, { m: "6" }, "other metadata");
    assert.equal(replies[1].settled, false);
    releases.forEach((release) => release());
    await flushMicrotasks();
    assert.deepEqual(
      replies.map((r) => r.outcome.status),
      [
        "rejected",
        "fulfilled",
        "rejected",
        "fulfilled",
        "fulfilled",
        "fulfilled",
      ],
    );
    await server.close();
  });
});
