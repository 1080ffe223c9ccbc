import assert from "node:assert/strict";
import fc from "fast-check";
import { assertProperty } from "./_property.ts";
import {
  channel,
  ChannelClosedError,
  InvalidOptionError,
  type RecvResult,
} from "../mod.ts";
import {
  assertPending,
  assertSettledNow,
  flushMicrotasks,
  fulfilled,
  rejected,
  settle,
  TrackedController,
  watch,
  type Watched,
} from "./_helpers.ts";

function isClosedError(value: unknown, cause?: unknown) {
  return (err: unknown) => {
    assert.ok(err instanceof ChannelClosedError, `got ${String(err)}`);
    assert.ok(Object.is(err.value, value), "value");
    assert.ok(Object.is(err.cause, cause), "cause");
    return true;
  };
}

function assertClosedError(err: unknown, value: unknown, cause?: unknown) {
  isClosedError(value, cause)(err);
}

// ---------------------------------------------------------------------------
// capacity

Deno.test("channel: valid capacities", () => {
  for (const capacity of [1, 2, 3, 16, 17, 1024, 2 ** 31, Infinity]) {
    const [tx] = channel<number>(capacity);
    assert.equal(tx.capacity, capacity);
    assert.equal(tx.size, 0);
    assert.equal(tx.closed, false);
  }
});

Deno.test("channel: an invalid capacity throws InvalidOptionError naming the value", async (t) => {
  const cases: [unknown, string][] = [
    [0, "0"],
    [-1, "-1"],
    [1.5, "1.5"],
    [NaN, "NaN"],
    ["3", '"3"'],
    [null, "null"],
    [undefined, "undefined"],
    [-Infinity, "-Infinity"],
    [{}, "{}"],
    [3n, "3n"],
  ];
  for (const [i, [capacity, rendered]] of cases.entries()) {
    await t.step(`${i}: ${rendered}`, () => {
      assert.throws(
        () => channel(capacity as number),
        (err: unknown) => {
          assert.ok(err instanceof InvalidOptionError);
          assert.equal(err.option, "capacity");
          assert.ok(Object.is(err.value, capacity));
          assert.ok(
            err.message.includes(`capacity: ${rendered};`),
            err.message,
          );
          return true;
        },
      );
    });
  }
});

// ---------------------------------------------------------------------------
// send / recv basics

Deno.test("channel: FIFO through send and recv", async () => {
  const [tx, rx] = channel<number>(8);
  for (let i = 0; i < 8; i++) await fulfilled(tx.send(i));
  assert.equal(tx.size, 8);
  assert.equal(rx.size, 8);
  const got: number[] = [];
  for (let i = 0; i < 8; i++) got.push(await fulfilled(rx.recv()));
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(rx.size, 0);
});

Deno.test("channel: send resolves at once while there is room", async () => {
  const [tx] = channel<string>(2);
  const a = watch(tx.send("a"));
  assert.equal(tx.size, 1); // queued synchronously
  const b = watch(tx.send("b"));
  assert.equal(tx.size, 2);
  assert.equal((await assertSettledNow(a)).status, "fulfilled");
  assert.equal((await assertSettledNow(b)).status, "fulfilled");
});

Deno.test("channel: send waits while full and resumes in order", async () => {
  const [tx, rx] = channel<number>(1);
  await fulfilled(tx.send(0));
  const waiting = [1, 2, 3].map((v) => watch(tx.send(v)));
  for (const w of waiting) await assertPending(w, "send while full");
  assert.equal(tx.size, 1);

  assert.equal(await fulfilled(rx.recv()), 0);
  // The oldest waiter took the freed slot; the others still wait.
  assert.equal((await settle(waiting[0])).status, "fulfilled");
  assert.equal(tx.size, 1);
  await assertPending(waiting[1]);
  await assertPending(waiting[2]);

  assert.equal(await fulfilled(rx.recv()), 1);
  assert.equal(await fulfilled(rx.recv()), 2);
  assert.equal(await fulfilled(rx.recv()), 3);
  for (const w of waiting) assert.equal((await settle(w)).status, "fulfilled");
});

