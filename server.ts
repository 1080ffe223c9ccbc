/**
 * The server side of a channel: {@linkcode serve} runs a loop that hands each
 * request to a service, with a concurrency limit, deadlines, graceful close
 * and abort; {@linkcode spawn} creates channel, server and client in one call.
 *
 * ## The call protocol
 *
 * Three objects take part: the channel (a bounded queue), the client's
 * per-call envelope, and the server loop. Each has one explicit state.
 *
 * **A call** (`client.call(req, options)`), in order:
 * 1. Refused at once, without reaching the channel, when its signal is
 *    already aborted (rejects with `signal.reason`), its deadline has passed
 *    (`TimeoutError`) or the channel is closed (`ChannelClosedError`).
 * 2. *Direct*: with no signal and no deadline, an idle server (nothing
 *    queued, a free slot) runs the handler synchronously and the caller's
 *    promise is the handler's result: no envelope at all.
 * 3. Otherwise an envelope is made. Its request goes through the phases
 *    `sending` (waiting for room in a full channel) → `queued` → `starting`
 *    (taken by the server, waiting one microtask to run in its caller's async
 *    context) → `running` → `done`; an idle server takes it straight to
 *    `running`. Its reply is tracked apart: `pending` → `answered`.
 * 4. The caller's abort or deadline answers the call at once (the signal's
 *    reason, or a `TimeoutError`). A `sending` or `queued` envelope is
 *    *withdrawn*: its slot is freed in O(1) and a waiting sender takes it; a
 *    `starting` one frees its server slot without running; a `running` one
 *    aborts its handler's `options.signal` — the server slot stays held until
 *    the handler settles, so `concurrency` is never exceeded.
 * 5. The handler's outcome answers the caller unless it was answered
 *    already. A handler's synchronous throw, rejected promise, non-`Error`
 *    rejection (wrapped in `HandlerError`) and thenable (even one whose
 *    `then` throws) all become the caller's rejection.
 *
 * **The handler's options** carry the effective `deadline`, the caller's
 * `metadata` and a `signal` that aborts on caller abort, deadline or server
 * abort. Passing them to a downstream call propagates all three.
 *
 * **Layers over a client** (internal, `CALL_AT` in `_timers.ts`): `timeout`
 * hands down the `Date.now()` it read, through `retry` and
 * `concurrencyLimit` when they call synchronously, so the client reads no
 * clock again; `concurrencyLimit` hands down a hook the envelope calls once
 * when it is answered (the permit's return), and `retry` one the envelope
 * offers its failure to (with the caller's resolvers) instead of rejecting.
 * Each is taken only when an envelope is made, and each layer falls back to
 * its own `.then` when it was not: the outcome is the same either way.
 *
 * **Deadlines**: one timer per channel serves every call's deadline. It is
 * kept armed between calls (no timer op per call), lingers at most a second
 * once no deadline is pending (so an idle process exits), and goes for good
 * once the server is closed and its last deadline is gone. A call whose
 * deadline passed while it was queued never starts.
 *
 * **The server** is `open` → `closing` (after `close()`: intake stopped,
 * queued calls still run) or `aborting` (after `abort()`: queued calls are
 * rejected, running handlers' signals abort) → `stopped` once no handler
 * runs; `closed` resolves then. Ordering rules: `close()` during `abort()`
 * changes nothing; `abort()` during `close()` rejects what is still queued;
 * a withdrawn envelope is never handed to the service; every envelope that
 * reached the channel is counted exactly once, as `served`, `failed`,
 * `cancelled` or `rejected`, or is still `queued` or `inFlight`.
 *
 * @module
 */

import {
  channel,
  type ChannelCore,
  channelCore,
  type Consumer,
  type Receiver,
} from "./channel.ts";
import {
  Call,
  type CallRunner,
  type Client,
  connect,
  type Envelope,
  HANDLED_BY,
} from "./client.ts";
import {
  ChannelClosedError,
  HandlerError,
  InvalidOptionError,
  rejectUnknownKeys,
  reportCallbackError,
} from "./errors.ts";
import { assertService, type CallOptions, type Service } from "./service.ts";

