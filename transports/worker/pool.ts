/**
 * {@linkcode spawnWorker}: a service in one worker or a balanced pool of
 * them, replacing workers that die.
 *
 * @module
 */

import {
  type CallOptions,
  ChannelClosedError,
  InvalidOptionError,
  type Service,
} from "../../mod.ts";
import {
  type ConnectWorkerOptions,
  type ExitKind,
  validateOptions,
  WorkerConnection,
  type WorkerHandle,
} from "./connection.ts";
import { WorkerDiedError } from "./errors.ts";

/**
 * Options of {@linkcode spawnWorker}: those of each worker's connection,
 * plus the pool's size and how to start a worker.
 *
 * @example
 * ```ts
 * import type { SpawnWorkerOptions } from "@norpc/norpc/worker";
 *
 * const options: SpawnWorkerOptions<number> = { size: 2, capacity: 16 };
 * ```
 */
export interface SpawnWorkerOptions<Req> extends ConnectWorkerOptions<Req> {
  /**
   * How many workers: a positive integer, default 1. Above 1, each call
   * goes to the less loaded of two workers picked at random (power of two
   * choices on calls in flight plus queued), and a worker that dies is
   * replaced.
   */
  size?: number;
  /**
   * Options for `new Worker`, e.g. Deno's `deno.permissions`. `type`
   * defaults to `"module"`.
   */
  workerOptions?: WorkerOptions;
}

/**
 * A {@linkcode WorkerHandle} over a pool, with its live size.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { spawnWorker } from "@norpc/norpc/worker";
 * import assert from "node:assert/strict";
 *
 * const echoWorker = `data:application/javascript,${encodeURIComponent(`
 *   import { serviceFn } from "@norpc/norpc";
 *   import { serveWorker } from "@norpc/norpc/worker";
 *   serveWorker(serviceFn((x) => x));
 * `)}`;
 * await using pool = spawnWorker<string, string>(echoWorker, { size: 2 });
 * assert.equal(await pool.client.call("hi"), "hi");
 * assert.equal(pool.live, 2);
 * assert.equal(pool.replaced, 0);
 * ```
 */
export interface WorkerPool<Req, Res> extends WorkerHandle<Req, Res> {
  /** Workers currently starting or serving. */
  readonly live: number;
  /** Workers started to replace one that died. */
  readonly replaced: number;
}

/**
 * Runs the worker module at `url` (which calls `serveWorker`) in `size`
 * workers and returns a client for it. The client is an ordinary
 * `Service`: put a generated client or any layer on it, and the caller
 * does not know the service moved to other cores.
 *
 * Every call gets exactly one outcome: its response, or a typed error — the
 * handler's own error as it was thrown, `UncloneableError` for a request or
 * response that cannot be copied, `OverloadedError` when the parent's queue
 * is full, `TimeoutError` at the deadline, the signal's reason on abort,
 * `WorkerDiedError` when its worker died or was terminated.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param url The worker module; resolve it against `import.meta.url`.
 * @param options `size`, `capacity`, `queue`, `transfer`, `name`,
 * `workerOptions`.
 * @returns The pool: `client`, `close()`, `terminate()`, counters.
 * @throws {InvalidOptionError} on an invalid option.
 *
 * @example A doubler in a pool of two workers
 * ```ts
 * import { spawnWorker } from "@norpc/norpc/worker";
 * import assert from "node:assert/strict";
 *
 * // Usually a file: new URL("./doubler_worker.ts", import.meta.url).
 * const doublerWorker = `data:application/javascript,${encodeURIComponent(`
 *   import { serviceFn } from "@norpc/norpc";
 *   import { serveWorker } from "@norpc/norpc/worker";
 *   serveWorker(serviceFn((n) => n * 2));
 * `)}`;
 * const pool = spawnWorker<number, number>(doublerWorker, { size: 2 });
 * assert.equal(await pool.client.call(21), 42);
 * await pool.close();
 * ```
 */
export function spawnWorker<Req, Res>(
  url: string | URL,
  options?: SpawnWorkerOptions<Req>,
): WorkerPool<Req, Res> {
  if (typeof url !== "string" && !(url instanceof URL)) {
    throw new InvalidOptionError(
      "url",
      url,
      "the worker module's URL, e.g. new URL('./my_worker.ts', import.meta.url)",
    );
  }
  validateOptions(options, "spawnWorker", ["size", "workerOptions"]);
  const size = options?.size ?? 1;
  if (!(typeof size === "number" && Number.isInteger(size) && size > 0)) {
    throw new InvalidOptionError("size", size, "a positive integer");
  }
  const workerOptions = options?.workerOptions;
  if (
    workerOptions !== undefined &&
    (typeof workerOptions !== "object" || workerOptions === null)
  ) {
    throw new InvalidOptionError(
      "workerOptions",
      workerOptions,
      "options for new Worker(), such as { type: 'module' }",
    );
  }
  return new Pool<Req, Res>(url, size, options);
}

