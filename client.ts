/**
 * The client side of a channel: {@linkcode connect} turns a channel's sender
 * into a {@linkcode Service} whose calls travel as {@linkcode Envelope}s with
 * a one-shot reply.
 *
 * @module
 */

import {
  type ChannelCore,
  type Consumer,
  CORE,
  type Sender,
} from "./channel.ts";
import { ChannelClosedError, HandlerError } from "./errors.ts";
import { offAbort, onAbort, refuseSignal } from "./_abort.ts";
import type { CallOptions, Service } from "./service.ts";

/**
 * A request in flight through a channel, with its one-shot reply. Created by
 * the client from {@linkcode connect}; a server settles it exactly once.
 * Settling twice is a no-op, so a late handler result after an abort is
 * dropped safely.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example Answering envelopes by hand (what `serve` does for you)
 * ```ts
 * import { channel, connect, type Envelope } from "@norpc/norpc";
 *
 * const [tx, rx] = channel<Envelope<string, number>>(16);
 * const client = connect(tx);
 * const reply = client.call("four");
 * const envelope = await rx.recv();
 * envelope.resolve(envelope.req.length);
 * console.log(await reply); // 4
 * ```
 */
export class Envelope<Req, Res> {
  /** The request, moved by reference. */
  readonly req: Req;
  /** The caller's abort signal, if any. */
  readonly signal: AbortSignal | undefined;
  /** True once the reply was settled (answered, failed or aborted). */
  settled: boolean = false;
  /** True while the envelope waits in a channel's queue (set by the channel). */
  queued: boolean = false;
  readonly #resolve: (value: Res) => void;
  readonly #reject: (reason: unknown) => void;
  readonly #queue: ChannelCore<Envelope<Req, Res>> | undefined;
  /** The running handler's signal source, while a server runs it. */
  #running: AbortController | undefined = undefined;

  /**
   * Creates an envelope (done by `Client.call`; by hand only to answer envelopes yourself).
   *
   * @param req The request.
   * @param signal The caller's abort signal.
   * @param resolve Settles the caller's promise with a response.
   * @param reject Settles the caller's promise with an error.
   * @param queue The channel the envelope travels through, so an abort can
   * withdraw it from the queue and free its slot.
   */
  constructor(
    req: Req,
    signal: AbortSignal | undefined,
    resolve: (value: Res) => void,
    reject: (reason: unknown) => void,
    queue?: ChannelCore<Envelope<Req, Res>>,
  ) {
    this.req = req;
    this.signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#queue = queue;
  }

  /**
   * Answers the caller.
   *
   * @param value The response.
   */
  resolve(value: Res): void {
    if (this.settled) return;
    this.settled = true;
    if (this.signal !== undefined) {
      offAbort(this.signal, this);
    }
    this.#resolve(value);
  }

  /**
   * Fails the call. A non-`Error` value is wrapped in a `HandlerError` whose
   * `cause` is the value, so callers always get an `Error`.
   *
   * @param error The error.
   */
  reject(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (this.signal !== undefined) {
      offAbort(this.signal, this);
    }
    this.#reject(error instanceof Error ? error : new HandlerError(error));
  }

  /**
   * The caller aborted: reject at once with the signal's reason, free the
   * queue slot if the request is still queued, and abort the handler's
   * signal if it is running.
   */
  handleEvent(): void {
    if (this.settled) return;
    this.settled = true;
    const reason = this.signal!.reason;
    this.#reject(reason);
    if (this.queued) this.#queue?.withdraw(this);
    this.#running?.abort(reason);
  }

  /**
   * @internal Called by `serve` as it hands a request with a caller signal
   * to its handler: the returned signal aborts when the caller aborts (from
   * {@linkcode Envelope.handleEvent}, which already listens) or when the
   * server is aborted ({@linkcode Envelope.abortRun}). A plain controller
   * costs far less than `AbortSignal.any`, which also leaves a dependent on
   * the caller's signal for every call.
   *
   * @returns The signal to pass to the handler.
   */
  startRun(): AbortSignal {
    this.#running = new AbortController();
    return this.#running.signal;
  }

  /**
   * @internal The server was aborted while the handler ran: abort the
   * handler's signal with `reason`.
   *
   * @param reason The server's abort reason.
   */
  abortRun(reason: unknown): void {
    this.#running?.abort(reason);
  }
}

