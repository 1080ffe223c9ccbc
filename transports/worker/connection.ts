/**
 * The parent side of one worker: {@linkcode connectWorker}, and the
 * connection `spawnWorker`'s pool is made of.
 *
 * @module
 */

import {
  type CallOptions,
  ChannelClosedError,
  InvalidOptionError,
  OverloadedError,
  type Service,
  TimeoutError,
} from "../../mod.ts";
import {
  callIdOf,
  decodeError,
  encodeContext,
  encodeReason,
  MalformedMessageError,
  parseMessage,
  type WireContext,
} from "../_wire.ts";
import { UncloneableError, WorkerDiedError } from "./errors.ts";
import {
  BYE,
  isDataCloneError,
  methodOf,
  PING,
  READY,
  reviveTransportError,
  type Transfer,
  transferList,
} from "./_protocol.ts";

/**
 * Options of {@linkcode connectWorker} (and, per worker, of `spawnWorker`).
 *
 * @example
 * ```ts
 * import type { ConnectWorkerOptions } from "@norpc/norpc/worker";
 *
 * const options: ConnectWorkerOptions<{ image: ArrayBuffer }> = {
 *   capacity: 8, // at most 8 calls inside the worker at once
 *   queue: 256, // at most 256 more waiting in the parent
 *   transfer: (req) => [req.image], // move the buffer instead of copying it
 * };
 * ```
 */
export interface ConnectWorkerOptions<Req> {
  /**
   * Most calls in flight inside the worker at once: a positive integer,
   * default 128. The rest wait in the parent's queue; `ready()` is false
   * while no slot is free.
   */
  capacity?: number;
  /**
   * Most calls waiting in the parent for a slot: a non-negative integer or
   * `Infinity`, default 1024. A call beyond it rejects at once with
   * `OverloadedError`.
   */
  queue?: number;
  /**
   * The objects to transfer (move instead of copy) with a request, e.g. its
   * `ArrayBuffer`s. Streams in the request are always transferred.
   */
  transfer?: (req: Req) => Transferable[];
  /** The worker's name in error messages; default the Worker's own name. */
  name?: string;
}

/**
 * A service running in one or more workers: call it through `client`, stop
 * it with `close()` (graceful) or `terminate()` (at once). `await using`
 * closes it.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { spawnWorker } from "@norpc/norpc/worker";
 * import assert from "node:assert/strict";
 *
 * const doublerWorker = `data:application/javascript,${encodeURIComponent(`
 *   import { serviceFn } from "@norpc/norpc";
 *   import { serveWorker } from "@norpc/norpc/worker";
 *   serveWorker(serviceFn((n) => n * 2));
 * `)}`;
 * await using doubler = spawnWorker<number, number>(doublerWorker);
 * assert.equal(await doubler.client.call(21), 42);
 * ```
 */
export interface WorkerHandle<Req, Res> extends AsyncDisposable {
  /**
   * The service: an ordinary `Service`, so generated clients and every
   * layer work on it. It enforces `options.deadline` itself
   * (`enforcesDeadline`).
   */
  readonly client: Service<Req, Res>;
  /**
   * Stops intake (new calls reject `ChannelClosedError`), lets every queued
   * and in-flight call finish, then ends the worker(s). Calls whose caller
   * already gave up (abort, deadline) do not hold it up. Calling it again
   * returns the same promise.
   */
  close(): Promise<void>;
  /**
   * Ends the worker(s) at once: every pending call rejects with
   * `WorkerDiedError` whose `cause` is `reason`.
   *
   * @param reason Why; the `cause` of the errors.
   */
  terminate(reason?: unknown): void;
  /** Calls sent to a worker and not answered yet. */
  readonly inFlight: number;
  /** Calls waiting in the parent for a free slot. */
  readonly queued: number;
}

type State = "starting" | "ready" | "closing" | "dead";

/** How a connection ended, for the pool. */
export type ExitKind = "closed" | "terminated" | "died";

/** One call, from `call()` until its one outcome. */
class Call<Req, Res> implements EventListenerObject {
  id = -1;
  /** Still in the parent's queue (false once sent, or once cancelled). */
  queued = false;
  settled = false;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  readonly promise: Promise<Res>;
  #resolve!: (res: Res) => void;
  #reject!: (error: unknown) => void;

  constructor(
    readonly owner: WorkerConnection<Req, Res>,
    readonly req: Req,
    readonly ctx: WireContext | undefined,
    readonly signal: AbortSignal | undefined,
  ) {
    this.promise = new Promise<Res>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.owner.giveUp(this, this.signal!.reason);
  }

