/**
 * A key-value store served as an actor, with layers on both sides of its
 * channel: the server limits how fast calls reach the store, the client
 * bounds how long it waits and retries what timed out.
 *
 * Run it with `deno run examples/kvstore/main.ts` (no permissions needed).
 *
 * @module
 */

import {
  ChannelClosedError,
  ServiceBuilder,
  spawn,
  TimeoutError,
} from "@norpc/norpc";
import {
  concurrencyLimit,
  rateLimit,
  retry,
  timeout,
} from "@norpc/norpc/layers";
import {
  KvStoreClient,
  type KvStoreRequest,
  type KvStoreResponse,
  kvStoreServer,
} from "./kvstore.gen.ts";
import { KvStoreApp } from "./store.ts";

/** Server side: calls let through per `RATE_PER` ms. */
const RATE = 5;
const RATE_PER = 100;
/** Client side: the limit on each attempt, and how many attempts a call gets. */
const TIMEOUT_MS = 200;
const ATTEMPTS = 3;
/** Entries under `log:`: reading them all takes 1,000 × 0.5 ms = 500 ms. */
const LOG_ENTRIES = 1000;

function section(title: string): void {
  console.log(`\n== ${title} ==`);
}

/** Resolves after `ms` milliseconds. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the demo, printing what happens and why. */
async function main(): Promise<void> {
  // A store preloaded with a big `log:` prefix, so listing it is slow.
  const logs = Array.from(
    { length: LOG_ENTRIES },
    (_, i) => [`log:${String(i).padStart(4, "0")}`, `event ${i}`] as const,
  );
  const store = new KvStoreApp(logs);

  // Server side, outermost first. rateLimit makes callers wait their turn
  // rather than fail, so a burst is smoothed instead of rejected.
  // concurrencyLimit(1) is the handler's own guarantee that it never runs two
  // calls at once (its Map has no lock): `concurrency: 1` below already
  // ensures that here, but the layer keeps the guarantee with the handler
  // wherever this stack is served.
  const serverStack = new ServiceBuilder<KvStoreRequest, KvStoreResponse>()
    .layer(rateLimit({ requests: RATE, per: RATE_PER }))
    .layer(concurrencyLimit(1))
    .service(kvStoreServer(store));
  // concurrency: 1 makes the server an actor: one call at a time, the rest
  // wait in its bounded channel, in order.
  const { client: channelClient, server } = spawn(serverStack, {
    concurrency: 1,
    capacity: 64,
  });

  // Client side, wrapping the channel client before the typed client is
  // built over it. timeout is inside retry, so it limits each attempt and a
  // timed-out attempt is retried. Retrying is safe because every KvStore
  // call is idempotent (a retried delete may answer false: the first attempt
  // removed the key). The timeout covers time queued on the server too: a
  // caller cannot tell a slow store from a busy one, and need not.
  // onRetry sees each failed attempt as it happens (retry rejects with the
  // last error only, unchanged), here to count the attempts of a slow list.
  let retries = 0;
  const kv = new KvStoreClient(
    new ServiceBuilder<KvStoreRequest, KvStoreResponse>()
      .layer(retry({
        attempts: ATTEMPTS,
        base: 10,
        onRetry: () => void retries++,
      }))
      .layer(timeout(TIMEOUT_MS))
      .service(channelClient),
  );

  console.log("kvstore: a key-value store served as an actor");
  console.log(
    `server side: rateLimit ${RATE} per ${RATE_PER} ms, concurrencyLimit 1, concurrency 1 (one call at a time)`,
  );
  console.log(
    `client side: retry up to ${ATTEMPTS} attempts, timeout ${TIMEOUT_MS} ms per attempt`,
  );

  try {
    section("basics: typed calls through the channel");
    await kv.set("user:1", "ada");
    await kv.set("user:2", "grace");
    await kv.set("user:3", "linus");
    console.log("set user:1 = ada, user:2 = grace, user:3 = linus");
    console.log(`get user:1 -> ${JSON.stringify(await kv.get("user:1"))}`);
    console.log(`list "user:" -> ${(await kv.list("user:")).join(", ")}`);
    console.log(`delete user:3 -> ${await kv.delete("user:3")} (it was there)`);
    console.log(
      `delete user:3 -> ${await kv.delete("user:3")} (already gone)`,
    );
    console.log(`get user:3 -> ${await kv.get("user:3")}`);

    section("actor: one call at a time, so no locks");
    // A quiet spell refills the token bucket, so neither call below waits
    // for the rate limit and only the actor decides their order.
    await sleep(RATE_PER);
    // The list awaits storage; a set is instant. Were the store not an
    // actor, the set would finish first, in the middle of the list's scan.
    const finished: string[] = [];
    await Promise.all([
      kv.list("user:").then(() => finished.push("list")),
      kv.set("user:4", "barbara").then(() => finished.push("set")),
    ]);
    console.log(
      `list "user:" and set user:4 sent together: ${
        finished[0]
      } finished first, then ${finished[1]}`,
    );
    console.log(
      "the set waited in the channel while the list awaited storage: the store's Map is never used by two calls at once",
    );

    section(`burst: rateLimit ${RATE} per ${RATE_PER} ms`);
    await sleep(RATE_PER); // the bucket fills up again
    const order: number[] = [];
    const burst = Array.from(
      { length: 10 },
      (_, i) => kv.get("user:1").then(() => order.push(i + 1)),
    );
    // Calls that found a token are answered within this turn of the event
    // loop; the others wait for the bucket to refill.
    await sleep(0);
    const atOnce = order.length;
    await Promise.all(burst);
    console.log(
      `burst of 10 gets: ${atOnce} served at once, ${
        10 - atOnce
      } waited for tokens (rateLimit ${RATE} per ${RATE_PER} ms)`,
    );
    console.log(
      `the waiting calls were served in the order they were sent: ${
        order.slice(atOnce).join(", ")
      }`,
    );
    console.log(
      "none failed: a rate limit delays calls, it does not drop them",
    );

    section(`slow call: timeout ${TIMEOUT_MS} ms per attempt, retried`);
    console.log(
      `list "log:" reads ${LOG_ENTRIES} entries from storage (about 500 ms), longer than the timeout`,
    );
    retries = 0;
    const failure = await kv.list("log:").then(
      () => new Error(`list "log:" should have timed out`),
      (err: unknown) => err,
    );
    if (!(failure instanceof TimeoutError)) throw failure;
    // retry gives up with the last attempt's error; onRetry counted the
    // attempts before it.
    const attempts = 1 + retries;
    console.log(
      `list "log:" failed with TimeoutError after ${attempts} attempts: each timed out, then retry gave up`,
    );
    console.log(
      `the handler saw options.signal abort ${store.scansAborted} times and stopped reading each time`,
    );
    console.log(
      `so the actor was free again at once: get user:1 -> ${
        JSON.stringify(await kv.get("user:1"))
      }`,
    );
  } finally {
    // Stops intake, lets queued and running calls finish, then resolves.
    await server.close();
  }

  section("shutdown: await server.close()");
  console.log(
    `server closed: ${server.served} served, ${server.failed} failed (the aborted scans), ${server.cancelled} cancelled while queued`,
  );
  try {
    await kv.get("user:1");
  } catch (err) {
    if (!(err instanceof ChannelClosedError)) throw err;
    console.log(
      "a get after close -> ChannelClosedError: the caller learns at once, nothing hangs",
    );
  }
}

if (import.meta.main) {
  await main();
}
