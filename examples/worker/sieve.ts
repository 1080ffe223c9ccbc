/**
 * The implementation: a sieve of Eratosthenes per call, a few milliseconds
 * of pure CPU for a limit in the millions — the kind of handler that stalls
 * every other service on the event loop.
 *
 * @module
 */

import type { PrimesHandler } from "./primes.gen.ts";

/** Marks the composites below `limit`; index i is 1 when i is composite. */
function sieve(limit: number): Uint8Array {
  const composite = new Uint8Array(Math.max(limit, 2));
  composite[0] = composite[1] = 1;
  for (let i = 2; i * i < limit; i++) {
    if (composite[i]) continue;
    for (let j = i * i; j < limit; j += i) composite[j] = 1;
  }
  return composite;
}

/** The prime service's handler: the same class in-process or in a Worker. */
export class PrimeSieve implements PrimesHandler {
  countBelow(limit: number): number {
    const composite = sieve(limit);
    let count = 0;
    for (let i = 0; i < limit; i++) if (!composite[i]) count++;
    return count;
  }

  largestBelow(limit: number): number {
    const composite = sieve(limit);
    for (let i = limit - 1; i >= 2; i--) if (!composite[i]) return i;
    return 0;
  }
}
