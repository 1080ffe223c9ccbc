/**
 * The client alone, answered by hand through the channel's receiver (no
 * server), so each path of an envelope is visible.
 */
import { abortListeners } from "../_abort.ts";
import { Call } from "../client.ts";
import assert from "node:assert/strict";
import {
  channel,
  ChannelClosedError,
  Client,
  connect,
  type Envelope,
  HandlerError,
  type Receiver,
  type Sender,
  serviceFn,
  spawn,
} from "../mod.ts";
import {
  assertPending,
  flushMicrotasks,
  fulfilled,
  rejected,
  TrackedController,
  watch,
} from "./_helpers.ts";

type Req = { id: number };
type Env = Envelope<Req, string>;

function setup(capacity = 4): {
  tx: Sender<Env>;
  rx: Receiver<Env>;
  client: Client<Req, string>;
} {
  const [tx, rx] = channel<Env>(capacity);
  return { tx, rx, client: connect(tx) };
}

function take(rx: Receiver<Env>): Env {
  const got = rx.tryRecv();
  assert.equal(got.state, "ok", "an envelope is queued");
  return (got as { value: Env }).value;
}

Deno.test("connect rejects anything but a channel sender", () => {
  for (const bad of [undefined, null, {}, "tx", 42]) {
    assert.throws(
      () => connect(bad as unknown as Sender<Env>),
      (err: unknown) =>
        err instanceof TypeError && /expects the sender/.test(err.message),
    );
  }
});

Deno.test("client: a call travels as an envelope and the reply answers it", async () => {
  const { rx, client } = setup();
  assert.ok(client instanceof Client);
  const req = { id: 1 };
  const reply = watch(client.call(req));
  const envelope = take(rx);
  assert.ok(envelope instanceof Call);
  assert.equal(envelope.req, req); // moved, not copied
  assert.equal(envelope.signal, undefined);
  assert.equal((envelope as Call<unknown, unknown>).answer, "pending");
  await assertPending(reply);
  envelope.resolve("one");
  assert.equal((envelope as Call<unknown, unknown>).answer, "answered");
  assert.equal(await fulfilled(reply), "one");
});

Deno.test("client: calls are queued in call order", async () => {
  const { rx, client } = setup(8);
  const replies = [0, 1, 2, 3].map((id) => watch(client.call({ id })));
  assert.equal(rx.size, 4);
  for (const id of [0, 1, 2, 3]) take(rx).resolve(`r${id}`);
  for (const [id, r] of replies.entries()) {
    assert.equal(await fulfilled(r), `r${id}`);
  }
});

Deno.test("client: Error rejections pass through unchanged", async () => {
  const { rx, client } = setup();
  const reply = watch(client.call({ id: 1 }));
  const boom = new TypeError("bad request");
  take(rx).reject(boom);
  assert.equal(await rejected(reply), boom);
});

Deno.test("client: a non-Error rejection becomes a HandlerError with the value as cause", async () => {
  const { rx, client } = setup(8);
  const values: unknown[] = ["boom", 0, undefined, null, { code: 1 }];
  const replies = values.map((_, id) => watch(client.call({ id })));
  for (const v of values) take(rx).reject(v);
  for (const [i, r] of replies.entries()) {
    const err = await rejected(r);
    assert.ok(err instanceof HandlerError, `value #${i}`);
    assert.ok(Object.is(err.cause, values[i]));
  }
});

Deno.test("client: an envelope settles once; later answers are ignored", async () => {
  const { rx, client } = setup();
  const reply = watch(client.call({ id: 1 }));
  const envelope = take(rx);
  envelope.resolve("first");
  envelope.resolve("second");
  envelope.reject(new Error("third"));
  assert.equal(await fulfilled(reply), "first");

  const reply2 = watch(client.call({ id: 2 }));
  const envelope2 = take(rx);
  const boom = new Error("first");
  envelope2.reject(boom);
  envelope2.resolve("second");
  assert.equal(await rejected(reply2), boom);
});

Deno.test("client: a call on a closed channel rejects ChannelClosedError carrying the request", async () => {
  const { tx, rx, client } = setup();
  const reason = new Error("server gone");
  tx.close(reason);
  const req = { id: 9 };
  const err = await rejected(client.call(req));
  assert.ok(err instanceof ChannelClosedError);
  assert.equal(err.value, req); // the request, not an internal envelope
  assert.equal(err.cause, reason);
  assert.equal(rx.size, 0);
});

Deno.test("client: abort before enqueue rejects with the reason and queues nothing", async () => {
  const { rx, client } = setup();
  const controller = new TrackedController();
  const reason = new Error("never mind");
  controller.abort(reason);
  const err = await rejected(
    client.call({ id: 1 }, { signal: controller.signal }),
  );
  assert.equal(err, reason);
  assert.equal(rx.size, 0);
  assert.equal(controller.added, 0);
});

