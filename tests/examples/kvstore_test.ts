/**
 * The kvstore example: the program's output, its generated code, and the
 * store's abort handling.
 */

import assert from "node:assert/strict";
import {
  assertGeneratedFresh,
  assertLinesInOrder,
  runExample,
} from "./_helpers.ts";
import { KvStoreApp } from "../../examples/kvstore/store.ts";

Deno.test("kvstore: main.ts shows the actor, the rate limit, the timeout and the shutdown", async () => {
  const output = await runExample("examples/kvstore/main.ts");
  assertLinesInOrder(output, [
    "kvstore: a key-value store served as an actor",
    "== basics: typed calls through the channel ==",
    'get user:1 -> "ada"',
    'list "user:" -> user:1, user:2, user:3',
    "delete user:3 -> true (it was there)",
    "delete user:3 -> false (already gone)",
    "get user:3 -> undefined",
    "== actor: one call at a time, so no locks ==",
    'list "user:" and set user:4 sent together: list finished first, then set',
    "== burst: rateLimit 5 per 100 ms ==",
    "burst of 10 gets: 5 served at once, 5 waited for tokens (rateLimit 5 per 100 ms)",
    "the waiting calls were served in the order they were sent: 6, 7, 8, 9, 10",
    "== slow call: timeout 200 ms per attempt, retried ==",
    'list "log:" failed with TimeoutError after 3 attempts: each timed out, then retry gave up',
    "the handler saw options.signal abort 3 times and stopped reading each time",
    'so the actor was free again at once: get user:1 -> "ada"',
    "== shutdown: await server.close() ==",
    /^server closed: \d+ served, 3 failed \(the aborted scans\), 0 cancelled while queued$/,
    "a get after close -> ChannelClosedError: the caller learns at once, nothing hangs",
  ]);
});

Deno.test("kvstore: kvstore.gen.ts is what the generator writes", async () => {
  await assertGeneratedFresh("examples/kvstore", "kvstore");
});

Deno.test("kvstore: KvStoreApp stores, deletes and lists keys in order", async () => {
  const store = new KvStoreApp([["b", "2"], ["a", "1"]], { readMsPerEntry: 0 });
  store.set("c", "3");
  assert.equal(store.get("a"), "1");
  assert.equal(store.delete("b"), true);
  assert.equal(store.delete("b"), false);
  assert.equal(store.get("b"), undefined);
  assert.deepEqual(await store.list("", {}), ["a", "c"]);
  assert.equal(store.scansStarted, 1);
  assert.equal(store.scansAborted, 0);
});

Deno.test("kvstore: KvStoreApp.list stops reading when its signal aborts", async () => {
  const entries = Array.from({ length: 300 }, (_, i) => [`k${i}`, ""] as const);
  // 300 entries at 10 ms each: 3 s, unless the abort stops the scan.
  const store = new KvStoreApp(entries, { readMsPerEntry: 10 });
  const controller = new AbortController();
  const reason = new Error("caller gave up");
  const scan = store.list("k", { signal: controller.signal });
  controller.abort(reason);
  await assert.rejects(scan, (err) => err === reason);
  assert.equal(store.scansStarted, 1);
  assert.equal(store.scansAborted, 1);
});