Deno.test("channel: trySend returns false when full, and while senders wait", async () => {
  const [tx, rx] = channel<string>(1);
  assert.equal(tx.trySend("a"), true);
  assert.equal(tx.trySend("b"), false);
  const waiting = watch(tx.send("c"));
  assert.equal(rx.tryRecv().state, "ok"); // frees the slot; "c" takes it
  await settle(waiting);
  // No barging past the waiter that was admitted.
  assert.equal(tx.trySend("d"), false);
  assert.deepEqual(rx.tryRecv(), { state: "ok", value: "c" });
  assert.equal(tx.trySend("d"), true);
  assert.deepEqual(rx.tryRecv(), { state: "ok", value: "d" });
});

Deno.test("channel: recv waits while empty; receivers are served in order", async () => {
  const [tx, rx] = channel<string>(4);
  const r1 = watch(rx.recv());
  const r2 = watch(rx.recv());
  await assertPending(r1, "recv on empty");
  await assertPending(r2);
  assert.equal(tx.trySend("a"), true);
  assert.equal(tx.size, 0); // handed straight to the waiting receiver
  await fulfilled(tx.send("b"));
  assert.equal(await fulfilled(r1), "a");
  assert.equal(await fulfilled(r2), "b");
});

Deno.test("channel: tryRecv is a discriminated result", () => {
  const [tx, rx] = channel<number | undefined>(4);
  assert.deepEqual(rx.tryRecv(), { state: "empty" });
  tx.trySend(undefined);
  tx.trySend(7);
  const first: RecvResult<number | undefined> = rx.tryRecv();
  assert.deepEqual(first, { state: "ok", value: undefined });
  assert.ok(first.state === "ok" && "value" in first);
  tx.close();
  assert.deepEqual(rx.tryRecv(), { state: "ok", value: 7 }); // still drains
  assert.deepEqual(rx.tryRecv(), { state: "closed" });
  assert.deepEqual(rx.tryRecv(), { state: "closed" });
});

Deno.test("channel: undefined is a valid value everywhere", async () => {
  const [tx, rx] = channel<undefined>(2);
  await fulfilled(tx.send(undefined));
  assert.equal(tx.trySend(undefined), true);
  const third = watch(tx.send(undefined)); // waits: full
  await assertPending(third);
  assert.equal(tx.size, 2);
  assert.equal(await fulfilled(rx.recv()), undefined);
  assert.equal((await settle(third)).status, "fulfilled");
  assert.deepEqual(rx.tryRecv(), { state: "ok", value: undefined });
  assert.deepEqual(rx.tryRecv(), { state: "ok", value: undefined });
  assert.deepEqual(rx.tryRecv(), { state: "empty" });
  const pending = watch(rx.recv());
  await assertPending(pending);
  tx.trySend(undefined);
  assert.equal(await fulfilled(pending), undefined);
  tx.trySend(undefined);
  tx.close();
  const seen: undefined[] = [];
  for await (const v of rx) seen.push(v);
  assert.deepEqual(seen, [undefined]);
});

Deno.test("channel: values move by reference", async () => {
  const [tx, rx] = channel<{ n: number }>(1);
  const obj = { n: 1 };
  await tx.send(obj);
  assert.equal(await fulfilled(rx.recv()), obj);
});

Deno.test("channel: a ring larger than the initial buffer keeps FIFO across growth and wrap-around", async () => {
  const [tx, rx] = channel<number>(40);
  let next = 0;
  let expected = 0;
  // Wrap the head around, then grow while wrapped.
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 13; i++) assert.ok(tx.trySend(next++));
    for (let i = 0; i < 11; i++) {
      assert.equal(await fulfilled(rx.recv()), expected++);
    }
  }
  while (tx.trySend(next)) next++;
  assert.equal(tx.size, 40);
  while (rx.size > 0) assert.equal(await fulfilled(rx.recv()), expected++);
  assert.equal(expected, next);
});

Deno.test("channel: capacity Infinity never waits", async () => {
  const [tx, rx] = channel<number>(Infinity);
  const sends = [];
  for (let i = 0; i < 10_000; i++) sends.push(tx.send(i));
  await fulfilled(Promise.all(sends));
  assert.equal(tx.size, 10_000);
  assert.equal(tx.trySend(-1), true);
  tx.close();
  let expected = 0;
  for await (const v of rx) {
    assert.equal(v, expected === 10_000 ? -1 : expected);
    expected++;
  }
  assert.equal(expected, 10_001);
});

