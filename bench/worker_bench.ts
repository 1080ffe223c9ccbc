/**
 * The Worker transport: a round trip through `spawnWorker` against a bare
 * `postMessage` echo (an id and a resolver map: the least a correct RPC
 * needs) and comlink over the same kind of Worker, one at a time and 256 in
 * flight; and a CPU-bound handler (1 ms of spinning per request) in-process
 * against pools of 1, 2 and 4 workers, 16 requests in flight.
 *
 * Targets (issue 14): spawnWorker ≤ 1.3× the raw echo sequentially and
 * ≤ 1.5× with 256 in flight, faster than comlink; a pool of 2 ≥ 1.8× the
 * in-process throughput on a 2-core machine.
 *
 * @module
 */
import * as Comlink from "comlink";
import { serviceFn, spawn } from "../mod.ts";
import { spawnWorker } from "../transports/worker/mod.ts";
import { batch, type Callable, sequential, verifyEcho } from "./harness.ts";

const WORKER = new URL("./worker_bench_worker.ts", import.meta.url);

/** A bare postMessage echo with an id per call and a resolver map. */
function rawEcho(): Callable<number, number> & { close(): void } {
  const worker = new Worker(WORKER, { type: "module", name: "raw" });
  const waiting = new Map<number, (v: number) => void>();
  let nextId = 0;
  worker.onmessage = (event: MessageEvent<{ id: number; v: number }>) => {
    const resolve = waiting.get(event.data.id)!;
    waiting.delete(event.data.id);
    resolve(event.data.v);
  };
  return {
    call(v: number): Promise<number> {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ id, v });
      });
    },
    close: () => worker.terminate(),
  };
}

/**
 * The stretch goal's ceiling: one number through a SharedArrayBuffer with
 * `Atomics.waitAsync` in the parent (no serialization, one call at a time).
 * A real shared-memory lane would add encoding on top of this.
 */
async function sharedMemoryPing(): Promise<
  Callable<number, number> & { close(): void }
> {
  const worker = new Worker(WORKER, { type: "module", name: "sab" });
  const a = new Int32Array(new SharedArrayBuffer(8));
  await new Promise((resolve) => {
    worker.onmessage = resolve;
    worker.postMessage(a.buffer);
  });
  return {
    async call(v: number): Promise<number> {
      a[1] = v;
      Atomics.store(a, 0, 1);
      Atomics.notify(a, 0);
      const wait = Atomics.waitAsync(a, 0, 1);
      if (wait.async) await wait.value;
      const res = a[1];
      Atomics.store(a, 0, 0);
      Atomics.notify(a, 0);
      return res;
    },
    close() {
      Atomics.store(a, 0, 3);
      Atomics.notify(a, 0);
      worker.terminate();
    },
  };
}

function comlinkEcho(): Callable<number, number> & { close(): void } {
  const worker = new Worker(WORKER, { type: "module", name: "comlink" });
  const remote = Comlink.wrap<{ call(n: number): number }>(worker);
  return {
    call: (n) => remote.call(n) as Promise<number>,
    close: () => worker.terminate(),
  };
}

function norpcPool(size: number) {
  return spawnWorker<number, number>(WORKER, {
    size,
    name: "norpc",
    capacity: 256,
  });
}

const raw = rawEcho();
const comlink = comlinkEcho();
const norpc = norpcPool(1);
const echoCases: [string, Callable<number, number>][] = [
  ["raw postMessage echo", raw],
  ["norpc spawnWorker", norpc.client],
  ["comlink over a Worker", comlink],
];
for (const [name, svc] of echoCases) await verifyEcho(name, svc);
const shared = await sharedMemoryPing();
for (const v of [7, 0, 255]) {
  if (await shared.call(v) !== v) throw new Error("sab ping: bad reply");
}
Deno.bench(`SharedArrayBuffer ping, no encoding ×256`, {
  group: "worker round trip c=1",
}, sequential(shared, 1, 256));

const N = 256;
for (const [name, svc] of echoCases) {
  Deno.bench(`${name} ×${N}`, {
    group: "worker round trip c=1",
    baseline: name === "raw postMessage echo",
  }, sequential(svc, 1, N));
  Deno.bench(`${name} ×${N}`, {
    group: "worker round trip c=256",
    baseline: name === "raw postMessage echo",
  }, batch(svc, N, 1));
}

// CPU-bound: 16 requests of 1 ms each per iteration, all in flight.
const SPIN = -1;
const inProcess = spawn(serviceFn((n: number) => {
  const end = performance.now() - n;
  while (performance.now() < end) { /* burn CPU */ }
  return n;
}));
const pools = [1, 2, 4].map((size) => [size, norpcPool(size)] as const);
const cpuCases: [string, Callable<number, number>][] = [
  ["in-process spawn", inProcess.client],
  ...pools.map(([size, pool]) =>
    [`spawnWorker size ${size}`, pool.client] as [
      string,
      Callable<number, number>,
    ]
  ),
];
for (const [name, svc] of cpuCases) {
  if (await svc.call(SPIN) !== SPIN) throw new Error(`${name}: bad reply`);
  Deno.bench(`${name} ×16`, {
    group: "worker CPU-bound 1 ms",
    baseline: name === "in-process spawn",
    n: 30,
    warmup: 3,
  }, async () => {
    const pending: Promise<number>[] = [];
    for (let i = 0; i < 16; i++) pending.push(svc.call(SPIN));
    await Promise.all(pending);
  });
}

// End every worker once the benches ran (the process would linger otherwise).
globalThis.addEventListener("unload", () => {
  raw.close();
  shared.close();
  comlink.close();
  norpc.terminate();
  for (const [, pool] of pools) pool.terminate();
});
