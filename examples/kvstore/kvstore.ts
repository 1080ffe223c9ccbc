/**
 * The service definition: one interface, nothing else. Regenerate
 * `kvstore.gen.ts` after changing it:
 *
 * ```sh
 * deno run --allow-read --allow-write codegen/main.ts examples/kvstore/kvstore.ts
 * ```
 *
 * @module
 */

/** A string key-value store. */
export interface KvStore {
  /**
   * Reads a key.
   *
   * @param key The key.
   * @returns Its value, or `undefined` when the key is absent.
   */
  get(key: string): string | undefined;
  /**
   * Writes a key, replacing any previous value.
   *
   * @param key The key.
   * @param value The value.
   */
  set(key: string, value: string): void;
  /**
   * Removes a key.
   *
   * @param key The key.
   * @returns Whether the key was there.
   */
  delete(key: string): boolean;
  /**
   * Lists keys by prefix. Every matching entry is read from storage, so a
   * wide prefix is slow.
   *
   * @param prefix Only keys starting with it; `""` lists every key.
   * @returns The matching keys, sorted.
   */
  list(prefix: string): string[];
}
