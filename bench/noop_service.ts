/**
 * The service the generated-client bench case calls: one noop method.
 * `bench/noop_service.gen.ts` is generated from it (`deno task gen`).
 *
 * @module
 */

/** Answers a number with itself. */
export interface Noop {
  /**
   * Returns its argument.
   *
   * @param n Any number.
   * @returns `n`.
   */
  echo(n: number): number;
}
