/** Prime numbers, the CPU-heavy way: a sieve of Eratosthenes per call. */
export interface Primes {
  /** How many primes are below `limit`. */
  countBelow(limit: number): number;
  /** The largest prime below `limit`, or 0 when there is none. */
  largestBelow(limit: number): number;
}