/**
 * Options of {@linkcode serve}.
 *
 * @example
 * ```ts
 * import type { ServeOptions } from "@norpc/norpc";
 *
 * const actor: ServeOptions = { concurrency: 1, name: "Counter" };
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
  /**
   * The service's name, used in the errors raised for it ("cannot call
   * Bank: its server is closed", "Bank.get timed out…"). Generated
   * `spawnX` helpers fill it in.
   */
  name?: string;
  /**
   * Receives errors that have no call to fail — today, a value sent on the
   * channel that is not a request envelope (`tx.send(x)` instead of
   * `connect(tx).call(x)`). Default: `console.error`. Never `reportError`,
   * which would end a Deno process.
   */
  onError?: (error: unknown, context: string) => void;
}

const SERVE_KEYS = ["concurrency", "name", "onError"] as const;

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
 * import assert from "node:assert/strict";
 *
 * const { client, server } = spawn(serviceFn((n: number) => n * 2));
 * await client.call(1);
 * assert.equal(server.served, 1);
 * await server.close();
 * assert.equal(server.state, "stopped");
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
  /** Where the server is in its life (see the module doc). */
  readonly state: ServerState;
  /** The service's name, if it was given one. */
  readonly name: string | undefined;
  /** Requests waiting in the channel. */
  readonly queued: number;
  /** Requests holding a slot: running, or about to run. */
  readonly inFlight: number;
  /** Requests answered with a response. */
  readonly served: number;
  /** Requests whose handler threw or rejected. */
  readonly failed: number;
  /**
   * Requests that never ran because their caller gave up first: an abort
   * or a passed deadline while queued.
   */
  readonly cancelled: number;
  /** Queued requests rejected because the server was aborted. */
  readonly rejected: number;
}

/**
 * A server's lifecycle: `open` → `closing` or `aborting` → `stopped`.
 *
 * @example
 * ```ts
 * import { type ServerState, serviceFn, spawn } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const { server } = spawn(serviceFn(() => 1));
 * const before: ServerState = server.state;
 * assert.equal(before, "open");
 * await server.close();
 * assert.equal(server.state, "stopped");
 * ```
 */
export type ServerState = "open" | "closing" | "aborting" | "stopped";

type Misuse = (value: unknown) => void;

/**
 * The signal and options handlers receive, for the calls that share a
 * caller's signal, a deadline and metadata (see `ServerLoop.#contextFor`).
 */
class HandlerContext {
  readonly #controller = new AbortController();
  readonly options: CallOptions;
  /** Whether it was aborted (a field: the signal's getter costs more). */
  aborted = false;

  constructor(
    readonly signal: AbortSignal | undefined,
    readonly deadline: number | undefined,
    readonly metadata: Readonly<Record<string, string>> | undefined,
    handledBy: unknown,
  ) {
    const options: CallOptions & { [HANDLED_BY]?: unknown } = {
      signal: this.#controller.signal,
      deadline,
      metadata,
    };
    options[HANDLED_BY] = handledBy;
    this.options = Object.freeze(options);
  }

  /** Aborts the signal of every handler that shares this context. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.#controller.abort(reason);
  }
}

class ServerLoop<Req, Res>
  implements Server, Consumer<Call<Req, Res>>, CallRunner<Req, Res> {
  readonly #queue: ChannelCore<Call<Req, Res>>;
  readonly #service: Service<Req, Res>;
  readonly concurrency: number;
  readonly name: string | undefined;
  readonly #onError: ServeOptions["onError"];
  readonly #stop = new AbortController();
  /** The options of a call with no signal, deadline nor metadata. */
  readonly #options: CallOptions;
  readonly #closed = Promise.withResolvers<void>();
  /**
   * Running calls that have a handler signal of their own (aborted on
   * abort()); each knows its index, so removal is a swap with the last.
   */
  readonly #running: Call<Req, Res>[] = [];
  /** The handler context made last (see #contextFor). */
  #lastContext: HandlerContext | undefined = undefined;
  /**
   * The signal-only context used last: a field compare instead of a
   * WeakMap lookup (~7 ns) when call after call shares one signal.
   */
  #lastSignalContext: HandlerContext | undefined = undefined;
  /** The contexts of calls with a caller's signal only, by signal. */
  readonly #signalContexts = new WeakMap<AbortSignal, HandlerContext>();
  #state: ServerState = "open";
  #draining = false;
  #warnedSelfCall = false;
  inFlight = 0;
  served = 0;
  failed = 0;
  cancelled = 0;
  rejected = 0;

