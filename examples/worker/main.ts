/**
 * A CPU-bound service moved from the event loop into a pool of two Workers:
 * the caller (`report`) and the handler (`PrimeSieve`) do not change; only
 * the line that starts the service does.
 *
 * Run it with `deno task example:worker` (or
 * `deno run examples/worker/main.ts`).
 *
 * @module
 */

import { type Service, spawn } from "@norpc/norpc";
import { spawnWorker } from "@norpc/norpc/worker";
import {
  PrimesClient,
  type PrimesRequest,
  type PrimesResponse,
  primesServer,
} from "./primes.gen.ts";
import { PrimeSieve } from "./sieve.ts";

/** The caller: knows the generated client, not where the service runs. */
export async function report(
  service: Service<PrimesRequest, PrimesResponse>,
): Promise<string[]> {
  const primes = new PrimesClient(service);
  const limits = [1_000, 100_000, 1_000_000, 2_000_000];
  // All calls in flight at once: a pool spreads them over its workers.
  const counts = await Promise.all(limits.map((n) => primes.countBelow(n)));
  const largest = await primes.largestBelow(1_000_000);
  return [
    ...limits.map((n, i) => `${counts[i]} primes below ${n}`),
    `largest prime below 1000000: ${largest}`,
  ];
}

/** Runs the service in-process, then in two Workers; returns both reports. */
export async function run(): Promise<{ inProcess: string[]; pool: string[] }> {
  // Before: on this event loop.
  const local = spawn(primesServer(new PrimeSieve()));
  const inProcess = await report(local.client);
  await local.server.close();

  // After: the one changed line — the same service in a pool of 2 Workers.
  const pool = spawnWorker<PrimesRequest, PrimesResponse>(
    new URL("./primes_worker.ts", import.meta.url),
    { size: 2 },
  );
  try {
    return { inProcess, pool: await report(pool.client) };
  } finally {
    await pool.close();
  }
}

if (import.meta.main) {
  const { inProcess, pool } = await run();
  console.log("in-process:");
  for (const line of inProcess) console.log(`  ${line}`);
  console.log("pool of 2 Workers:");
  for (const line of pool) console.log(`  ${line}`);
}
