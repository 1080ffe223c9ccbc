/**
 * The Worker transport: the same service on more cores. A worker module
 * serves a service with {@linkcode serveWorker}; the parent runs it in one
 * worker or a balanced pool with {@linkcode spawnWorker} (or wraps a Worker
 * it made with {@linkcode connectWorker}) and gets an ordinary `Service`
 * back, so generated clients and every layer work unchanged.
 *
 * Requests and responses cross by structured clone (ArrayBuffers by
 * transfer when asked, streams always by transfer); errors cross typed;
 * the caller's abort, deadline and metadata reach the handler; a worker
 * that dies rejects its pending calls at once with `WorkerDiedError`, and a
 * pool replaces it. Web platform only: it runs in Deno and in browsers.
 *
 * @example
 * ```ts
 * import { spawnWorker } from "@norpc/norpc/worker";
 * import assert from "node:assert/strict";
 *
 * // The worker module — usually its own file, doubler_worker.ts, with
 * // `/// <reference lib="deno.worker" />` at the top.
 * const doublerWorker = `data:application/javascript,${encodeURIComponent(`
 *   import { serviceFn } from "@norpc/norpc";
 *   import { serveWorker } from "@norpc/norpc/worker";
 *   serveWorker(serviceFn((n) => n * 2));
 * `)}`;
 *
 * // The parent: new URL("./doubler_worker.ts", import.meta.url) for a file.
 * await using pool = spawnWorker<number, number>(doublerWorker, { size: 2 });
 * assert.equal(await pool.client.call(21), 42);
 * ```
 *
 * @module
 */

export { serveWorker, type ServeWorkerOptions } from "./serve.ts";
export {
  connectWorker,
  type ConnectWorkerOptions,
  type WorkerHandle,
} from "./connection.ts";
export {
  spawnWorker,
  type SpawnWorkerOptions,
  type WorkerPool,
} from "./pool.ts";
export { UncloneableError, WorkerDiedError } from "./errors.ts";
export { MalformedMessageError } from "../_wire.ts";
