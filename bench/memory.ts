/**
 * Memory: sends 1,000,000 requests through `spawn` and prints the heap used
 * after a full GC at 100k and at 1M requests. It must stay flat: nothing per
 * request may outlive the request.
 *
 * Requests go in batches of 256 concurrent calls, through a default server
 * (the synchronous dispatch path) and through an actor (`concurrency: 1`,
 * so all but one request of a batch wait in the channel).
 *
 * Usage: `deno run --v8-flags=--expose-gc bench/memory.ts [--json]`
 *
 * @module
 */
import { serviceFn, spawn } from "../mod.ts";

/** Heap figures of one server configuration. */
export interface MemoryResult {
  /** Configuration name. */
  name: string;
  /** Heap used after GC, in bytes, after 100,000 requests. */
  heapAt100k: number;
  /** Heap used after GC, in bytes, after 1,000,000 requests. */
  heapAt1M: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  gc!();
  gc!();
  return Deno.memoryUsage().heapUsed;
}

const BATCH = 256;
const TOTAL = 1_000_000;

async function measure(
  name: string,
  concurrency: number,
): Promise<MemoryResult> {
  const { client, server } = spawn(serviceFn((n: number) => n + 1), {
    concurrency,
  });
  const pending: Promise<number>[] = new Array(BATCH);
  let sent = 0;
  let heapAt100k = 0;
  while (sent < TOTAL) {
    for (let i = 0; i < BATCH; i++) pending[i] = client.call(sent + i);
    for (let i = 0; i < BATCH; i++) {
      const res = await pending[i];
      if (res !== sent + i + 1) throw new Error(`${name}: wrong response`);
    }
    const before = sent;
    sent += BATCH;
    if (before < 100_000 && sent >= 100_000) heapAt100k = heapAfterGc();
  }
  pending.fill(undefined as unknown as Promise<number>);
  const heapAt1M = heapAfterGc();
  await server.close();
  if (server.served !== sent) {
    throw new Error(`${name}: served ${server.served} of ${sent}`);
  }
  return { name, heapAt100k, heapAt1M };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

if (import.meta.main) {
  if (gc === undefined) {
    console.error(
      "memory.ts needs the GC exposed: deno run --v8-flags=--expose-gc bench/memory.ts",
    );
    Deno.exit(2);
  }
  const results = [
    await measure("spawn, default options", Infinity),
    await measure("spawn, concurrency 1", 1),
  ];
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(results));
  } else {
    for (const r of results) {
      const growth = r.heapAt1M - r.heapAt100k;
      console.log(
        `${r.name}: heap after GC ${mb(r.heapAt100k)} at 100k requests, ` +
          `${mb(r.heapAt1M)} at 1M (${growth >= 0 ? "+" : ""}${
            (growth / 1024).toFixed(0)
          } KiB)`,
      );
    }
  }
}
