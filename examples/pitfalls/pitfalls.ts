/**
 * The services of the actor-pitfalls example (see `main.ts`).
 *
 * @module
 */

/** A slow worker. */
export interface Worker {
  /** Works for `ms` milliseconds, then returns `job`. */
  work(job: number, ms: number): number;
}

/** A counter whose `report` calls back into the counter itself. */
export interface Counter {
  /** Adds one and returns the count. */
  increment(): number;
  /** Increments through its own client, then reports the count. */
  report(): string;
}

/** Greets, optionally with another greeting. */
export interface Greeter {
  /** `greeting` defaults to "Hello". */
  greet(name: string, greeting?: string): string;
}
