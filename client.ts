/**
 * The client side of a channel: {@linkcode connect} turns a channel's sender
 * into a {@linkcode Service} whose calls travel as {@linkcode Envelope}s with
 * a one-shot reply. The call protocol is written down in `server.ts`.
 *
 * @module
 */

import { type ChannelCore, channelCore, type Sender } from "./channel.ts";
import {
  CALL_AT,
  type FailedHook,
  failedHook,
  settledHook,
  type TimerEntry,
} from "./_timers.ts";
import { ChannelClosedError, HandlerError, TimeoutError } from "./errors.ts";
import { type AbortNode, offAbort, onAbort, refuseSignal } from "./_abort.ts";
import type { CallOptions, Service } from "./service.ts";

/**
 * A request in flight through a channel, as a server (or code answering
 * envelopes by hand) sees it: the request, the caller's call context, and a
 * one-shot reply. The first `resolve` or `reject` wins; later ones, and
 * answers to a caller that already gave up (abort, deadline), are dropped.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example Answering envelopes by hand (what `serve` does for you)
 * ```ts
 * import { channel, connect, type Envelope } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const [tx, rx] = channel<Envelope<string, number>>(16);
 * const client = connect(tx);
 * const reply = client.call("four");
 * const envelope = await rx.recv();
 * envelope.resolve(envelope.req.length);
 * assert.equal(await reply, 4);
 * ```
 */
export interface Envelope<Req, Res> {
  /** The request, moved by reference. */
  readonly req: Req;
  /** The caller's abort signal, if any. */
  readonly signal: AbortSignal | undefined;
  /** The caller's deadline (ms on the `Date.now()` clock), if any. */
  readonly deadline: number | undefined;
  /** The caller's metadata, if any. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  /**
   * Answers the caller.
   *
   * @param value The response.
   */
  resolve(value: Res): void;
  /**
   * Fails the call. A non-`Error` value is wrapped in a `HandlerError` whose
   * `cause` is the value, so callers always get an `Error`.
   *
   * @param error The error.
   */
  reject(error: unknown): void;
}

/**
 * How far a request got (the reply is tracked apart, in `Answer`):
 * - `sending`: waiting for room in a full channel;
 * - `queued`: in the channel's queue (the channel sets and clears it);
 * - `starting`: taken by the server, waiting for its turn to run in its
 *   caller's async context;
 * - `running`: its handler runs;
 * - `done`: its handler settled, or it left without running.
 */
export type Phase = "sending" | "queued" | "starting" | "running" | "done";

/**
 * Whether the caller has its answer: `pending`, or `answered` (a response,
 * an error, its own abort or its deadline). A running handler may outlive
 * its caller's answer; the server's slot is held until the handler settles.
 */
export type Answer = "pending" | "answered";

/**
 * Internal: the key under which a handler's options name the server running
 * it, so that a handler's call into its own actor can be recognised (and
 * warned about: awaiting it would wait forever).
 */
export const HANDLED_BY: unique symbol = Symbol("norpc.handledBy");

/**
 * Internal: the server side of a {@linkcode Call}, implemented by the loop
 * of `serve`.
 */
export interface CallRunner<Req, Res> {
  /** Most requests the server runs at once. */
  readonly concurrency: number;
  /** Warns (once) that a handler called its own one-at-a-time server. */
  warnSelfCall(): void;
  /** Runs a call whose slot was reserved, in its caller's async context. */
  runReserved(call: Call<Req, Res>): void;
  /** A call whose slot was reserved left before its turn (abort, deadline). */
  release(call: Call<Req, Res>): void;
  /** Runs `req` now, without an envelope, if the server has capacity. */
  callNow(
    req: Req,
    metadata: Readonly<Record<string, string>> | undefined,
  ): Promise<Res> | undefined;
}

/** The call whose promise is being made (see the Call constructor). */
let constructing: Call<unknown, unknown> | undefined;
/** The executor of every call's promise; set in Call's static block. */
let takeResolvers: (
  resolve: (value: unknown) => void,
  reject: (reason: unknown) => void,
) => void;