  resolve(res: Res): void {
    if (this.#settle()) this.#resolve(res);
  }

  reject(error: unknown): void {
    if (this.#settle()) this.#reject(error);
  }

  #settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.signal?.removeEventListener("abort", this);
    return true;
  }
}

/**
 * The parent's end of one worker. Internal: users get it through
 * {@linkcode connectWorker} or `spawnWorker`, as a {@linkcode WorkerHandle}.
 */
export class WorkerConnection<Req, Res>
  implements Service<Req, Res>, EventListenerObject {
  readonly enforcesDeadline = true;
  readonly name: string;
  readonly #worker: Worker;
  readonly #capacity: number;
  readonly #queueLimit: number;
  readonly #transfer: ((req: Req) => Transferable[]) | undefined;
  readonly #onExit: ((kind: ExitKind) => void) | undefined;
  /** Calls sent to the worker, by id, until it answers (even if given up). */
  readonly #sent = new Map<number, Call<Req, Res>>();
  /** Calls waiting for a slot; cancelled ones are skipped when reached. */
  #queue: Call<Req, Res>[] = [];
  #queueHead = 0;
  #queued = 0;
  #nextId = 0;
  #state: State = "starting";
  /** True once the worker said it listens (a pool replaces only those). */
  wasReady = false;
  #closing: Promise<void> | undefined;
  readonly #drained = Promise.withResolvers<void>();

  constructor(
    worker: Worker,
    options: ConnectWorkerOptions<Req> | undefined,
    onExit?: (kind: ExitKind) => void,
  ) {
    validateOptions(options, "connectWorker");
    this.#worker = worker;
    this.#capacity = options?.capacity ?? 128;
    this.#queueLimit = options?.queue ?? 1024;
    this.#transfer = options?.transfer;
    this.name = `worker ${
      options?.name ?? ((worker as { name?: string }).name || "(unnamed)")
    }`;
    this.#onExit = onExit;
    worker.addEventListener("message", this);
    worker.addEventListener("error", this);
    worker.addEventListener("messageerror", this);
    // In case the worker said `ready` before we listened (see _protocol.ts).
    worker.postMessage(PING);
  }

  get inFlight(): number {
    return this.#sent.size;
  }

  get queued(): number {
    return this.#queued;
  }

  /** Calls in flight plus queued: what the pool balances on. */
  get load(): number {
    return this.#sent.size + this.#queued;
  }

  get live(): boolean {
    return this.#state === "starting" || this.#state === "ready";
  }

  ready(): boolean {
    return this.#state === "ready" && this.#sent.size < this.#capacity;
  }

  call(req: Req, options?: CallOptions): Promise<Res> {
    if (!this.live) {
      return Promise.reject(
        this.#state === "dead"
          ? new WorkerDiedError(`${this.name} has ended`, req)
          : new ChannelClosedError(`${this.name} is closing`, req),
      );
    }
    const signal = options?.signal ?? undefined;
    let ctx: WireContext | undefined;
    if (options !== undefined) {
      if (signal !== undefined) {
        if (!(signal instanceof AbortSignal)) {
          return Promise.reject(
            new TypeError(
              "options.signal must be an AbortSignal: pass an AbortController's signal, or leave it out",
            ),
          );
        }
        if (signal.aborted) return Promise.reject(signal.reason);
      }
      try {
        ctx = encodeContext(options);
      } catch (error) {
        return Promise.reject(error);
      }
      if (ctx?.remainingMs === 0) {
        return Promise.reject(new TimeoutError(0, 0, methodOf(req)));
      }
    }
    const call = new Call<Req, Res>(this, req, ctx, signal);
    if (this.#state === "ready" && this.#sent.size < this.#capacity) {
      this.#send(call);
    } else if (this.#queued < this.#queueLimit) {
      call.queued = true;
      this.#queue.push(call);
      this.#queued++;
    } else {
      return Promise.reject(
        new OverloadedError(
          `${this.name} is at capacity: ${this.#capacity} calls in flight and ${this.#queueLimit} queued; retry later, or raise the capacity or queue option`,
        ),
      );
    }
    if (call.settled) return call.promise; // failed to send
    if (signal !== undefined) signal.addEventListener("abort", call);
    const remaining = ctx?.remainingMs;
    if (remaining !== undefined) {
      const started = performance.now();
      call.timer = setTimeout(() => {
        const elapsed = performance.now() - started;
        this.giveUp(
          call,
          new TimeoutError(remaining, elapsed, methodOf(call.req)),
        );
      }, remaining);
    }
    return call.promise;
  }

  /** The caller gave up (abort, deadline): reject now, tell the worker. */
  giveUp(call: Call<Req, Res>, reason: unknown): void {
    if (call.settled) return;
    if (call.queued) {
      call.queued = false;
      this.#queued--;
      this.#compactQueue();
      call.reject(reason);
      this.#maybeDrained();
      return;
    }
    call.reject(reason);
    // The slot stays taken until the worker answers: its handler still runs.
    try {
      this.#worker.postMessage({
        t: "cancel",
        id: call.id,
        reason: encodeReason(reason, { values: "clone" }),
      });
    } catch {
      // The worker is gone; its death rejects the rest.
    }
    this.#maybeDrained();
  }

  #send(call: Call<Req, Res>): void {
    let transfer: Transfer[] | undefined;
    try {
      transfer = transferList(call.req, this.#transfer as never);
    } catch (error) {
      return call.reject(error);
    }
    const id = this.#nextId++;
    const message = call.ctx === undefined
      ? { t: "call", id, req: call.req }
      : { t: "call", id, req: call.req, ctx: call.ctx };
    try {
      if (transfer === undefined) this.#worker.postMessage(message);
      else this.#worker.postMessage(message, transfer);
    } catch (error) {
      return call.reject(
        isDataCloneError(error)
          ? new UncloneableError("request", this.name, { cause: error })
          : error,
      );
    }
    call.id = id;
    this.#sent.set(id, call);
  }

  /** Sends queued calls while slots are free. */
  #pump(): void {
    while (
      this.#queued > 0 && this.#sent.size < this.#capacity &&
      (this.#state === "ready" || this.#state === "closing")
    ) {
      const call = this.#queue[this.#queueHead++];
      if (!call.queued) continue; // given up while queued
      call.queued = false;
      this.#queued--;
      this.#send(call);
    }
    this.#compactQueue();
  }

  #compactQueue(): void {
    if (this.#queued === 0) {
      this.#queue = [];
      this.#queueHead = 0;
    } else if (
      this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length
    ) {
      this.#queue = this.#queue.slice(this.#queueHead).filter((c) => c.queued);
      this.#queueHead = 0;
    }
  }

  handleEvent(event: Event): void {
    switch (event.type) {
      case "message":
        return this.#onMessage((event as MessageEvent).data);
      case "error": {
        // Keep the parent alive: an unhandled worker error ends a Deno
        // process (and is printed by a browser) unless prevented.
        event.preventDefault();
        const error = (event as ErrorEvent).error ??
          (event as ErrorEvent).message;
        return this.die(
          `${this.name} died: ${(event as ErrorEvent).message || "error"}`,
          error,
        );
      }
      default:
        // A message that could not be deserialized names no call we could
        // fail; the call's own deadline or signal still ends it.
        console.error(
          `norpc: ${this.name} sent a message that could not be deserialized`,
        );
    }
  }

  #onMessage(data: unknown): void {
    const t = (data as { t?: unknown } | null)?.t;
    if (t === READY.t) {
      if (this.#state === "starting") this.#state = "ready";
      this.wasReady = true;
      this.#pump();
      this.#maybeDrained();
      return;
    }
    if (t === BYE.t) {
      return this.die(`${this.name} closed itself (self.close())`, undefined);
    }
    const message = parseMessage(data, this.name);
    let id: number | undefined;
    if (message instanceof MalformedMessageError) {
      id = callIdOf(message);
      if (id === undefined) {
        console.error(`norpc: dropped a message from ${this.name}:`, message);
        return;
      }
    } else {
      id = message.id;
    }
    const call = this.#sent.get(id);
    if (call === undefined) return; // not ours (a late or stray answer)
    this.#sent.delete(id);
    if (message instanceof MalformedMessageError) call.reject(message);
    else if (message.t === "ok") call.resolve(message.res as Res);
    else if (message.t === "err") {
      call.reject(reviveTransportError(decodeError(message.error)));
    } else {
      call.reject(
        new MalformedMessageError(
          `a worker answers with "ok" or "err", not "${message.t}"`,
          this.name,
        ),
      );
    }
    this.#pump();
    this.#maybeDrained();
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (this.#state === "dead") return this.#closing = Promise.resolve();
    this.#state = "closing";
    this.#closing = this.#drained.promise;
    this.#maybeDrained();
    return this.#closing;
  }

  #maybeDrained(): void {
    if (this.#state !== "closing" || this.#queued !== 0) return;
    // Calls whose caller gave up (abort, deadline) do not hold the close:
    // nobody waits for them, and a worker that never answers them (a
    // handler ignoring its signal) would keep the close pending forever.
    for (const call of this.#sent.values()) if (!call.settled) return;
    this.#end("closed", undefined, undefined);
  }

  terminate(reason?: unknown): void {
    if (this.#state === "dead") return;
    this.#end("terminated", `${this.name} was terminated`, reason);
  }

  /** The worker is gone: every pending call rejects at once. */
  die(message: string, cause: unknown): void {
    if (this.#state === "dead") return;
    this.#end("died", message, cause);
  }

  #end(kind: ExitKind, message: string | undefined, cause: unknown): void {
    this.#state = "dead";
    this.#worker.removeEventListener("message", this);
    this.#worker.removeEventListener("error", this);
    this.#worker.removeEventListener("messageerror", this);
    this.#worker.terminate();
    const options = cause === undefined ? undefined : { cause };
    const sent = [...this.#sent.values()];
    this.#sent.clear();
    for (const call of sent) {
      call.reject(new WorkerDiedError(message!, undefined, options));
    }
    const queue = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    this.#queued = 0;
    for (const call of queue) {
      if (!call.queued) continue;
      call.queued = false;
      call.reject(new WorkerDiedError(message!, call.req, options));
    }
    this.#drained.resolve();
    this.#onExit?.(kind);
  }
}

/**
 * Wraps a `Worker` you created (for example with restricted Deno
 * permissions, or a bundled URL in a browser) whose module calls
 * `serveWorker`. The returned handle owns the worker: `close()` and
 * `terminate()` end it.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param worker The worker; its module must call `serveWorker`.
 * @param options `capacity`, `queue`, `transfer`, `name`.
 * @returns The handle: `client`, `close()`, `terminate()`.
 * @throws {InvalidOptionError} on an invalid option.
 *
 * @example
 * ```ts
 * import { connectWorker } from "@norpc/norpc/worker";
 * import assert from "node:assert/strict";
 *
 * const doublerWorker = `data:application/javascript,${encodeURIComponent(`
 *   import { serviceFn } from "@norpc/norpc";
 *   import { serveWorker } from "@norpc/norpc/worker";
 *   serveWorker(serviceFn((n) => n * 2));
 * `)}`;
 * // Your own Worker: a name, a bundled URL, Deno's permissions…
 * const worker = new Worker(doublerWorker, { type: "module", name: "doubler" });
 * await using doubler = connectWorker<number, number>(worker);
 * assert.equal(await doubler.client.call(21), 42);
 * ```
 */
export function connectWorker<Req, Res>(
  worker: Worker,
  options?: ConnectWorkerOptions<Req>,
): WorkerHandle<Req, Res> {
  if (
    typeof worker !== "object" || worker === null ||
    typeof (worker as Partial<Worker>).postMessage !== "function" ||
    typeof (worker as Partial<Worker>).terminate !== "function"
  ) {
    throw new TypeError(
      "connectWorker(worker): expected a Worker, e.g. new Worker(new URL('./my_worker.ts', import.meta.url), { type: 'module' })",
    );
  }
  const connection = new WorkerConnection<Req, Res>(worker, options);
  return {
    client: connection,
    close: () => connection.close(),
    terminate: (reason?: unknown) => connection.terminate(reason),
    get inFlight() {
      return connection.inFlight;
    },
    get queued() {
      return connection.queued;
    },
    [Symbol.asyncDispose]: () => connection.close(),
  };
}

const CONNECT_KEYS = ["capacity", "queue", "transfer", "name"];

/** Validates the options every worker connection takes. */
export function validateOptions(
  options: unknown,
  where: string,
  extraKeys: readonly string[] = [],
): void {
  if (options === undefined) return;
  if (
    typeof options !== "object" || options === null || Array.isArray(options)
  ) {
    throw new InvalidOptionError(
      `${where} options`,
      options,
      "an options object such as { capacity: 8 }, or nothing",
    );
  }
  const allowed = [...CONNECT_KEYS, ...extraKeys];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidOptionError(
        key,
        (options as Record<string, unknown>)[key],
        `no such option of ${where}(); valid options: ${allowed.join(", ")}`,
      );
    }
  }
  const { capacity, queue, transfer, name } = options as Record<
    string,
    unknown
  >;
  if (
    capacity !== undefined &&
    !(typeof capacity === "number" && Number.isInteger(capacity) &&
      capacity > 0)
  ) {
    throw new InvalidOptionError("capacity", capacity, "a positive integer");
  }
  if (
    queue !== undefined &&
    !(typeof queue === "number" &&
      (queue === Infinity || (Number.isInteger(queue) && queue >= 0)))
  ) {
    throw new InvalidOptionError(
      "queue",
      queue,
      "a non-negative integer or Infinity",
    );
  }
  if (transfer !== undefined && typeof transfer !== "function") {
    throw new InvalidOptionError(
      "transfer",
      transfer,
      "a function from a request to the objects to transfer",
    );
  }
  if (name !== undefined && typeof name !== "string") {
    throw new InvalidOptionError("name", name, "a string");
  }
}
