/**
 * Noop round trip: norpc against the floor (a direct `await handler(req)`)
 * and against what a TypeScript user would pick instead, at concurrency 1
 * and in batches of 16 and 256 concurrent requests. A batch case times the
 * whole batch; `bench/report.ts` divides by the batch size.
 *
 * Every case is checked to echo the right responses before timing.
 */
import { serviceFn, spawn } from "../mod.ts";
import { batch, type Callable, sequential, verifyEcho } from "./harness.ts";
import * as peers from "./peers.ts";

/** The noop handler every case wraps. */
const handler = (req: number): Promise<number> => Promise.resolve(req);

const norpc = spawn(serviceFn(handler));
const actor = spawn(serviceFn(handler), { concurrency: 1 });

const cases: [name: string, svc: Callable<number, number>][] = [
  ["direct call", peers.direct(handler)],
  ["norpc spawn", norpc.client],
  ["norpc spawn, concurrency 1", actor.client],
  ["naive array queue", peers.naiveQueue(handler)],
  ["Web Streams TransformStream", peers.webStreams(handler)],
  ["MessageChannel, same thread", peers.messageChannel(handler)],
  ["birpc, no timeout", peers.birpc(handler, -1)],
  ["birpc, default 60 s timeout", peers.birpc(handler, 60_000)],
  ["Effect Queue + Deferred", peers.effect(handler)],
  ["comlink over MessageChannel", peers.comlink(handler)],
];

for (const [name, svc] of cases) await verifyEcho(name, svc);

for (const [name, svc] of cases) {
  Deno.bench(name, {
    group: "noop c=1",
    baseline: name === "direct call",
  }, sequential(svc, 1));
}
for (const size of [16, 256]) {
  for (const [name, svc] of cases) {
    Deno.bench(`${name} ×${size}`, {
      group: `noop batch ${size}`,
      baseline: name === "direct call",
    }, batch(svc, size));
  }
}
