/**
 * The service definition: one interface, nothing else. Run `deno task gen`
 * after changing it to regenerate `hello_world.gen.ts`.
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