// ---------------------------------------------------------------------------
// close

Deno.test("channel: close stops new sends; the error carries the value and the reason", async () => {
  const [tx] = channel<{ id: number }>(2);
  const reason = new Error("shutting down");
  tx.close(reason);
  assert.equal(tx.closed, true);
  const value = { id: 1 };
  assertClosedError(await rejected(tx.send(value)), value, reason);
  assert.throws(() => tx.trySend(value), isClosedError(value, reason));
  // Closing again is a no-op: the first reason stays.
  tx.close(new Error("second"));
  assertClosedError(await rejected(tx.send(value)), value, reason);
});

Deno.test("channel: close without a reason gives cause undefined", async () => {
  const [tx] = channel<number>(1);
  tx.close();
  assertClosedError(await rejected(tx.send(5)), 5, undefined);
});

Deno.test("channel: queued values still drain after close, then recv rejects", async () => {
  const [tx, rx] = channel<number>(4);
  tx.trySend(1);
  tx.trySend(2);
  tx.trySend(3);
  const reason = "done";
  tx.close(reason);
  assert.equal(rx.closed, true);
  assert.equal(await fulfilled(rx.recv()), 1);
  assert.deepEqual(rx.tryRecv(), { state: "ok", value: 2 });
  const rest: number[] = [];
  for await (const v of rx) rest.push(v);
  assert.deepEqual(rest, [3]);
  const err = await rejected(rx.recv());
  assertClosedError(err, undefined, reason);
});

Deno.test("channel: close rejects waiting senders with their own value", async () => {
  const [tx, rx] = channel<string>(1);
  tx.trySend("queued");
  const a = watch(tx.send("a"));
  const b = watch(tx.send("b"));
  await assertPending(a);
  const reason = new Error("bye");
  tx.close(reason);
  assertClosedError(await rejected(a), "a", reason);
  assertClosedError(await rejected(b), "b", reason);
  // The queued value was not disturbed.
  assert.equal(await fulfilled(rx.recv()), "queued");
  assert.deepEqual(rx.tryRecv(), { state: "closed" });
});

Deno.test("channel: close ends waiting receivers and iteration", async () => {
  const [tx, rx] = channel<number>(1);
  const r = watch(rx.recv());
  const seen: number[] = [];
  const loop = watch((async () => {
    for await (const v of rx) seen.push(v);
  })());
  await assertPending(r);
  await assertPending(loop);
  const reason = { why: "closed by test" };
  rx.close(reason); // closing from the receiving side has the same effect
  assertClosedError(await rejected(r), undefined, reason);
  await fulfilled(loop, "for await after close");
  assert.deepEqual(seen, []);
  assert.equal(tx.closed, true);
});

