/**
 * Three pitfalls of services that are actors (`concurrency: 1`), each shown
 * and then fixed. Run it with `deno run examples/pitfalls/main.ts`.
 *
 * @module
 */

import { OverloadedError, TimeoutError } from "@norpc/norpc";
import { loadShed, timeout } from "@norpc/norpc/layers";
import {
  type CounterClient,
  spawnCounter,
  spawnGreeter,
  spawnWorker,
} from "./pitfalls.gen.ts";

const worker = {
  work: (job: number, ms: number) =>
    new Promise<number>((resolve) => setTimeout(() => resolve(job), ms)),
};

/** Sends `n` jobs at once; counts the answers and the `OverloadedError`s. */
async function burst(call: (job: number) => Promise<number>, n: number) {
  const outcomes = await Promise.allSettled(
    Array.from({ length: n }, (_, job) => call(job)),
  );
  const shed =
    outcomes.filter((o) =>
      o.status === "rejected" && o.reason instanceof OverloadedError
    ).length;
  return `${n - shed} answered, ${shed} shed`;
}

// 1. A server-side loadShed never fires under `concurrency: 1`: the server
//    hands its stack one call at a time, so the stack is always ready; the
//    excess waits in the channel instead.
{
  await using w = spawnWorker(worker, {
    concurrency: 1,
    serverLayers: [loadShed()],
  });
  console.log(
    "1. loadShed in the server:",
    await burst((j) => w.client.work(j, 5), 5),
  );
}
//    Fix: shed on the caller's side, where a full channel is visible.
{
  await using w = spawnWorker(worker, {
    concurrency: 1,
    capacity: 2,
    clientLayers: [loadShed()],
  });
  console.log(
    "   loadShed in the client:",
    await burst((j) => w.client.work(j, 5), 5),
  );
}

// 2. An actor that calls itself deadlocks: `report` holds the only slot while
//    it waits for `increment`, which waits for that slot. norpc warns when a
//    handler passes its own options into such a call (to `onError`, here),
//    and the deadline those options carry turns the hang into an error.
let self: CounterClient | undefined;
let count = 0;
{
  await using counter = spawnCounter({
    increment: () => ++count,
    report: async (options) => `count ${await self!.increment(options)}`,
  }, {
    concurrency: 1,
    clientLayers: [timeout(50)],
    onError: (err) =>
      console.log("   norpc warned:", (err as Error).message.split(",")[0]),
  });
  self = counter.client;
  try {
    await counter.client.report();
  } catch (err) {
    console.log(
      "2. an actor calling itself:",
      err instanceof TimeoutError ? "TimeoutError" : err,
    );
  }
}
//    Fix: do the work inside the actor instead of calling through the channel.
{
  await using counter = spawnCounter({
    increment: () => ++count,
    report: () => `count ${++count}`,
  }, { concurrency: 1 });
  console.log("   doing the work in place:", await counter.client.report());
}

// 3. Options come after every declared parameter, optional ones included: to
//    pass a signal without a greeting, the greeting must be spelled
//    `undefined`.
{
  await using greeter = spawnGreeter({
    greet: (name, greeting) => `${greeting ?? "Hello"}, ${name}!`,
  });
  const { signal } = new AbortController();
  console.log(
    "3. options after an optional parameter:",
    await greeter.client.greet("ada", undefined, { signal }),
  );
  //  Fix: bind the options first; the call then takes only its arguments.
  console.log(
    "   options bound with with():",
    await greeter.with({ signal }).greet("ada"),
  );
}
