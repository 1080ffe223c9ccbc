/**
 * The service definition: one interface, nothing else. After changing it,
 * regenerate `hello_world.gen.ts` (from the repository root):
 *
 * ```sh
 * deno run --allow-read --allow-write codegen/main.ts examples/hello_world/hello_world.ts
 * ```
 *
 * @module
 */

/** Greets whoever asks. */
export interface HelloWorld {
  /**
   * Says hello.
   *
   * @param s Who to greet.
   * @returns The greeting.
   */
  hello(s: string): string;
}
