/**
 * The server side of a channel: {@linkcode serve} runs a loop that hands each
 * request to a service, with a concurrency limit, graceful close and abort;
 * {@linkcode spawn} creates channel, server and client in one call.
 *
 * @module
 */

import {
  channel,
  type ChannelCore,
  type Consumer,
  CORE,
  type Receiver,
} from "./channel.ts";
import {
  type Client,
  connect,
  type DirectConsumer,
  Envelope,
} from "./client.ts";
import {
  ChannelClosedError,
  HandlerError,
  InvalidOptionError,
} from "./errors.ts";
import { assertService, type CallOptions, type Service } from "./service.ts";

/**
 * Options of {@linkcode serve}.
 *
 * @example
 * ```ts
 * import type { ServeOptions } from "@norpc/norpc";
 *
 * const actor: ServeOptions = { concurrency: 1 }; // one request at a time
 * ```
 */
export interface ServeOptions {
  /**
   * Most requests handled at once: a positive integer, or `Infinity` (the
   * default). `1` makes the service an actor: its state needs no locks.
   * The rest wait in the bounded channel, where callers feel the
   * backpressure. (The `concurrencyLimit` layer is for a limit inside a
   * stack — shared by several callers, or paired with `loadShed` through
   * `ready()`.)
   */
  concurrency?: number;
}

/**
 * A running server loop. Close it gracefully with {@linkcode Server.close}
 * (or `await using`), or stop it at once with {@linkcode Server.abort}.
 *
 * Every request gets exactly one outcome, so the counters add up: each
 * request that reached the channel ends as `served`, `failed`, `cancelled`
 * or `rejected`, or is still `queued` or `inFlight`.
 *
 * @example
 * ```ts
 * import { serviceFn, spawn } from "@norpc/norpc";
 *
 * const { client, server } = spawn(serviceFn((n: number) => n * 2));
 * await client.call(1);
 * console.log(server.served); // 1
 * await server.close();
 * ```
 */
export interface Server extends AsyncDisposable {
  /**
   * Stops intake (new calls reject `ChannelClosedError`), handles what is
   * queued, and resolves once every in-flight request has settled.
   * Calling it again returns the same promise.
   */
  close(): Promise<void>;
  /**
   * Stops at once: new and queued requests reject `ChannelClosedError` (with
   * `reason` as cause), running handlers see their `options.signal` abort.
   * Resolves once the running handlers have settled.
   *
   * @param reason Why; becomes the `cause` of the errors and the handlers'
   * `signal.reason`.
   */
  abort(reason?: unknown): Promise<void>;
  /** Resolves when the server has stopped and every handler has settled. */
  readonly closed: Promise<void>;
  /** Requests waiting in the channel. */
  readonly queued: number;
  /** Requests whose handler is running. */
  readonly inFlight: number;
  /** Requests answered with a response. */
  readonly served: number;
  /** Requests whose handler threw or rejected. */
  readonly failed: number;
  /** Requests the caller aborted before their handler started. */
  readonly cancelled: number;
  /** Queued requests rejected because the server was aborted. */
  readonly rejected: number;
}

type State = "open" | "closing" | "stopped";