class Pool<Req, Res> implements WorkerPool<Req, Res>, Service<Req, Res> {
  readonly enforcesDeadline = true;
  readonly #url: string | URL;
  readonly #options: SpawnWorkerOptions<Req> | undefined;
  readonly #slots: WorkerConnection<Req, Res>[] = [];
  readonly #baseName: string;
  #closing: Promise<void> | undefined;
  #stopped = false;
  replaced = 0;

  constructor(
    url: string | URL,
    size: number,
    options: SpawnWorkerOptions<Req> | undefined,
  ) {
    this.#url = url;
    this.#options = options;
    this.#baseName = options?.name ?? workerName(url);
    for (let i = 0; i < size; i++) this.#slots.push(this.#start(i));
  }

  get client(): Service<Req, Res> {
    return this;
  }

  #start(index: number): WorkerConnection<Req, Res> {
    const name = (this.#options?.size ?? 1) === 1
      ? this.#baseName
      : `${this.#baseName}#${index}`;
    const worker = new Worker(this.#url, {
      type: "module",
      name,
      ...this.#options?.workerOptions,
    });
    const connection: WorkerConnection<Req, Res> = new WorkerConnection<
      Req,
      Res
    >(
      worker,
      { ...connectionOptions(this.#options), name },
      (kind) => this.#onExit(index, connection, kind),
    );
    return connection;
  }

  #onExit(
    index: number,
    connection: WorkerConnection<Req, Res>,
    kind: ExitKind,
  ): void {
    // Replace a worker that died after it served; one that never started
    // (a broken module) would only die again.
    if (
      kind === "died" && !this.#stopped && connection.wasReady &&
      this.#slots[index] === connection
    ) {
      this.replaced++;
      this.#slots[index] = this.#start(index);
    }
  }

  get live(): number {
    let live = 0;
    for (const slot of this.#slots) if (slot.live) live++;
    return live;
  }

  get inFlight(): number {
    let n = 0;
    for (const slot of this.#slots) n += slot.inFlight;
    return n;
  }

  get queued(): number {
    let n = 0;
    for (const slot of this.#slots) n += slot.queued;
    return n;
  }

  ready(): boolean {
    for (const slot of this.#slots) if (slot.ready()) return true;
    return false;
  }

  call(req: Req, options?: CallOptions): Promise<Res> {
    const slot = this.#pick();
    if (slot !== undefined) return slot.call(req, options);
    return Promise.reject(
      this.#stopped
        ? new ChannelClosedError(`${this.#baseName} is closed`, req)
        : new WorkerDiedError(
          `no live worker left in ${this.#baseName}: every worker died before it started serving (does the module call serveWorker()?)`,
          req,
        ),
    );
  }

  /** Power of two choices: the less loaded of two live workers. */
  #pick(): WorkerConnection<Req, Res> | undefined {
    if (this.#stopped) return undefined;
    const slots = this.#slots;
    const n = slots.length;
    if (n === 1) return slots[0].live ? slots[0] : undefined;
    const i = Math.floor(Math.random() * n);
    let j = Math.floor(Math.random() * (n - 1));
    if (j >= i) j++;
    const a = slots[i], b = slots[j];
    if (a.live && b.live) {
      const aReady = a.ready(), bReady = b.ready();
      if (aReady !== bReady) return aReady ? a : b;
      if (!aReady) {
        // Both busy: a worker with a free slot beats waiting in a queue.
        for (const slot of slots) if (slot.ready()) return slot;
      }
      return a.load <= b.load ? a : b;
    }
    if (a.live) return a;
    if (b.live) return b;
    let best: WorkerConnection<Req, Res> | undefined;
    for (const slot of slots) {
      if (slot.live && (best === undefined || slot.load < best.load)) {
        best = slot;
      }
    }
    return best;
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#stopped = true;
    this.#closing = Promise.all(this.#slots.map((slot) => slot.close())).then(
      () => {},
    );
    return this.#closing;
  }

  terminate(reason?: unknown): void {
    this.#stopped = true;
    for (const slot of this.#slots) slot.terminate(reason);
    this.#closing ??= Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function connectionOptions<Req>(
  options: SpawnWorkerOptions<Req> | undefined,
): ConnectWorkerOptions<Req> {
  const result: ConnectWorkerOptions<Req> = {};
  if (options?.capacity !== undefined) result.capacity = options.capacity;
  if (options?.queue !== undefined) result.queue = options.queue;
  if (options?.transfer !== undefined) result.transfer = options.transfer;
  return result;
}

function workerName(url: string | URL): string {
  const path = String(url).split(/[?#]/)[0];
  return path.slice(path.lastIndexOf("/") + 1) || String(url);
}
