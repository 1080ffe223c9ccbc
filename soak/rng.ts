/**
 * A small seeded pseudo-random generator for the soak run and the
 * reliability tests: the same seed gives the same sequence on every machine,
 * so a failing run can be replayed from its seed.
 *
 * @module
 */

/**
 * mulberry32: 32 bits of state, period 2^32, good enough statistical quality
 * for choosing faults (not for cryptography).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "./rng.ts";
 *
 * const a = new Rng(42);
 * const b = new Rng(42);
 * assert.equal(a.next(), b.next()); // the same seed, the same sequence
 * assert.notEqual(new Rng(43).next(), new Rng(42).next());
 * const die = a.range(1, 6);
 * assert.ok(Number.isInteger(die) && die >= 1 && die <= 6);
 * ```
 */
export class Rng {
  #state: number;

  /** @param seed Any number; only its low 32 bits are used. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in `[0, 1)`. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in `[0, n)`. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in `[lo, hi]`. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /**
   * One key of a table of weights, chosen with probability proportional to
   * its weight.
   */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    for (const k of keys) total += weights[k];
    let r = this.next() * total;
    for (const k of keys) {
      r -= weights[k];
      if (r < 0) return k;
    }
    return keys[keys.length - 1];
  }
}