Deno.test("client: abort while queued rejects at once and withdraws the envelope", async () => {
  const { rx, client } = setup();
  const controller = new TrackedController();
  const before = watch(client.call({ id: 0 }));
  const reply = watch(client.call({ id: 1 }, { signal: controller.signal }));
  const after = watch(client.call({ id: 2 }));
  assert.equal(rx.size, 3);
  assert.equal(controller.listeners, 1);
  const reason = { custom: "reason object" };
  controller.abort(reason);
  await flushMicrotasks();
  assert.equal(reply.outcome.status, "rejected");
  assert.equal(await rejected(reply), reason); // the reason as is, even a non-Error
  assert.equal(rx.size, 2); // slot freed
  assert.equal(controller.listeners, 0);
  // The neighbours are undisturbed and keep their order.
  const first = take(rx);
  const second = take(rx);
  assert.deepEqual([first.req.id, second.req.id], [0, 2]);
  first.resolve("a");
  second.resolve("c");
  assert.equal(await fulfilled(before), "a");
  assert.equal(await fulfilled(after), "c");
});

Deno.test("client: abort after the envelope was taken rejects at once; the late answer is dropped", async () => {
  const { rx, client } = setup();
  const controller = new TrackedController();
  const reply = watch(client.call({ id: 1 }, { signal: controller.signal }));
  const envelope = take(rx);
  assert.equal(envelope.signal, controller.signal);
  controller.abort("stop");
  assert.equal(await rejected(reply), "stop");
  assert.equal((envelope as Call<unknown, unknown>).answer, "answered");
  envelope.resolve("too late");
  assert.equal(reply.outcome.status, "rejected");
  assert.equal(controller.listeners, 0);
});

Deno.test("client: answering removes the abort listener", async () => {
  const { rx, client } = setup();
  const ok = new TrackedController();
  const fail = new TrackedController();
  const r1 = watch(client.call({ id: 1 }, { signal: ok.signal }));
  const r2 = watch(client.call({ id: 2 }, { signal: fail.signal }));
  assert.equal(ok.listeners + fail.listeners, 2);
  take(rx).resolve("x");
  take(rx).reject(new Error("y"));
  await fulfilled(r1);
  await rejected(r2);
  assert.equal(ok.listeners, 0);
  assert.equal(fail.listeners, 0);
  ok.abort(); // after the fact: no effect
  assert.equal(r1.outcome.status, "fulfilled");
});

Deno.test("client: a full channel makes the call wait for room, in order", async () => {
  const { rx, client } = setup(1);
  const r0 = watch(client.call({ id: 0 }));
  const r1 = watch(client.call({ id: 1 }));
  const r2 = watch(client.call({ id: 2 }));
  assert.equal(rx.size, 1);
  assert.equal(client.ready(), false);
  take(rx).resolve("a");
  await flushMicrotasks();
  assert.equal(rx.size, 1); // the oldest waiter took the slot
  const e1 = take(rx);
  assert.equal(e1.req.id, 1);
  e1.resolve("b");
  await flushMicrotasks();
  const e2 = take(rx);
  assert.equal(e2.req.id, 2);
  e2.resolve("c");
  assert.deepEqual(
    [await fulfilled(r0), await fulfilled(r1), await fulfilled(r2)],
    ["a", "b", "c"],
  );
});

Deno.test("client: abort while waiting for room rejects at once; nothing else is disturbed", async () => {
  const { rx, client } = setup(1);
  const controller = new TrackedController();
  const r0 = watch(client.call({ id: 0 }));
  const r1 = watch(client.call({ id: 1 }, { signal: controller.signal }));
  const r2 = watch(client.call({ id: 2 }));
  await assertPending(r1);
  // The call is the only listener: it withdraws its own waiting send.
  assert.equal(abortListeners(controller.signal), 1);
  assert.equal(controller.listeners, 1);
  const reason = new Error("impatient");
  controller.abort(reason);
  assert.equal(await rejected(r1), reason);
  assert.equal(controller.listeners, 0);
  assert.equal(rx.size, 1);
  take(rx).resolve("a");
  await flushMicrotasks();
  const next = take(rx);
  assert.equal(next.req.id, 2); // the aborted request never arrives
  next.resolve("c");
  assert.equal(await fulfilled(r0), "a");
  assert.equal(await fulfilled(r2), "c");
  assert.deepEqual(rx.tryRecv(), { state: "empty" });
});

Deno.test("client: aborting a queued call admits the oldest call waiting for room at once", async () => {
  const { rx, client } = setup(1);
  const controller = new TrackedController();
  const queued = watch(client.call({ id: 0 }, { signal: controller.signal }));
  const waiting = watch(client.call({ id: 1 }));
  const later = watch(client.call({ id: 2 }));
  assert.equal(rx.size, 1);
  assert.equal(client.ready(), false);
  controller.abort("never mind");
  assert.equal(await rejected(queued), "never mind");
  // The withdrawal freed the slot and the oldest waiter took it, without
  // anyone receiving from the channel.
  assert.equal(rx.size, 1);
  const next = take(rx);
  assert.equal(next.req.id, 1);
  await assertPending(waiting);
  await assertPending(later);
  next.resolve("b");
  assert.equal(await fulfilled(waiting), "b");
  await flushMicrotasks();
  const last = take(rx);
  assert.equal(last.req.id, 2);
  last.resolve("c");
  assert.equal(await fulfilled(later), "c");
});