class ServerLoop<Req, Res>
  implements Server, Consumer<Envelope<Req, Res>>, DirectConsumer<Req, Res> {
  readonly #queue: ChannelCore<Envelope<Req, Res>>;
  readonly #service: Service<Req, Res>;
  readonly #concurrency: number;
  readonly #stop = new AbortController();
  readonly #options: CallOptions;
  readonly #closed = Promise.withResolvers<void>();
  /** Running requests that carry a caller signal (see Envelope.startRun). */
  readonly #signalled = new Set<Envelope<Req, Res>>();
  #state: State = "open";
  #draining = false;
  inFlight = 0;
  served = 0;
  failed = 0;
  cancelled = 0;
  rejected = 0;

  constructor(
    queue: ChannelCore<Envelope<Req, Res>>,
    service: Service<Req, Res>,
    concurrency: number,
  ) {
    this.#queue = queue;
    this.#service = service;
    this.#concurrency = concurrency;
    this.#options = Object.freeze({ signal: this.#stop.signal });
    this.closed = this.#closed.promise;
    queue.consumer = this;
    this.#drain();
    if (queue.closed) this.onClose();
  }

  readonly closed: Promise<void>;

  get queued(): number {
    return this.#queue.size;
  }

  // Consumer: called synchronously by the channel while its queue is empty.
  offer(envelope: Envelope<Req, Res>): boolean {
    if (this.inFlight >= this.#concurrency) return false;
    this.#dispatch(envelope);
    return true;
  }

  // DirectConsumer: a call with no signal while the queue is empty.
  callNow(req: Req): Promise<Res> | undefined {
    if (this.inFlight >= this.#concurrency) return undefined;
    this.inFlight++;
    let result: Promise<Res>;
    try {
      result = this.#service.call(req, this.#options);
      if (!(result instanceof Promise)) result = Promise.resolve(result);
    } catch (err) {
      result = Promise.reject(err);
    }
    return result.then(this.#directOk, this.#directErr);
  }

  readonly #directOk = (value: Res): Res => {
    this.inFlight--;
    this.served++;
    if (this.#queue.size > 0) this.#drain();
    this.#maybeStop();
    return value;
  };

  readonly #directErr = (err: unknown): never => {
    this.inFlight--;
    this.failed++;
    if (this.#queue.size > 0) this.#drain();
    this.#maybeStop();
    throw err instanceof Error ? err : new HandlerError(err);
  };

  onWithdraw(): void {
    this.cancelled++;
  }

  onClose(): void {
    if (this.#state === "open") this.#state = "closing";
    this.#maybeStop();
  }

  #dispatch(envelope: Envelope<Req, Res>): void {
    if (!(envelope instanceof Envelope)) {
      // Only an untyped caller gets here (tx.send(value) beside connect(tx)):
      // there is no caller to answer, so the value is counted and reported,
      // never handed to the service, and the loop goes on.
      this.failed++;
      reportError(
        new TypeError(
          `serve() received ${
            Object.prototype.toString.call(envelope)
          } instead of a request envelope: send requests with connect(tx).call(req), not tx.send(req)`,
        ),
      );
      return;
    }
    if (envelope.settled) {
      this.cancelled++;
      return;
    }
    this.inFlight++;
    let options = this.#options;
    if (envelope.signal !== undefined) {
      this.#signalled.add(envelope);
      options = { signal: envelope.startRun() };
    }
    let result: Promise<Res>;
    try {
      result = this.#service.call(envelope.req, options);
    } catch (err) {
      result = Promise.reject(err);
    }
    if (
      result === null || typeof result !== "object" ||
      typeof result.then !== "function"
    ) {
      result = Promise.resolve(result);
    }
    result.then(
      (value) => this.#settle(envelope, true, value),
      (err) => this.#settle(envelope, false, err),
    );
  }

  #settle(envelope: Envelope<Req, Res>, ok: boolean, outcome: unknown): void {
    this.inFlight--;
    if (envelope.signal !== undefined) this.#signalled.delete(envelope);
    if (ok) {
      this.served++;
      envelope.resolve(outcome as Res);
    } else {
      this.failed++;
      envelope.reject(outcome);
    }
    if (this.#queue.size > 0) this.#drain();
    this.#maybeStop();
  }

  /** Dispatches queued requests while there is capacity, in one turn. */
  #drain(): void {
    if (this.#draining) return; // a handler re-entered us synchronously
    this.#draining = true;
    const queue = this.#queue;
    try {
      while (this.inFlight < this.#concurrency && queue.size > 0) {
        this.#dispatch(queue.shift());
      }
    } finally {
      this.#draining = false;
    }
  }

  #maybeStop(): void {
    if (
      this.#state === "closing" && this.inFlight === 0 &&
      this.#queue.size === 0
    ) {
      this.#state = "stopped";
      this.#queue.consumer = undefined;
      this.#closed.resolve();
    }
  }

  close(): Promise<void> {
    this.#queue.close(); // calls onClose() through the Consumer hook
    return this.closed;
  }

  abort(reason?: unknown): Promise<void> {
    const why = reason ?? new DOMException("server aborted", "AbortError");
    this.#queue.close(why);
    for (const envelope of this.#queue.drainAll()) {
      if (envelope.settled) {
        this.cancelled++;
        continue;
      }
      this.rejected++;
      envelope.reject(
        new ChannelClosedError(
          "request dropped: the server was aborted before handling it",
          envelope.req,
          { cause: why },
        ),
      );
    }
    if (!this.#stop.signal.aborted) {
      this.#stop.abort(why);
      for (const envelope of this.#signalled) envelope.abortRun(why);
    }
    this.#maybeStop();
    return this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Serves `service` on the receiving half of a channel: every envelope sent
 * through the channel is handed to `service.call` with at most `concurrency`
 * running at once. While the server has capacity and its queue is empty, a
 * request is dispatched synchronously, without waiting for a tick.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param receiver The receiver of a channel of envelopes; the server owns it
 * from now on.
 * @param service Handles the requests (a handler, or a stack of layers).
 * @param options `concurrency` (default `Infinity`).
 * @returns The running server.
 * @throws {InvalidOptionError} when `options` is not an object, when
 * `concurrency` is not a positive integer or `Infinity`, or when `receiver` is
 * already being served.
 * @throws {TypeError} when `receiver` is not a channel's receiver or
 * `service` is not a service. A value sent on the channel that is not a
 * request envelope (`tx.send(x)` instead of `connect(tx).call(x)`) is counted
 * in `failed` and reported with `reportError`, never handed to the service.
 *
 * @example An actor: one request at a time, state without locks
 * ```ts
 * import { channel, connect, type Envelope, serve, serviceFn } from "@norpc/norpc";
 *
 * let count = 0;
 * const [tx, rx] = channel<Envelope<void, number>>(1024);
 * const server = serve(rx, serviceFn(() => ++count), { concurrency: 1 });
 * const counter = connect(tx);
 * await Promise.all([counter.call(), counter.call(), counter.call()]);
 * console.log(count); // 3
 * await server.close();
 * ```
 */
export function serve<Req, Res>(
  receiver: Receiver<Envelope<Req, Res>>,
  service: Service<Req, Res>,
  options?: ServeOptions,
): Server {
  if (
    receiver === null || typeof receiver !== "object" || !(CORE in receiver)
  ) {
    throw new TypeError(
      "serve() expects the receiver of a norpc channel: const [tx, rx] = channel(n); serve(rx, service)",
    );
  }
  assertService(service, "serve()");
  validateOptions("serve options", options);
  // Only an absent option means the default: null is an invalid value.
  const concurrency = options?.concurrency === undefined
    ? Infinity
    : options.concurrency;
  validateConcurrency(concurrency);
  const queue = receiver[CORE];
  if (queue.consumer !== undefined) {
    throw new InvalidOptionError(
      "receiver",
      "a receiver that is already served",
      "a receiver no other server is serving (close that server first)",
    );
  }
  return new ServerLoop(queue, service, concurrency);
}

/**
 * Options of {@linkcode spawn}.
 *
 * @example
 * ```ts
 * import type { SpawnOptions } from "@norpc/norpc";
 *
 * const options: SpawnOptions = { capacity: 256, concurrency: 1 };
 * ```
 */
export interface SpawnOptions extends ServeOptions {
  /** Channel capacity: a positive integer or `Infinity`; default 1024. */
  capacity?: number;
}

/**
 * A spawned service: the client to call it and the server to close it.
 * Disposing it closes the server gracefully, so `await using` works without
 * destructuring.
 *
 * @example
 * ```ts
 * import { serviceFn, spawn } from "@norpc/norpc";
 *
 * {
 *   await using upper = spawn(serviceFn((s: string) => s.toUpperCase()));
 *   console.log(await upper.client.call("hi")); // "HI"
 * } // upper.server.close() ran here
 * ```
 */
export interface Spawned<Req, Res> extends AsyncDisposable {
  /** Calls the service through its channel. */
  readonly client: Client<Req, Res>;
  /** The server loop. */
  readonly server: Server;
}

/**
 * Creates a channel, serves `service` on it and connects a client: the
 * one-call way to run a service.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param service The service to run.
 * @param options `capacity` (default 1024) and `concurrency` (default
 * `Infinity`).
 * @returns The client and the server.
 * @throws {InvalidOptionError} when `options` is not an object, or on an
 * invalid `capacity` or `concurrency`.
 * @throws {TypeError} when `service` is not a service.
 *
 * @example
 * ```ts
 * import { serviceFn, spawn } from "@norpc/norpc";
 *
 * const { client, server } = spawn(serviceFn((name: string) => `Hello, ${name}!`));
 * console.log(await client.call("world")); // "Hello, world!"
 * await server.close();
 * ```
 */
export function spawn<Req, Res>(
  service: Service<Req, Res>,
  options?: SpawnOptions,
): Spawned<Req, Res> {
  assertService(service, "spawn()");
  validateOptions("spawn options", options);
  if (options?.concurrency !== undefined) {
    validateConcurrency(options.concurrency);
  }
  const [tx, rx] = channel<Envelope<Req, Res>>(
    options?.capacity === undefined ? 1024 : options.capacity,
  );
  const server = serve(rx, service, options);
  return {
    client: connect(tx),
    server,
    [Symbol.asyncDispose]: () => server.close(),
  };
}

function validateConcurrency(concurrency: unknown): void {
  if (
    typeof concurrency !== "number" ||
    !(concurrency === Infinity ||
      (Number.isInteger(concurrency) && concurrency > 0))
  ) {
    throw new InvalidOptionError(
      "concurrency",
      concurrency,
      "a positive integer or Infinity",
    );
  }
}

/** An absent options argument means the defaults; anything else but an object is a mistake. */
function validateOptions(option: string, options: unknown): void {
  if (
    options !== undefined &&
    (options === null || typeof options !== "object" || Array.isArray(options))
  ) {
    throw new InvalidOptionError(
      option,
      options,
      "an options object such as { concurrency: 1 }, or nothing",
    );
  }
}