Deno.test("channel: for await yields in order until closed and drained", async () => {
  const [tx, rx] = channel<number>(2);
  const seen: number[] = [];
  const loop = watch((async () => {
    for await (const v of rx) seen.push(v);
  })());
  for (let i = 0; i < 10; i++) await fulfilled(tx.send(i));
  await assertPending(loop);
  tx.close();
  await fulfilled(loop);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("channel: breaking out of for await leaves the channel open and the rest queued", async () => {
  const [tx, rx] = channel<number>(4);
  tx.trySend(1);
  tx.trySend(2);
  tx.trySend(3);
  for await (const v of rx) {
    assert.equal(v, 1);
    break;
  }
  assert.equal(tx.closed, false);
  assert.deepEqual(rx.tryRecv(), { state: "ok", value: 2 });
  assert.deepEqual(rx.tryRecv(), { state: "ok", value: 3 });
});

Deno.test("channel: Symbol.dispose closes", async () => {
  const [tx, rx] = channel<number>(1);
  {
    using sender = tx;
    sender.trySend(1);
  }
  assert.equal(rx.closed, true);
  assert.equal(await fulfilled(rx.recv()), 1);
  const [tx2, rx2] = channel<number>(1);
  {
    using _receiver = rx2;
  }
  assert.equal(tx2.closed, true);
});

// ---------------------------------------------------------------------------
// abort

Deno.test("channel: aborting a waiting send rejects with the reason and removes it", async () => {
  const [tx, rx] = channel<string>(1);
  tx.trySend("queued");
  const c1 = new TrackedController();
  const c2 = new TrackedController();
  const c3 = new TrackedController();
  const a = watch(tx.send("a", { signal: c1.signal }));
  const b = watch(tx.send("b", { signal: c2.signal }));
  const c = watch(tx.send("c", { signal: c3.signal }));
  assert.equal(c2.listeners, 1);

  const reason = new Error("changed my mind");
  c2.abort(reason);
  assert.equal(await rejected(b), reason); // the very reason, not wrapped
  assert.equal(c2.listeners, 0);
  await assertPending(a);
  await assertPending(c);

  // Nothing else disturbed: a and c keep their order, b never arrives.
  assert.equal(await fulfilled(rx.recv()), "queued");
  assert.equal(await fulfilled(rx.recv()), "a");
  assert.equal(await fulfilled(rx.recv()), "c");
  await settle(a);
  await settle(c);
  assert.equal(a.outcome.status, "fulfilled");
  assert.equal(c.outcome.status, "fulfilled");
  assert.deepEqual(rx.tryRecv(), { state: "empty" });
  // Admitted senders removed their listeners.
  assert.equal(c1.listeners, 0);
  assert.equal(c3.listeners, 0);
});

Deno.test("channel: aborting the head, middle and tail waiters", async () => {
  for (const victim of [0, 1, 2]) {
    const [tx, rx] = channel<number>(1);
    tx.trySend(-1);
    const controllers = [0, 1, 2].map(() => new TrackedController());
    const sends = controllers.map((c, i) =>
      watch(tx.send(i, { signal: c.signal }))
    );
    controllers[victim].abort("x");
    assert.equal(await rejected(sends[victim]), "x");
    const got: number[] = [];
    tx.close();
    for await (const v of rx) got.push(v);
    // Close came while two were still waiting: they reject; only -1 drains.
    assert.deepEqual(got, [-1]);
    for (const [i, s] of sends.entries()) {
      if (i === victim) continue;
      assertClosedError(await rejected(s), i, undefined);
    }
    for (const c of controllers) assert.equal(c.listeners, 0);
  }
});

Deno.test("channel: a send with an already aborted signal rejects and queues nothing", async () => {
  const [tx, rx] = channel<number>(4);
  const controller = new TrackedController();
  const reason = new Error("already");
  controller.abort(reason);
  assert.equal(
    await rejected(tx.send(1, { signal: controller.signal })),
    reason,
  );
  assert.equal(tx.size, 0);
  assert.deepEqual(rx.tryRecv(), { state: "empty" });
  assert.equal(controller.added, 0);
});

Deno.test("channel: a send that did not wait adds no listener", async () => {
  const [tx] = channel<number>(4);
  const controller = new TrackedController();
  await fulfilled(tx.send(1, { signal: controller.signal }));
  assert.equal(controller.added, 0);
  controller.abort(); // after the fact: nothing happens
  assert.equal(tx.size, 1);
});

Deno.test("channel: aborting after admission or close changes nothing", async () => {
  const [tx, rx] = channel<number>(1);
  tx.trySend(0);
  const admitted = new TrackedController();
  const closed = new TrackedController();
  const a = watch(tx.send(1, { signal: admitted.signal }));
  assert.equal(await fulfilled(rx.recv()), 0);
  await fulfilled(a);
  assert.equal(admitted.listeners, 0);
  admitted.abort();
  assert.equal(tx.size, 1); // the admitted value stays queued

  const b = watch(tx.send(2, { signal: closed.signal }));
  tx.close();
  assertClosedError(await rejected(b), 2, undefined);
  assert.equal(closed.listeners, 0);
  closed.abort("late");
  assert.deepEqual(rx.tryRecv(), { state: "ok", value: 1 });
  assert.deepEqual(rx.tryRecv(), { state: "closed" });
});

Deno.test("channel: abort frees the waiter's place for later senders", async () => {
  const [tx, rx] = channel<number>(1);
  tx.trySend(0);
  const c = new TrackedController();
  const a = watch(tx.send(1, { signal: c.signal }));
  const b = watch(tx.send(2));
  c.abort();
  assert.ok((await rejected(a)) instanceof DOMException);
  assert.equal(await fulfilled(rx.recv()), 0);
  await fulfilled(b);
  assert.equal(await fulfilled(rx.recv()), 2);
});

// ---------------------------------------------------------------------------
// Web Streams views

Deno.test("readable: reads in order and ends when closed and drained", async () => {
  const [tx, rx] = channel<number | undefined>(4);
  assert.equal(rx.readable, rx.readable); // one view per receiver
  tx.trySend(1);
  tx.trySend(undefined);
  tx.trySend(3);
  tx.close();
  const seen: (number | undefined)[] = [];
  for await (const v of rx.readable) seen.push(v);
  assert.deepEqual(seen, [1, undefined, 3]);
});

Deno.test("readable: a pending read is answered by a later send, and ended by close", async () => {
  const [tx, rx] = channel<string>(1);
  const reader = rx.readable.getReader();
  const first = watch(reader.read());
  await assertPending(first);
  tx.trySend("x");
  assert.deepEqual(await fulfilled(first), { value: "x", done: false });
  const second = watch(reader.read());
  await assertPending(second);
  tx.close("bye");
  assert.deepEqual(await fulfilled(second), { value: undefined, done: true });
  reader.releaseLock();
});

Deno.test("readable: does not pull ahead of its reader (backpressure)", async () => {
  const [tx, rx] = channel<number>(4);
  tx.trySend(1);
  tx.trySend(2);
  tx.trySend(3);
  const reader = rx.readable.getReader();
  await flushMicrotasks();
  assert.equal(rx.size, 3); // creating the view took nothing
  assert.deepEqual(await fulfilled(reader.read()), { value: 1, done: false });
  await flushMicrotasks();
  assert.equal(rx.size, 2); // one read, one value
  reader.releaseLock();
  tx.close();
});

Deno.test("readable: cancel closes the channel with the reason, even during a pending read", async () => {
  const [tx, rx] = channel<string>(2);
  const reader = rx.readable.getReader();
  const read = watch(reader.read());
  await assertPending(read);
  const reason = new Error("not interested");
  await fulfilled(reader.cancel(reason));
  assert.deepEqual(await fulfilled(read), { value: undefined, done: true });
  assert.equal(tx.closed, true);
  assertClosedError(await rejected(tx.send("late")), "late", reason);
});

Deno.test("writable: writes go through the channel in order; close closes it", async () => {
  const [tx, rx] = channel<number>(8);
  assert.equal(tx.writable, tx.writable);
  const writer = tx.writable.getWriter();
  await fulfilled(writer.write(1));
  await fulfilled(writer.write(2));
  await fulfilled(writer.close());
  assert.equal(rx.closed, true);
  const seen: number[] = [];
  for await (const v of rx) seen.push(v);
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("writable: a write waits while the channel is full (backpressure)", async () => {
  const [tx, rx] = channel<number>(1);
  const writer = tx.writable.getWriter();
  await fulfilled(writer.write(1));
  const second = watch(writer.write(2));
  await assertPending(second, "write while full");
  await assertPending(watch(writer.ready), "writer.ready while full");
  assert.equal(await fulfilled(rx.recv()), 1);
  await fulfilled(second);
  await fulfilled(writer.ready);
  assert.equal(await fulfilled(rx.recv()), 2);
  await fulfilled(writer.close());
});

Deno.test("writable: a write to a channel closed by the receiver rejects with the value", async () => {
  const [tx, rx] = channel<number>(1);
  const writer = tx.writable.getWriter();
  rx.close("gone");
  const err = await rejected(writer.write(9));
  assertClosedError(err, 9, "gone");
  await rejected(writer.closed);
});

Deno.test("writable: a write blocked on a full channel is rejected when the receiver closes", async () => {
  const [tx, rx] = channel<number>(1);
  const writer = tx.writable.getWriter();
  await fulfilled(writer.write(1));
  const blocked = watch(writer.write(2));
  await assertPending(blocked);
  rx.close("gone");
  assertClosedError(await rejected(blocked), 2, "gone");
  assert.equal(await fulfilled(rx.recv()), 1); // the queued value survives
});

Deno.test("writable: abort closes the channel with the reason", async () => {
  const [tx, rx] = channel<number>(2);
  const writer = tx.writable.getWriter();
  await fulfilled(writer.write(1));
  const reason = new Error("abandon");
  await fulfilled(writer.abort(reason));
  assert.equal(rx.closed, true);
  assert.equal(await fulfilled(rx.recv()), 1);
  assertClosedError(await rejected(rx.recv()), undefined, reason);
});

Deno.test("writable: abort while a write waits for room does not hang", async () => {
  const [tx, rx] = channel<number>(1);
  const writer = tx.writable.getWriter();
  await fulfilled(writer.write(1));
  const blocked = watch(writer.write(2));
  await assertPending(blocked);
  const reason = new Error("abandon");
  await fulfilled(writer.abort(reason), "writer.abort with a blocked write");
  assert.equal(await rejected(blocked), reason);
  assert.equal(rx.closed, true);
  // The blocked value never entered the channel; the queued one drains.
  assert.equal(await fulfilled(rx.recv()), 1);
  assertClosedError(await rejected(rx.recv()), undefined, reason);
});

Deno.test("streams: pipeTo into the channel and pipeThrough out of it", async () => {
  const [tx, rx] = channel<number>(2);
  const piping = watch(
    ReadableStream.from([1, 2, 3, 4, 5]).pipeTo(tx.writable),
  );
  const doubled = rx.readable.pipeThrough(
    new TransformStream<number, number>({
      transform: (n, controller) => controller.enqueue(n * 2),
    }),
  );
  const seen: number[] = [];
  for await (const v of doubled) seen.push(v);
  await fulfilled(piping);
  assert.deepEqual(seen, [2, 4, 6, 8, 10]);
  assert.deepEqual(rx.tryRecv(), { state: "closed" });
});

Deno.test("streams: pipeTo respects the channel's capacity", async () => {
  const capacity = 3;
  const [tx, rx] = channel<number>(capacity);
  let pulled = 0;
  const source = new ReadableStream<number>({
    pull(controller) {
      controller.enqueue(pulled++);
      if (pulled === 100) controller.close();
    },
  }, { highWaterMark: 0 });
  const piping = watch(source.pipeTo(tx.writable));
  await assertPending(piping, "pipe into a full channel");
  assert.equal(tx.size, capacity);
  // Bounded slack: the channel, one write waiting for room, one chunk read
  // by the pipe ahead of it.
  const slack = pulled - capacity;
  assert.ok(slack >= 0 && slack <= 2, `pulled ${pulled}`);
  // Consuming one value lets exactly one more in.
  assert.equal(await fulfilled(rx.recv()), 0);
  await assertPending(piping);
  assert.equal(tx.size, capacity);
  assert.equal(pulled - 1 - capacity, slack);
  const seen: number[] = [0];
  for await (const v of rx) seen.push(v);
  await fulfilled(piping);
  assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => i));
});

Deno.test("streams: channel to channel through pipeTo", async () => {
  const [tx1, rx1] = channel<string>(1);
  const [tx2, rx2] = channel<string>(1);
  const piping = watch(rx1.readable.pipeTo(tx2.writable));
  const producing = watch((async () => {
    for (const s of ["a", "b", "c"]) await tx1.send(s);
    tx1.close();
  })());
  const seen: string[] = [];
  for await (const v of rx2) seen.push(v);
  await fulfilled(producing);
  await fulfilled(piping);
  assert.deepEqual(seen, ["a", "b", "c"]);
});

Deno.test("streams: closing the channel under a pipe fails the pipe and cancels the source", async () => {
  const [tx, rx] = channel<number>(1);
  let cancelled: unknown = "not cancelled";
  let n = 0;
  const source = new ReadableStream<number>({
    pull: (controller) => controller.enqueue(n++),
    cancel: (reason) => {
      cancelled = reason;
    },
  }, { highWaterMark: 0 });
  const piping = watch(source.pipeTo(tx.writable));
  await assertPending(piping);
  rx.close("stop");
  const err = await rejected(piping);
  assert.ok(err instanceof ChannelClosedError);
  assert.equal(err.cause, "stop");
  assert.equal(cancelled, err);
});

// ---------------------------------------------------------------------------
// model-based property: random interleavings never lose, duplicate or
// reorder an item

type Op =
  | { op: "send"; undef: boolean; signal: boolean }
  | { op: "trySend"; undef: boolean }
  | { op: "recv" }
  | { op: "tryRecv" }
  | { op: "close" }
  | { op: "abort"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("send" as const),
      undef: fc.boolean(),
      signal: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("trySend" as const),
      undef: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("recv" as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("tryRecv" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("close" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("abort" as const),
      pick: fc.nat(),
    }),
  },
);

type Expected =
  | { status: "pending" }
  | { status: "fulfilled"; value?: unknown }
  | { status: "closed" } // ChannelClosedError
  | { status: "aborted"; reason: unknown };

interface SendRec {
  value: number | undefined;
  controller: AbortController | undefined;
  actual: Watched<void>;
  expected: Expected;
}
interface RecvRec {
  actual: Watched<number | undefined>;
  expected: Expected;
}

function checkOutcome(
  what: string,
  actual: Watched<unknown>,
  expected: Expected,
  value?: unknown,
): void {
  const o = actual.outcome;
  switch (expected.status) {
    case "pending":
      assert.equal(o.status, "pending", `${what} should be pending`);
      break;
    case "fulfilled":
      assert.equal(o.status, "fulfilled", `${what} should be fulfilled`);
      if ("value" in expected && o.status === "fulfilled") {
        assert.ok(Object.is(o.value, expected.value), `${what} value`);
      }
      break;
    case "closed":
      assert.equal(o.status, "rejected", `${what} should reject (closed)`);
      if (o.status === "rejected") {
        assert.ok(o.reason instanceof ChannelClosedError, `${what} error type`);
        assert.ok(Object.is(o.reason.value, value), `${what} error value`);
      }
      break;
    case "aborted":
      assert.equal(o.status, "rejected", `${what} should reject (aborted)`);
      if (o.status === "rejected") {
        assert.equal(o.reason, expected.reason, `${what} abort reason`);
      }
      break;
  }
}

async function runModel(capacity: number, ops: Op[]): Promise<void> {
  const [tx, rx] = channel<number | undefined>(capacity);
  // The model.
  const queue: (number | undefined)[] = [];
  const waiting: SendRec[] = [];
  const receivers: RecvRec[] = [];
  let closed = false;
  const accepted: (number | undefined)[] = []; // in acceptance order
  // Actual observations.
  const delivered: (number | undefined)[] = [];
  const sends: SendRec[] = [];
  const recvs: RecvRec[] = [];
  let nextValue = 0;

  const admit = () => {
    while (waiting.length > 0 && queue.length < capacity) {
      const w = waiting.shift()!;
      queue.push(w.value);
      accepted.push(w.value);
      w.expected = { status: "fulfilled" };
    }
  };
  const deliverTo = (value: number | undefined): boolean => {
    const r = receivers.shift();
    if (r === undefined) return false;
    r.expected = { status: "fulfilled", value };
    accepted.push(value);
    return true;
  };
  const watchRecv = (p: Promise<number | undefined>) => {
    const w = watch(p);
    p.then((v) => delivered.push(v), () => {});
    return w;
  };

  for (const op of ops) {
    switch (op.op) {
      case "send": {
        const value = op.undef ? undefined : nextValue++;
        const controller = op.signal ? new AbortController() : undefined;
        const rec: SendRec = {
          value,
          controller,
          actual: watch(tx.send(value, { signal: controller?.signal })),
          expected: { status: "pending" },
        };
        sends.push(rec);
        if (closed) rec.expected = { status: "closed" };
        else if (deliverTo(value)) rec.expected = { status: "fulfilled" };
        else if (queue.length < capacity) {
          queue.push(value);
          accepted.push(value);
          rec.expected = { status: "fulfilled" };
        } else waiting.push(rec);
        break;
      }
      case "trySend": {
        const value = op.undef ? undefined : nextValue++;
        if (closed) {
          assert.throws(() => tx.trySend(value), isClosedError(value));
        } else {
          const ok = tx.trySend(value);
          if (deliverTo(value)) assert.equal(ok, true);
          else if (queue.length < capacity) {
            assert.equal(ok, true);
            queue.push(value);
            accepted.push(value);
          } else assert.equal(ok, false);
        }
        break;
      }
      case "recv": {
        const rec: RecvRec = {
          actual: watchRecv(rx.recv()),
          expected: { status: "pending" },
        };
        recvs.push(rec);
        if (queue.length > 0) {
          rec.expected = { status: "fulfilled", value: queue.shift() };
          admit();
        } else if (closed) rec.expected = { status: "closed" };
        else receivers.push(rec);
        break;
      }
      case "tryRecv": {
        const got = rx.tryRecv();
        if (queue.length > 0) {
          const value = queue.shift();
          admit();
          assert.deepEqual(got, { state: "ok", value });
          delivered.push(value);
        } else assert.deepEqual(got, { state: closed ? "closed" : "empty" });
        break;
      }
      case "close": {
        tx.close();
        if (closed) break;
        closed = true;
        for (const w of waiting) w.expected = { status: "closed" };
        waiting.length = 0;
        if (queue.length === 0) {
          for (const r of receivers) r.expected = { status: "closed" };
          receivers.length = 0;
        }
        break;
      }
      case "abort": {
        const candidates = sends.filter((s) =>
          s.controller !== undefined && !s.controller.signal.aborted
        );
        if (candidates.length === 0) break;
        const victim = candidates[op.pick % candidates.length];
        const reason = new Error(`abort ${String(victim.value)}`);
        victim.controller!.abort(reason);
        const i = waiting.indexOf(victim);
        if (i >= 0) {
          waiting.splice(i, 1);
          victim.expected = { status: "aborted", reason };
        }
        break;
      }
    }
    await flushMicrotasks(4);
    assert.equal(tx.size, queue.length, "size");
    for (const [i, s] of sends.entries()) {
      checkOutcome(`send #${i}`, s.actual, s.expected, s.value);
    }
    for (const [i, r] of recvs.entries()) {
      checkOutcome(`recv #${i}`, r.actual, r.expected, undefined);
    }
  }

  // Close and drain: every accepted value comes out once, in order.
  tx.close();
  for await (const v of rx) delivered.push(v);
  await flushMicrotasks(4);
  for (const s of sends) assert.ok(s.actual.settled, "every send settled");
  for (const r of recvs) assert.ok(r.actual.settled, "every recv settled");
  assert.deepEqual(delivered, accepted);
}

Deno.test("channel: random interleavings match a FIFO model (property)", async () => {
  await assertProperty(
    fc.asyncProperty(
      fc.constantFrom(1, 2, 3, 5, Infinity),
      fc.array(opArb, { maxLength: 80 }),
      runModel,
    ),
    { numRuns: 1000 },
    "channel: random interleavings match a FIFO model (property)",
  );
});

Deno.test("streams: a pipe aborted by its signal while blocked ends once the channel frees a slot", async () => {
  // Web Streams semantics: pipeTo lets the chunk it already read finish
  // writing before it aborts the destination, so with a full channel the
  // abort completes only when a slot frees (or the channel closes).
  const [tx, rx] = channel<number>(1);
  let n = 0;
  let cancelled: unknown = "not cancelled";
  const source = new ReadableStream<number>({
    pull: (controller) => controller.enqueue(n++),
    cancel: (reason) => {
      cancelled = reason;
    },
  }, { highWaterMark: 0 });
  const controller = new AbortController();
  const piping = watch(
    source.pipeTo(tx.writable, { signal: controller.signal }),
  );
  await assertPending(piping);
  controller.abort("stop");
  await assertPending(piping, "aborted pipe with a write waiting for room");
  assert.equal(await fulfilled(rx.recv()), 0);
  assert.equal(await rejected(piping), "stop");
  assert.equal(cancelled, "stop");
  assert.equal(tx.closed, true); // the destination was aborted: channel closed
  assert.deepEqual(rx.tryRecv(), { state: "ok", value: 1 }); // the written chunk
  assert.deepEqual(rx.tryRecv(), { state: "closed" });
});