/**
 * Internal: a server that can run a call at once, without an envelope. The
 * server loop of `serve` implements it.
 */
export interface DirectConsumer<Req, Res> extends Consumer<Envelope<Req, Res>> {
  /**
   * Runs `req` now if the server has capacity; undefined otherwise (the
   * client then queues an envelope).
   */
  callNow(req: Req): Promise<Res> | undefined;
}

/**
 * A {@linkcode Service} whose calls are sent through a channel to a server.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { channel, connect, type Envelope, serve, serviceFn } from "@norpc/norpc";
 *
 * const [tx, rx] = channel<Envelope<number, number>>(64);
 * const server = serve(rx, serviceFn((n: number) => n + 1));
 * const client = connect(tx);
 * console.log(await client.call(41)); // 42
 * await server.close();
 * ```
 */
export class Client<Req, Res> implements Service<Req, Res> {
  readonly #queue: ChannelCore<Envelope<Req, Res>>;

  /**
   * Creates a client; {@linkcode connect} is the usual way.
   *
   * @param sender The channel's sending half.
   * @throws {TypeError} when `sender` is not the sender of a norpc channel.
   */
  constructor(sender: Sender<Envelope<Req, Res>>) {
    if (sender === null || typeof sender !== "object" || !(CORE in sender)) {
      throw new TypeError(
        "connect() expects the sender of a norpc channel: const [tx, rx] = channel(n); connect(tx)",
      );
    }
    this.#queue = sender[CORE];
    this.#queue.enableWithdraw();
  }

  /**
   * Sends `req` to the server and waits for its reply. While the server is
   * idle the request is dispatched synchronously, without a scheduling hop.
   *
   * @param req The request, moved by reference.
   * @param options `signal` aborts the call at once with `signal.reason`.
   * @returns The server's response.
   * @throws {TypeError} (as a rejection) when `signal` is not an
   * `AbortSignal`; `null` means no signal.
   * @throws {ChannelClosedError} (as a rejection) when the server is closed;
   * its `value` is `req`. Errors the handler raises are passed through.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    // null means no signal, as for fetch(), from untyped callers.
    const signal = options?.signal ?? undefined;
    const queue = this.#queue;
    if (signal === undefined) {
      // Fast path: an idle server with capacity runs the request now, and
      // the caller's promise is the handler's result, chained once. No
      // envelope, no resolvers: nothing can abort the call.
      const server = queue.idleConsumer() as
        | DirectConsumer<Req, Res>
        | undefined;
      if (server !== undefined) {
        const result = server.callNow(req);
        if (result !== undefined) return result;
      }
    } else {
      const refused = refuseSignal(signal);
      if (refused !== undefined) return refused;
    }
    if (queue.closed) return Promise.reject(closedError(queue, req));
    const { promise, resolve, reject } = Promise.withResolvers<Res>();
    const envelope = new Envelope(req, signal, resolve, reject, queue);
    if (signal !== undefined) onAbort(signal, envelope);
    if (!queue.accept(envelope)) this.#sendSlowly(envelope, signal);
    return promise;
  }

  /** The channel is full: wait for room, or fail the call if it closes. */
  #sendSlowly(
    envelope: Envelope<Req, Res>,
    signal: AbortSignal | undefined,
  ): void {
    this.#queue.send(envelope, signal).then(undefined, (err) => {
      envelope.reject(
        err instanceof ChannelClosedError
          ? closedError(this.#queue, envelope.req)
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

function closedError<Req, Res>(
  queue: ChannelCore<Envelope<Req, Res>>,
  req: Req,
): ChannelClosedError {
  return new ChannelClosedError(
    "cannot call: the server is closed (its channel no longer accepts requests)",
    req,
    { cause: queue.closeReason },
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
 *
 * const [tx, rx] = channel<Envelope<string, string>>(1024);
 * await using server = serve(rx, serviceFn((s: string) => s.toUpperCase()));
 * const client = connect(tx);
 * console.log(await client.call("hi")); // "HI"
 * ```
 */
export function connect<Req, Res>(
  sender: Sender<Envelope<Req, Res>>,
): Client<Req, Res> {
  return new Client(sender);
}
