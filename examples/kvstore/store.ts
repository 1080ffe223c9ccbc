/**
 * The key-value store's implementation: a plain class implementing the
 * generated {@linkcode KvStoreHandler}.
 *
 * @module
 */

import type { CallOptions } from "@norpc/norpc";
import type { KvStoreHandler } from "./kvstore.gen.ts";

/** Options of {@linkcode KvStoreApp}. */
export interface KvStoreAppOptions {
  /**
   * Simulated storage latency: milliseconds to read one entry during a
   * `list`. Defaults to `0.5`, so listing 1,000 entries takes 500 ms.
   */
  readMsPerEntry?: number;
}

/**
 * An in-memory key-value store, written to be served as an actor (with
 * `concurrency: 1`): the server hands it one call at a time, so its `Map`
 * is never touched by two calls at once, not even while `list` awaits
 * storage. That is why there is no lock anywhere in this class.
 *
 * @example
 * ```ts
 * import { spawn } from "@norpc/norpc";
 * import { KvStoreClient, kvStoreServer } from "./kvstore.gen.ts";
 * import { KvStoreApp } from "./store.ts";
 *
 * const { client, server } = spawn(kvStoreServer(new KvStoreApp()), {
 *   concurrency: 1,
 * });
 * const kv = new KvStoreClient(client);
 * await kv.set("greeting", "hello");
 * console.log(await kv.get("greeting")); // "hello"
 * await server.close();
 * ```
 */
export class KvStoreApp implements KvStoreHandler {
  readonly #entries: Map<string, string>;
  readonly #readMsPerEntry: number;
  #scansStarted = 0;
  #scansAborted = 0;

  /**
   * @param entries The store's initial contents.
   * @param options Simulated storage latency.
   */
  constructor(
    entries: Iterable<readonly [string, string]> = [],
    options: KvStoreAppOptions = {},
  ) {
    this.#entries = new Map(entries);
    this.#readMsPerEntry = options.readMsPerEntry ?? 0.5;
  }

  /** `list` calls that began reading from storage. */
  get scansStarted(): number {
    return this.#scansStarted;
  }

  /** `list` calls that stopped early because their caller gave up. */
  get scansAborted(): number {
    return this.#scansAborted;
  }

  /** Reads a key. */
  get(key: string): string | undefined {
    return this.#entries.get(key);
  }

  /** Writes a key. */
  set(key: string, value: string): void {
    this.#entries.set(key, value);
  }

  /** Removes a key; true when it was there. */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /**
   * Lists keys by prefix, reading the matching entries from (simulated)
   * storage 100 at a time.
   *
   * The read waits on `options.signal`: when the caller gives up (its
   * timeout fires, or it aborts), the scan stops at once instead of finishing
   * work nobody will see. For an actor that matters twice over, because
   * every other call is queued behind the scan.
   *
   * @param prefix Only keys starting with it.
   * @param options The call's options; `signal` stops the scan.
   * @returns The matching keys, sorted.
   */
  async list(prefix: string, options: CallOptions): Promise<string[]> {
    const keys = [...this.#entries.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort();
    this.#scansStarted++;
    try {
      for (let i = 0; i < keys.length; i += 100) {
        const page = Math.min(100, keys.length - i);
        await sleep(page * this.#readMsPerEntry, options.signal);
      }
    } catch (err) {
      if (options.signal?.aborted) this.#scansAborted++;
      throw err;
    }
    return keys;
  }
}

/**
 * Resolves after `ms` milliseconds, or rejects with `signal.reason` as soon
 * as `signal` aborts; either way no timer or listener is left behind.
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