/** A call's queue-turn reaction; module-level so it allocates no closure. */
function runGated<Req, Res>(call: Call<Req, Res>): void {
  call.runner!.runReserved(call);
}

/**
 * Internal: one call through a channel. It is its own abort listener (no
 * closure per call), its own deadline entry in the channel's one-timer
 * queue, and the source of its handler's signal. A flat class (its timer
 * and abort links declared here, not inherited from `Deadline`): V8 builds
 * an object with inherited field initializers ~10 ns slower per level.
 */
export class Call<Req, Res>
  implements Envelope<Req, Res>, TimerEntry, AbortNode {
  prev: TimerEntry | undefined = undefined;
  next: TimerEntry | undefined = undefined;
  due = 0;
  armed = false;
  abortPrev: (AbortNode & EventListenerObject) | undefined = undefined;
  abortNext: (AbortNode & EventListenerObject) | undefined = undefined;
  readonly req: Req;
  readonly signal: AbortSignal | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly deadline: number | undefined;
  readonly promise: Promise<Res>;
  #phase: Phase | undefined = undefined;
  #answer: Answer = "pending";
  #resolve!: (value: Res) => void;
  #reject!: (reason: unknown) => void;
  readonly #queue: ChannelCore<Call<Req, Res>>;
  readonly #start: number;
  /** Opens the call's queue turn (see {@linkcode Call.gate}). */
  #openGate: ((call: Call<Req, Res>) => void) | undefined = undefined;
  /** The server that runs it, once taken. */
  runner: CallRunner<Req, Res> | undefined = undefined;
  /** Called once when it is answered (see `settledHook` in `_timers.ts`). */
  settled: (() => void) | undefined = undefined;
  /** Offered its failure, once (see `failedHook` in `_timers.ts`). */
  failed: FailedHook<Res> | undefined = undefined;

  constructor(
    req: Req,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
    metadata: Readonly<Record<string, string>> | undefined,
    queue: ChannelCore<Call<Req, Res>>,
    start: number,
  ) {
    this.req = req;
    this.signal = signal;
    this.deadline = deadline;
    this.metadata = metadata;
    this.#queue = queue;
    this.#start = start;
    // A shared executor instead of Promise.withResolvers(): no result
    // object and no closure per call, on the hot path.
    constructing = this as Call<unknown, unknown>;
    this.promise = new Promise<Res>(
      takeResolvers as (
        resolve: (value: Res) => void,
        reject: (reason: unknown) => void,
      ) => void,
    );
    constructing = undefined;
  }

  get phase(): Phase | undefined {
    return this.#phase;
  }

  set phase(phase: Phase) {
    this.#phase = phase;
  }

  get answer(): Answer {
    return this.#answer;
  }

  // Withdrawable: the channel marks a call queued while it is in its ring.
  get queued(): boolean {
    return this.#phase === "queued";
  }

  set queued(queued: boolean) {
    // Taken off the queue: by a server, which marks it starting next, or
    // by code answering envelopes by hand, for which it is running.
    if (queued) this.#phase = "queued";
    else if (this.#phase === "queued") this.#phase = "running";
  }

  /**
   * The call waits in the queue: capture its caller's async context now, as
   * a promise reaction registered here runs in the context it was
   * registered in. The server opens the gate when the call's turn comes, so
   * its handler runs in its own caller's context (AsyncLocalStorage,
   * OpenTelemetry), not in whichever caller's that woke the server.
   */
  gate(): void {
    const { promise, resolve } = Promise.withResolvers<Call<Req, Res>>();
    promise.then(runGated);
    this.#openGate = resolve;
  }

  /** Whether the call waits for its queue turn through a gate. */
  get gated(): boolean {
    return this.#openGate !== undefined;
  }

  /** The server reserved a slot: run in the caller's context, next. */
  openGate(runner: CallRunner<Req, Res>): void {
    this.runner = runner;
    this.#phase = "starting";
    const open = this.#openGate!;
    this.#openGate = undefined;
    open(this);
  }

  /** Called by the shared executor while the call's promise is made. */
  static {
    takeResolvers = (resolve, reject) => {
      const call = constructing!;
      call.#resolve = resolve;
      call.#reject = reject;
    };
  }

  resolve(value: Res): void {
    if (this.#answer === "answered") return;
    this.#answered();
    this.#resolve(value);
  }

  reject(error: unknown): void {
    if (this.#answer === "answered") return;
    this.#answered();
    const reason = error instanceof Error ? error : new HandlerError(error);
    if (!this.#handOver(reason)) this.#reject(reason);
  }

  /**
   * Offers the failure to the retry layer above, if it passed a hook: true
   * when it took the caller's resolvers (it settles the promise later).
   */
  #handOver(reason: unknown): boolean {
    const failed = this.failed;
    if (failed === undefined) return false;
    this.failed = undefined;
    try {
      return failed(reason, this.#resolve, this.#reject);
    } catch {
      return false; // never: the hook is norpc's own; reject as usual then
    }
  }

  #answered(): void {
    this.#answer = "answered";
    if (this.signal !== undefined) offAbort(this.signal, this);
    if (this.armed) this.#queue.deadlines().remove(this);
    const settled = this.settled;
    if (settled !== undefined) {
      this.settled = undefined;
      settled();
    }
  }

  /** The caller aborted (EventListener interface: no closure per call). */
  handleEvent(): void {
    if (this.#answer === "answered") return;
    this.#giveUp(this.signal!.reason);
  }

  /** The deadline passed (called by the channel's timer queue). */
  expire(): void {
    if (this.#answer === "answered") return;
    this.#giveUp(this.timeoutError());
  }

  /** The TimeoutError for this call's deadline. */
  timeoutError(): TimeoutError {
    const now = Date.now();
    return new TimeoutError(
      Math.max(0, this.deadline! - this.#start),
      now - this.#start,
      methodOf(this.req),
      { service: this.#queue.name },
    );
  }

  /** The caller stops waiting: answer with `reason`, free what is held. */
  #giveUp(reason: unknown): void {
    this.#answered();
    if (!this.#handOver(reason)) this.#reject(reason);
    const phase = this.#phase;
    if (phase === "queued" || phase === "sending") {
      if (this.#queue.withdraw(this)) this.#phase = "done";
    } else if (phase === "starting") {
      // Taken by the server, waiting for its turn: free the slot now; the
      // turn, when it comes, finds the call done and runs nothing.
      this.#phase = "done";
      this.runner!.release(this);
    } else if (phase === "running") {
      this.abortHandler(reason);
    }
  }

  /**
   * The source of the running handler's signal, set by the server when it
   * runs the call (shared with the calls that have the same signal,
   * deadline and metadata: see `HandlerContext` in server.ts).
   */
  context: { abort(reason: unknown): void } | undefined = undefined;

  /** Aborts the running handler's signal with `reason`. */
  abortHandler(reason: unknown): void {
    this.context?.abort(reason);
  }

  /** Where the server keeps the call while it runs (-1: not there). */
  runIndex = -1;
}

/** The request's `method` when it is a string (generated requests have one). */
function methodOf(req: unknown): string | undefined {
  if (typeof req === "object" && req !== null) {
    const method = (req as { method?: unknown }).method;
    if (typeof method === "string") return method;
  }
  return undefined;
}

/**
 * A {@linkcode Service} whose calls are sent through a channel to a server.
 * Its server enforces each call's `deadline` (`enforcesDeadline` is true),
 * so a `timeout` layer over it only shrinks the deadline.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { channel, connect, type Envelope, serve, serviceFn } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const [tx, rx] = channel<Envelope<number, number>>(64);
 * const server = serve(rx, serviceFn((n: number) => n + 1));
 * const client = connect(tx);
 * assert.equal(await client.call(41), 42);
 * await server.close();
 * ```
 */
export class Client<Req, Res> implements Service<Req, Res> {
  readonly #queue: ChannelCore<Call<Req, Res>>;
  /** Always true: the server (or, while waiting, the channel) enforces deadlines. */
  readonly enforcesDeadline = true;

  /** The `name` of the server serving the channel, when it was given one. */
  get serviceName(): string | undefined {
    return this.#queue.name;
  }

  /**
   * Creates a client; {@linkcode connect} is the usual way.
   *
   * @param sender The channel's sending half.
   * @throws {TypeError} when `sender` is not the sender of a norpc channel.
   */
  constructor(sender: Sender<Envelope<Req, Res>>) {
    const queue = channelCore<Call<Req, Res>>(sender);
    if (queue === undefined || !isSender(sender)) {
      throw new TypeError(
        "connect() expects the sender of a norpc channel: const [tx, rx] = channel(n); connect(tx)",
      );
    }
    this.#queue = queue;
    queue.enableWithdraw();
  }

  /**
   * Sends `req` to the server and waits for its reply. While the server is
   * idle the request is dispatched synchronously, without a scheduling hop.
   *
   * @param req The request, moved by reference.
   * @param options `signal` aborts the call at once with `signal.reason`;
   * `deadline` (ms on the `Date.now()` clock) rejects it with a
   * `TimeoutError` then; `metadata` reaches the handler.
   * @returns The server's response.
   * @throws {TypeError} (as a rejection) when `signal` is not an
   * `AbortSignal` (`null` means no signal), `deadline` not a number or
   * `metadata` not an object.
   * @throws {ChannelClosedError} (as a rejection) when the server is closed;
   * its `value` is `req`. Errors the handler raises are passed through.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    return this.#call(req, options, NaN);
  }

  /** Internal: `call` with `Date.now()` read just before (see `_timers.ts`). */
  [CALL_AT](
    req: Req,
    options: CallOptions | undefined,
    now: number,
    settled?: () => void,
    failed?: (
      error: unknown,
      resolve: (value: Res) => void,
      reject: (reason: unknown) => void,
    ) => boolean,
  ): Promise<Res> {
    return this.#call(req, options, now, settled, failed);
  }

  /**
   * `call`; `now` is a fresh `Date.now()`, or NaN when unknown; `settled`
   * is taken by the call's envelope, if one is made (see `settledHook`).
   */
  #call(
    req: Req,
    options: CallOptions | undefined,
    now: number,
    settled?: () => void,
    failed?: FailedHook<Res>,
  ): Promise<Res> {
    const queue = this.#queue;
    // null means no options, as for fetch(), from untyped callers.
    if (options == null) {
      // Fast path: an idle server with capacity runs the request now, and
      // the caller's promise is the handler's result, chained once. No
      // envelope, no resolvers: nothing can abort the call.
      const runner = queue.idleConsumer() as CallRunner<Req, Res> | undefined;
      if (runner !== undefined) {
        const result = runner.callNow(req, undefined);
        if (result !== undefined) return result;
      }
      return this.#enqueue(
        req,
        undefined,
        undefined,
        undefined,
        NaN,
        settled,
        failed,
      );
    }
    // null means "none", as for fetch(), from untyped callers.
    const signal = options.signal ?? undefined;
    const deadline = options.deadline ?? undefined;
    const metadata = options.metadata ?? undefined;
    if (signal === undefined && deadline === undefined) {
      if (metadata !== undefined && typeof metadata !== "object") {
        return Promise.reject(badMetadata(metadata));
      }
      const runner = queue.idleConsumer() as CallRunner<Req, Res> | undefined;
      if (runner !== undefined) {
        const result = runner.callNow(req, metadata);
        if (result !== undefined) return result;
      }
    }
    const handledBy = (options as { [HANDLED_BY]?: unknown })[HANDLED_BY];
    if (handledBy !== undefined && handledBy === queue.consumer) {
      const runner = handledBy as CallRunner<Req, Res>;
      if (runner.concurrency === 1) runner.warnSelfCall();
    }
    // Last: nothing may run between #enqueue's handoff of `settled` and the
    // return (the warning above can call a user's onError).
    return this.#enqueue(
      req,
      signal,
      deadline,
      metadata,
      now,
      settled,
      failed,
    );
  }

  #enqueue(
    req: Req,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
    metadata: Readonly<Record<string, string>> | undefined,
    now: number,
    settled: (() => void) | undefined,
    failed: FailedHook<Res> | undefined,
  ): Promise<Res> {
    const queue = this.#queue;
    if (signal !== undefined) {
      const refused = refuseSignal(signal);
      if (refused !== undefined) return refused;
    }
    if (metadata !== undefined && typeof metadata !== "object") {
      return Promise.reject(badMetadata(metadata));
    }
    if (deadline !== undefined) {
      if (typeof deadline !== "number" || deadline !== deadline) {
        return Promise.reject(badDeadline(deadline));
      }
      if (deadline === Infinity) deadline = undefined;
      // A layer above that just read the clock (timeout) passes its `now`:
      // a second Date.now() would cost ~45 ns, a fifth of the call.
      else if (now !== now) now = Date.now();
    } else now = 0;
    if (queue.closed) return Promise.reject(closedError(queue, req));
    const call = new Call(req, signal, deadline, metadata, queue, now);
    // Taken before anything can answer the call: #answered calls it. The
    // handoff is marked only on return, after any handler that ran
    // synchronously (and may have called through the same layer) is done.
    call.settled = settled;
    call.failed = failed;
    if (deadline !== undefined) {
      if (deadline <= now) {
        // Already late: never sent, never started.
        call.reject(call.timeoutError());
        settledHook.taken = settled;
        failedHook.taken = failed as FailedHook<never> | undefined;
        return call.promise;
      }
      queue.deadlines().addAt(call, deadline, now);
    }
    if (signal !== undefined) onAbort(signal, call);
    if (!queue.accept(call)) this.#sendSlowly(call);
    const phase = call.phase;
    if (phase === "queued" || phase === "sending") call.gate();
    settledHook.taken = settled;
    failedHook.taken = failed as FailedHook<never> | undefined;
    return call.promise;
  }

  /** The channel is full: wait for room, or fail the call if it closes. */
  #sendSlowly(call: Call<Req, Res>): void {
    call.phase = "sending";
    this.#queue.send(call, undefined).then(undefined, (err) => {
      call.phase = "done";
      call.reject(
        err instanceof ChannelClosedError
          ? closedError(this.#queue, call.req)
          : err,
      );
    });
  }

  /**
   * Whether a call would be queued without waiting for room.
   *
   * @returns false when the channel is closed or full.
   */
  ready(): boolean {
    const queue = this.#queue;
    return !queue.closed && queue.size < queue.capacity;
  }
}

function isSender(value: unknown): boolean {
  return (value as { trySend?: unknown }).trySend !== undefined;
}

function badDeadline(deadline: unknown): TypeError {
  return new TypeError(
    `options.deadline must be a number of ms on the Date.now() clock (e.g. Date.now() + 500), got ${typeof deadline}`,
  );
}

function badMetadata(metadata: unknown): TypeError {
  return new TypeError(
    `options.metadata must be an object of string values, got ${typeof metadata}`,
  );
}

function closedError<Req, Res>(
  queue: ChannelCore<Call<Req, Res>>,
  req: Req,
): ChannelClosedError {
  const name = queue.name;
  return new ChannelClosedError(
    `cannot call ${
      name === undefined ? "the service" : name
    }: its server is closed (its channel no longer accepts requests)`,
    req,
    { cause: queue.closeReason, service: name },
  );
}

/**
 * Connects to a server through the sending half of its channel.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param sender The sender of a channel of envelopes, served by `serve`.
 * @throws {TypeError} when `sender` is not the sender of a norpc channel.
 * @returns A service forwarding each call through the channel.
 *
 * @example
 * ```ts
 * import { channel, connect, type Envelope, serve, serviceFn } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const [tx, rx] = channel<Envelope<string, string>>(1024);
 * await using server = serve(rx, serviceFn((s: string) => s.toUpperCase()));
 * const client = connect(tx);
 * assert.equal(await client.call("hi"), "HI");
 * ```
 */
export function connect<Req, Res>(
  sender: Sender<Envelope<Req, Res>>,
): Client<Req, Res> {
  return new Client(sender);
}