Deno.test("client: a caller abort reaches the running handler's signal (through a server)", async () => {
  // The one test here with a server: the envelope's abort must reach the
  // handler a server started for it, not only reject the caller.
  const seen: AbortSignal[] = [];
  const finish: (() => void)[] = [];
  const { client, server } = spawn(
    serviceFn((_: Req, options) => {
      seen.push(options.signal!);
      // Ignores its signal: only the caller's abort ends the call.
      return new Promise<string>((resolve) =>
        finish.push(() => resolve("late"))
      );
    }),
  );
  const controller = new TrackedController();
  const other = new TrackedController();
  const reply = watch(client.call({ id: 1 }, { signal: controller.signal }));
  const bystander = watch(client.call({ id: 2 }, { signal: other.signal }));
  await flushMicrotasks();
  assert.equal(seen.length, 2);
  assert.equal(seen[0].aborted, false);
  const reason = new Error("caller gave up");
  controller.abort(reason);
  assert.equal(await rejected(reply), reason);
  assert.equal(seen[0].aborted, true);
  assert.equal(seen[0].reason, reason);
  assert.equal(seen[1].aborted, false, "another call's handler is untouched");
  await assertPending(bystander);
  other.abort("done");
  assert.equal(await rejected(bystander), "done");
  assert.equal(seen[1].reason, "done");
  assert.equal(controller.listeners + other.listeners, 0);
  for (const end of finish) end(); // late answers are dropped
  await fulfilled(server.close());
  assert.equal(reply.outcome.status, "rejected");
});

Deno.test("client: closing the channel fails waiting calls with ChannelClosedError carrying the request", async () => {
  const { tx, rx, client } = setup(1);
  const controller = new TrackedController();
  const r0 = watch(client.call({ id: 0 }));
  const req1 = { id: 1 };
  const r1 = watch(client.call(req1, { signal: controller.signal }));
  await assertPending(r1);
  const reason = new Error("closing");
  tx.close(reason);
  const err = await rejected(r1);
  assert.ok(err instanceof ChannelClosedError);
  assert.equal(err.value, req1);
  assert.equal(err.cause, reason);
  assert.equal(controller.listeners, 0);
  // The queued call is still delivered to the receiver.
  take(rx).resolve("a");
  assert.equal(await fulfilled(r0), "a");
});

Deno.test("client: ready() reflects room in the channel", () => {
  const { tx, rx, client } = setup(2);
  assert.equal(client.ready(), true);
  client.call({ id: 0 });
  assert.equal(client.ready(), true);
  client.call({ id: 1 });
  assert.equal(client.ready(), false);
  take(rx).resolve("x");
  assert.equal(client.ready(), true);
  tx.close();
  assert.equal(client.ready(), false);
  take(rx).resolve("y");
});

Deno.test("Envelope: answered by hand, the first answer wins and a non-Error is wrapped", async () => {
  const { rx, client } = setup();
  const req = { id: 7 };
  const w = watch(client.call(req));
  const envelope = take(rx);
  assert.equal(envelope.req, req);
  envelope.reject("not an error");
  envelope.resolve("late");
  const err = await rejected(w);
  assert.ok(err instanceof HandlerError);
  assert.equal(err.cause, "not an error");
});

Deno.test("client: withdrawn envelopes leave no gap — order, room and slots survive ring compaction and wrap-around", async () => {
  // Capacity 8 → an 8-slot ring: every pattern below wraps and compacts.
  const { tx, rx, client } = setup(8);
  const expected: number[] = [];
  const replies: Promise<string>[] = [];
  const taken: number[] = [];
  let id = 0;
  for (let round = 0; round < 50; round++) {
    // Fill to capacity; abort every other call while queued.
    const controllers: AbortController[] = [];
    while (tx.size < 8) {
      const controller = new AbortController();
      controllers.push(controller);
      const req = { id: id++ };
      const reply = client.call(req, { signal: controller.signal });
      if (req.id % 2 === 0) {
        expected.push(req.id);
        replies.push(reply);
      } else {
        reply.catch(() => {});
      }
    }
    controllers.forEach((c, i) => i % 2 === 1 && c.abort());
    // Room freed by the withdrawals is usable at once, without a receive.
    assert.ok(client.ready(), "withdrawals free slots");
    // Take half of what is live; the rest stays queued across rounds.
    const live = tx.size;
    for (let i = 0; i < Math.ceil(live / 2); i++) {
      const env = take(rx);
      taken.push(env.req.id);
      env.resolve(String(env.req.id));
    }
  }
  while (tx.size > 0) {
    const env = take(rx);
    taken.push(env.req.id);
    env.resolve(String(env.req.id));
  }
  assert.deepEqual(
    taken,
    expected,
    "live requests are received once each, in call order",
  );
  assert.deepEqual(
    rx.tryRecv(),
    { state: "empty" },
    "no tombstone is ever received",
  );
  const answered = (await Promise.all(replies)).map(Number);
  assert.deepEqual(answered, expected, "each caller gets its own reply");
});
