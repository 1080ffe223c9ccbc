/**
 * A counter, to exercise the basics: several methods, optional parameters,
 * `void` and `Promise<T>` results, JSDoc carried to the client.
 *
 * @module
 */

/**
 * Counts things.
 *
 * The count starts at zero.
 */
export interface Counter {
  /**
   * Adds to the count.
   *
   * @param n How much to add (default 1).
   * @returns The new count.
   */
  add(n?: number): number;
  /** The current count. */
  get(): Promise<number>;
  /** Sets the count to zero. */
  reset(): void;
  /** Waits until `ms` elapse or the call is aborted. */
  sleep(ms: number): Promise<void>;
  /** Fails with the given message. */
  fail(message: string, sync: boolean): Promise<never>;
}