  constructor(
    queue: ChannelCore<Call<Req, Res>>,
    service: Service<Req, Res>,
    concurrency: number,
    name: string | undefined,
    onError: ServeOptions["onError"],
  ) {
    this.#queue = queue;
    this.#service = service;
    this.concurrency = concurrency;
    this.name = name;
    this.#onError = onError;
    this.#options = Object.freeze({
      signal: this.#stop.signal,
      [HANDLED_BY]: this,
    });
    this.closed = this.#closed.promise;
    queue.name = name;
    queue.consumer = this;
    this.#drain();
    if (queue.closed) this.onClose();
  }

  readonly closed: Promise<void>;

  get state(): ServerState {
    return this.#state;
  }

  get queued(): number {
    return this.#queue.size;
  }

  // Consumer: called synchronously by the channel while its queue is empty,
  // so the handler runs in its caller's async context.
  offer(call: Call<Req, Res>): boolean {
    if (this.inFlight >= this.concurrency) return false;
    if (!(call instanceof Call)) {
      this.#misuse(call);
      return true;
    }
    this.inFlight++;
    this.#run(call);
    return true;
  }

  // CallRunner: a call with no signal nor deadline while the queue is empty.
  callNow(
    req: Req,
    metadata: Readonly<Record<string, string>> | undefined,
  ): Promise<Res> | undefined {
    if (this.inFlight >= this.concurrency) return undefined;
    this.inFlight++;
    const options = metadata === undefined
      ? this.#options
      : this.#withMetadata(metadata);
    let result: Promise<Res>;
    try {
      result = toPromise(this.#service.call(req, options));
    } catch (err) {
      result = Promise.reject(err);
    }
    return result.then(this.#directOk, this.#directErr);
  }

  /** A call's options when it has metadata but no signal nor deadline. */
  #withMetadata(metadata: Readonly<Record<string, string>>): CallOptions {
    const options: CallOptions & { [HANDLED_BY]?: unknown } = {
      signal: this.#stop.signal,
      metadata,
    };
    options[HANDLED_BY] = this;
    return options;
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

  // CallRunner: the call's queue turn came, in its caller's context.
  runReserved(call: Call<Req, Res>): void {
    // Done already: its caller gave up while it waited, and release() gave
    // its slot back then.
    if (call.phase !== "done") this.#run(call);
  }

  // CallRunner: the caller gave up while the call waited for its turn.
  release(): void {
    this.inFlight--;
    this.cancelled++;
    if (this.#queue.size > 0) this.#drain();
    this.#maybeStop();
  }

  onWithdraw(): void {
    this.cancelled++;
  }

  onClose(): void {
    if (this.#state === "open") this.#state = "closing";
    this.#maybeStop();
  }

  /** Runs a call whose slot (`inFlight`) is already counted. */
  #run(call: Call<Req, Res>): void {
    if (call.answer === "answered") {
      // Its caller gave up, yet it was not withdrawn: never run it.
      this.#leave(call);
      this.cancelled++;
      return;
    }
    if (this.#state === "aborting" || this.#state === "stopped") {
      this.#leave(call);
      this.rejected++;
      call.reject(this.#dropped(call.req));
      return;
    }
    const deadline = call.deadline;
    if (
      deadline !== undefined && call.phase === "starting" &&
      deadline <= Date.now()
    ) {
      // The timer has not fired yet, but a late request never starts. Done
      // first, so expire() answers the caller without releasing the slot of
      // a call at its turn ("starting"): #leave gives it back, once.
      call.phase = "done";
      call.expire();
      this.#leave(call);
      this.cancelled++;
      return;
    }
    call.phase = "running";
    call.runner = this;
    let options: CallOptions;
    if (call.signal === undefined && deadline === undefined) {
      options = call.metadata === undefined
        ? this.#options
        : this.#withMetadata(call.metadata);
    } else {
      const context = this.#contextFor(call);
      call.context = context;
      options = context.options;
      call.runIndex = this.#running.push(call) - 1;
    }
    let result: Promise<Res>;
    try {
      result = toPromise(this.#service.call(call.req, options));
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (value) => this.#finish(call, true, value),
      (err) => this.#finish(call, false, err),
    );
  }

  /**
   * The handler options for a call with a signal or a deadline. Calls that
   * share the caller's signal, the deadline and the metadata share one
   * context: whatever aborts one of their handlers (that signal, that
   * deadline, this server's abort) aborts them all at once anyway, so one
   * controller and one frozen options object serve them all. Sequential
   * calls on a long-lived signal, or within the same millisecond of a
   * timeout, then cost no controller and no object each.
   */
  #contextFor(call: Call<Req, Res>): HandlerContext {
    const signal = call.signal;
    if (
      signal !== undefined && call.deadline === undefined &&
      call.metadata === undefined
    ) {
      // A caller's signal alone: one context per signal for as long as it
      // lives, whatever other calls come in between.
      let context = this.#lastSignalContext;
      if (
        context !== undefined && context.signal === signal && !context.aborted
      ) return context;
      context = this.#signalContexts.get(signal);
      if (context === undefined || context.aborted) {
        context = new HandlerContext(signal, undefined, undefined, this);
        this.#signalContexts.set(signal, context);
      }
      return this.#lastSignalContext = context;
    }
    const last = this.#lastContext;
    if (
      last !== undefined && last.signal === call.signal &&
      last.deadline === call.deadline && last.metadata === call.metadata &&
      !last.aborted
    ) {
      return last;
    }
    return this.#lastContext = new HandlerContext(
      call.signal,
      call.deadline,
      call.metadata,
      this,
    );
  }

  /** A reserved slot is given back without running the handler. */
  #leave(call: Call<Req, Res>): void {
    call.phase = "done";
    this.inFlight--;
    if (this.#queue.size > 0) this.#drain();
    this.#maybeStop();
  }

  #finish(call: Call<Req, Res>, ok: boolean, outcome: unknown): void {
    this.inFlight--;
    call.phase = "done";
    const index = call.runIndex;
    if (index >= 0) {
      const running = this.#running;
      const last = running.pop()!;
      if (last !== call) {
        running[index] = last;
        last.runIndex = index;
      }
      call.runIndex = -1;
    }
    if (ok) {
      this.served++;
      call.resolve(outcome as Res);
    } else {
      this.failed++;
      call.reject(outcome);
    }
    if (this.#queue.size > 0) this.#drain();
    this.#maybeStop();
  }

  /** Takes queued calls while there is capacity, in one turn. */
  #drain(): void {
    if (this.#draining) return; // a handler re-entered us synchronously
    this.#draining = true;
    const queue = this.#queue;
    try {
      while (this.inFlight < this.concurrency && queue.size > 0) {
        const call = queue.shift();
        if (!(call instanceof Call)) {
          this.#misuse(call);
          continue;
        }
        this.inFlight++;
        if (call.gated) call.openGate(this);
        else this.#run(call);
      }
    } finally {
      this.#draining = false;
    }
  }

  /**
   * Only an untyped caller gets here (tx.send(value) beside connect(tx)):
   * there is no caller to answer, so the value is counted and reported,
   * never handed to the service, and the loop goes on.
   */
  #misuse: Misuse = (value) => {
    this.failed++;
    reportCallbackError(
      `serve()${this.name === undefined ? "" : ` of ${this.name}`}`,
      new TypeError(
        `serve() received ${
          Object.prototype.toString.call(value)
        } instead of a request envelope: send requests with connect(tx).call(req), not tx.send(req)`,
      ),
      this.#onError,
    );
  };

  #dropped(req: Req): ChannelClosedError {
    return new ChannelClosedError(
      `request dropped: ${
        this.name === undefined ? "the server" : `the server of ${this.name}`
      } was aborted before handling it`,
      req,
      { cause: this.#stop.signal.reason, service: this.name },
    );
  }

  #maybeStop(): void {
    if (
      (this.#state === "closing" || this.#state === "aborting") &&
      this.inFlight === 0 && this.#queue.size === 0
    ) {
      this.#state = "stopped";
      this.#queue.consumer = undefined;
      this.#closed.resolve();
    }
  }

  /**
   * A handler of this server called this server with its own options: with
   * one request at a time, awaiting that call waits forever. Warned once.
   */
  warnSelfCall(): void {
    if (this.#warnedSelfCall) return;
    this.#warnedSelfCall = true;
    const who = this.name ?? "a server";
    const warning = new Error(
      `actor deadlock: a handler of ${who} called ${
        this.name ?? "its own server"
      } itself, which runs one request at a time: if it awaits that call, both wait until a deadline or abort ends them. Do the work in the handler instead, or serve with a higher concurrency.`,
    );
    if (this.#onError !== undefined) {
      reportCallbackError(
        `serve()${this.name === undefined ? "" : ` of ${this.name}`}`,
        warning,
        this.#onError,
      );
    } else {
      try {
        console.warn(`norpc: warning: ${warning.message}`);
      } catch {
        // No console to warn on: the deadlock shows as a timeout anyway.
      }
    }
  }

  close(): Promise<void> {
    this.#queue.close(); // calls onClose() through the Consumer hook
    return this.closed;
  }

  abort(reason?: unknown): Promise<void> {
    const why = reason ?? new DOMException("server aborted", "AbortError");
    if (this.#state === "open" || this.#state === "closing") {
      this.#state = "aborting";
    }
    if (!this.#stop.signal.aborted) this.#stop.abort(why);
    this.#queue.close(why);
    for (const call of this.#queue.drainAll()) {
      if (!(call instanceof Call)) {
        this.#misuse(call);
        continue;
      }
      call.phase = "done";
      this.rejected++;
      call.reject(this.#dropped(call.req));
    }
    for (const call of [...this.#running]) {
      call.abortHandler(this.#stop.signal.reason);
    }
    this.#maybeStop();
    return this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * A handler's result as a native promise: a value, a native promise, or a
 * thenable — even one whose `then` getter or method throws, which becomes a
 * rejection here rather than a synchronous throw in the loop.
 */
function toPromise<T>(result: T | PromiseLike<T>): Promise<T> {
  // A Promise subclass may override `then` (and throw from it): only a
  // plain native promise is used as it is; Promise.resolve adopts anything
  // else in a job, where a throwing `then` becomes a rejection.
  return result instanceof Promise && result.constructor === Promise
    ? result
    : Promise.resolve(result);
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
 * @param options `concurrency` (default `Infinity`), `name`, `onError`.
 * @returns The running server.
 * @throws {InvalidOptionError} when `options` is not an object, has an
 * unknown key, or an invalid `concurrency`, `name` or `onError`, or when
 * `receiver` is already being served.
 * @throws {TypeError} when `receiver` is not a channel's receiver or
 * `service` is not a service. A value sent on the channel that is not a
 * request envelope (`tx.send(x)` instead of `connect(tx).call(x)`) is counted
 * in `failed` and reported to `onError`, never handed to the service.
 *
 * @example An actor: one request at a time, state without locks
 * ```ts
 * import { channel, connect, type Envelope, serve, serviceFn } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * let count = 0;
 * const [tx, rx] = channel<Envelope<void, number>>(1024);
 * const server = serve(rx, serviceFn(() => ++count), { concurrency: 1 });
 * const counter = connect(tx);
 * await Promise.all([counter.call(), counter.call(), counter.call()]);
 * assert.equal(count, 3);
 * await server.close();
 * ```
 */
export function serve<Req, Res>(
  receiver: Receiver<Envelope<Req, Res>>,
  service: Service<Req, Res>,
  options?: ServeOptions,
): Server {
  const queue = channelCore<Call<Req, Res>>(receiver);
  if (
    queue === undefined || (receiver as { recv?: unknown }).recv === undefined
  ) {
    throw new TypeError(
      "serve() expects the receiver of a norpc channel: const [tx, rx] = channel(n); serve(rx, service)",
    );
  }
  assertService(service, "serve()");
  const { concurrency, name, onError } = validateServeOptions(
    "serve()",
    options,
    SERVE_KEYS,
  );
  if (queue.consumer !== undefined) {
    throw new InvalidOptionError(
      "receiver",
      "a receiver that is already served",
      "a receiver no other server is serving (close that server first)",
    );
  }
  return new ServerLoop(queue, service, concurrency, name, onError);
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

const SPAWN_KEYS = [...SERVE_KEYS, "capacity"] as const;

/**
 * A spawned service: the client to call it and the server to close it.
 * Disposing it closes the server gracefully, so `await using` works without
 * destructuring.
 *
 * @example
 * ```ts
 * import { serviceFn, spawn } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * {
 *   await using upper = spawn(serviceFn((s: string) => s.toUpperCase()));
 *   assert.equal(await upper.client.call("hi"), "HI");
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
 * @param options `capacity` (default 1024), `concurrency` (default
 * `Infinity`), `name`, `onError`.
 * @returns The client and the server.
 * @throws {InvalidOptionError} when `options` is not an object, has an
 * unknown key, or an invalid value.
 * @throws {TypeError} when `service` is not a service.
 *
 * @example
 * ```ts
 * import { serviceFn, spawn } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const { client, server } = spawn(
 *   serviceFn((name: string) => `Hello, ${name}!`),
 *   { name: "Greeter" },
 * );
 * assert.equal(await client.call("world"), "Hello, world!");
 * await server.close();
 * ```
 */
export function spawn<Req, Res>(
  service: Service<Req, Res>,
  options?: SpawnOptions,
): Spawned<Req, Res> {
  assertService(service, "spawn()");
  const serveOptions = validateServeOptions("spawn()", options, SPAWN_KEYS);
  const [tx, rx] = channel<Envelope<Req, Res>>(
    options?.capacity === undefined ? 1024 : options.capacity,
  );
  const queue = channelCore<Call<Req, Res>>(rx)!;
  const server = new ServerLoop(
    queue,
    service,
    serveOptions.concurrency,
    serveOptions.name,
    serveOptions.onError,
  );
  return {
    client: connect(tx),
    server,
    [Symbol.asyncDispose]: () => server.close(),
  };
}

interface ValidServeOptions {
  concurrency: number;
  name: string | undefined;
  onError: ServeOptions["onError"];
}

/** Checks serve/spawn options at construction, naming the bad key. */
function validateServeOptions(
  where: string,
  options: unknown,
  keys: readonly string[],
): ValidServeOptions {
  if (options === undefined) {
    return { concurrency: Infinity, name: undefined, onError: undefined };
  }
  if (
    options === null || typeof options !== "object" || Array.isArray(options)
  ) {
    throw new InvalidOptionError(
      where === "serve()" ? "serve options" : "spawn options",
      options,
      "an options object such as { concurrency: 1 }, or nothing",
    );
  }
  rejectUnknownKeys(where, options, keys);
  const { concurrency = Infinity, name, onError } = options as SpawnOptions;
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
  if (name !== undefined && (typeof name !== "string" || name === "")) {
    throw new InvalidOptionError("name", name, "a non-empty string");
  }
  if (onError !== undefined && typeof onError !== "function") {
    throw new InvalidOptionError(
      "onError",
      onError,
      "a function (error, context) => void",
    );
  }
  return { concurrency, name, onError };
}
