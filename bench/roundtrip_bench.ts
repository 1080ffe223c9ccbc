/**
 * First benchmark: one noop round trip through norpc against the floor, a
 * direct `await handler(req)`, at 1 and at 256 concurrent requests.
 */
import { type Service, serviceFn, spawn } from "../mod.ts";

const handler = (req: number): Promise<number> => Promise.resolve(req);
const direct: Service<number, number> = { call: handler };
const norpc = spawn(serviceFn(handler));
const actor = spawn(serviceFn(handler), { concurrency: 1 });

async function verify(svc: Service<number, number>): Promise<void> {
  if ((await svc.call(7)) !== 7) throw new Error("wrong response");
}
await verify(direct);
await verify(norpc.client);
await verify(actor.client);

Deno.bench("direct call", { group: "noop c=1", baseline: true }, async () => {
  await direct.call(1);
});
Deno.bench("norpc spawn", { group: "noop c=1" }, async () => {
  await norpc.client.call(1);
});
Deno.bench("norpc spawn, concurrency 1", { group: "noop c=1" }, async () => {
  await actor.client.call(1);
});

const BATCH = 256;
const pending: Promise<number>[] = new Array(BATCH);
async function batch(svc: Service<number, number>): Promise<void> {
  for (let i = 0; i < BATCH; i++) pending[i] = svc.call(i);
  for (let i = 0; i < BATCH; i++) await pending[i];
}
Deno.bench(
  "direct call ×256",
  { group: "noop c=256", baseline: true },
  async () => {
    await batch(direct);
  },
);
Deno.bench("norpc spawn ×256", { group: "noop c=256" }, async () => {
  await batch(norpc.client);
});
Deno.bench(
  "norpc spawn, concurrency 1 ×256",
  { group: "noop c=256" },
  async () => {
    await batch(actor.client);
  },
);
