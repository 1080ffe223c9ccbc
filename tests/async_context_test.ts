// A handler runs in its own caller's async context (issue 15), whether it was
// dispatched at once or waited in the queue, whatever the concurrency, and
// also when its caller first waited for room in a full channel. Checked with
// AsyncLocalStorage: 64 callers, each in its own `als.run(id, …)`.
//
// Without the per-call "gate" (a promise reaction registered in the caller's
// context when the call is queued), a queued handler runs in the context of
// whichever caller's handler settled and woke the server: the store seen is
// another caller's id.

import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import {
  type CallOptions,
  channel,
  type Client,
  connect,
  type Envelope,
  serve,
  serviceFn,
  spawn,
  type Spawned,
} from "../mod.ts";

const CALLERS = 64;

type Req = { readonly id: number };

/** How a caller passes its options (each takes another path in the core). */
type Variant = "none" | "signal" | "deadline" | "metadata";
const VARIANTS: readonly Variant[] = ["none", "signal", "deadline", "metadata"];

function optionsFor(variant: Variant, id: number): CallOptions | undefined {
  switch (variant) {
    case "none":
      return undefined;
    case "signal":
      return { signal: new AbortController().signal };
    case "deadline":
      return { deadline: Date.now() + 60_000 };
    case "metadata":
      return { metadata: { caller: String(id) } };
  }
}

/**
 * A handler that records the store it sees when it starts and after an
 * await, and yields a few times so that the other calls queue up.
 */
function recordingServer(
  als: AsyncLocalStorage<number>,
  options: { concurrency: number; capacity?: number },
) {
  const seen: { id: number; atStart: unknown; afterAwait: unknown }[] = [];
  let running = 0;
  let peak = 0;
  const spawned = spawn(
    serviceFn(async (req: Req) => {
      running++;
      peak = Math.max(peak, running);
      const atStart = als.getStore();
      for (let i = 0; i < 3; i++) await Promise.resolve();
      seen.push({ id: req.id, atStart, afterAwait: als.getStore() });
      running--;
      return req.id;
    }),
    options,
  );
  return {
    ...spawned,
    seen,
    get peak() {
      return peak;
    },
  };
}

async function callersInTheirOwnContext(
  als: AsyncLocalStorage<number>,
  client: Client<Req, number>,
  variant: Variant,
): Promise<void> {
  const replies = Array.from(
    { length: CALLERS },
    (_, id) => als.run(id, () => client.call({ id }, optionsFor(variant, id))),
  );
  assert.deepEqual(
    await Promise.all(replies),
    Array.from({ length: CALLERS }, (_, id) => id),
  );
}

function assertOwnContext(
  seen: { id: number; atStart: unknown; afterAwait: unknown }[],
  what: string,
): void {
  assert.equal(seen.length, CALLERS, `${what}: not every handler ran`);
  const wrong = seen.filter((s) => s.atStart !== s.id || s.afterAwait !== s.id);
  assert.deepEqual(
    wrong,
    [],
    `${what}: ${wrong.length} handlers ran in another caller's context`,
  );
}

for (const concurrency of [1, 4]) {
  for (const variant of VARIANTS) {
    Deno.test(`async context: ${CALLERS} callers of a concurrency ${concurrency} server (options: ${variant}) — each handler sees its own caller's store, dispatched at once or queued`, async () => {
      const als = new AsyncLocalStorage<number>();
      const server = recordingServer(als, { concurrency });
      await callersInTheirOwnContext(als, server.client, variant);
      assertOwnContext(server.seen, `concurrency ${concurrency}, ${variant}`);
      assert.equal(server.peak, concurrency, "the calls did not queue");
      await server.server.close();
    });
  }
}

for (const concurrency of [1, 4]) {
  Deno.test(`async context: through a full channel (capacity 1, concurrency ${concurrency}), callers waiting for room still get their own context`, async () => {
    for (const variant of VARIANTS) {
      const als = new AsyncLocalStorage<number>();
      const server = recordingServer(als, { concurrency, capacity: 1 });
      const replies = Array.from(
        { length: CALLERS },
        (_, id) =>
          als.run(
            id,
            () => server.client.call({ id }, optionsFor(variant, id)),
          ),
      );
      // Most callers now wait for room in the channel.
      assert.equal(server.server.queued, 1);
      assert.equal(server.server.inFlight, concurrency);
      await Promise.all(replies);
      assertOwnContext(server.seen, `capacity 1, ${variant}`);
      await server.server.close();
    }
  });
}

Deno.test("async context: three hops, 64 calls in flight at each — every handler sees the original caller's store", async () => {
  const als = new AsyncLocalStorage<number>();
  const seen: Record<"a" | "b" | "c", [number, unknown][]> = {
    a: [],
    b: [],
    c: [],
  };
  const hop = (
    name: "a" | "b" | "c",
    next: (() => Spawned<Req, number>) | undefined,
  ) =>
    spawn(
      serviceFn(async (req: Req, options: CallOptions) => {
        seen[name].push([req.id, als.getStore()]);
        await Promise.resolve();
        return next === undefined ? req.id : next().client.call(req, options);
      }),
      { concurrency: 1, name },
    );
  const c = hop("c", undefined);
  const b = hop("b", () => c);
  const a = hop("a", () => b);
  const replies = Array.from(
    { length: CALLERS },
    (_, id) =>
      als.run(
        id,
        () => a.client.call({ id }, { deadline: Date.now() + 60_000 }),
      ),
  );
  await Promise.all(replies);
  for (const name of ["a", "b", "c"] as const) {
    assert.equal(seen[name].length, CALLERS);
    const wrong = seen[name].filter(([id, store]) => id !== store);
    assert.deepEqual(wrong, [], `hop ${name}: handlers in another context`);
  }
  await a.server.close();
  await b.server.close();
  await c.server.close();
});

Deno.test("async context: calls queued before the server starts still run in their own callers' contexts", async () => {
  const als = new AsyncLocalStorage<number>();
  const [tx, rx] = channel<Envelope<Req, number>>(CALLERS);
  const client = connect(tx);
  const replies = Array.from(
    { length: CALLERS },
    (_, id) => als.run(id, () => client.call({ id })),
  );
  const seen: [number, unknown][] = [];
  // Served later, from no caller's context at all.
  const server = serve(
    rx,
    serviceFn((req: Req) => {
      seen.push([req.id, als.getStore()]);
      return req.id;
    }),
    { concurrency: 2 },
  );
  await Promise.all(replies);
  assert.equal(seen.length, CALLERS);
  assert.deepEqual(seen.filter(([id, store]) => id !== store), []);
  await server.close();
});
