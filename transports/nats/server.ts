/**
 * The serving side of the NATS transport: {@linkcode serveNats}.
 *
 * @module
 */

import {
  type CallOptions,
  InvalidOptionError,
  OverloadedError,
  type ServerState,
  type Service,
  TimeoutError,
} from "../../mod.ts";
import {
  checkWireError,
  decodeError,
  encodeError,
  MalformedMessageError,
} from "../_wire.ts";
import {
  headers as natsHeaders,
  type Msg,
  type Subscription,
} from "@nats-io/transport-node";
import {
  cancelSubject,
  probeSubject,
  readContext,
  STATUS_HEADER,
  validateSubject,
  withoutStacks,
} from "./_protocol.ts";
import {
  checkOptions,
  codecOption,
  countOption,
  nameOption,
} from "./_options.ts";
import { type Codec, jsonCodec } from "./codec.ts";
import type { NatsConnection } from "./connection.ts";
import {
  type ConnectionState,
  connectionState,
  isUsable,
} from "./_connection.ts";
import { NatsUnavailableError, PayloadError } from "./errors.ts";

/**
 * Options of {@linkcode serveNats}.
 *
 * @example
 * ```ts
 * import type { ServeNatsOptions } from "@norpc/norpc/nats";
 *
 * const options: ServeNatsOptions = { queue: "inventory", concurrency: 1 };
 * ```
 */
export interface ServeNatsOptions {
  /**
   * The NATS queue group: every request goes to ONE member of the group, so
   * processes serving the same subject share the load. Default `"norpc"`.
   */
  queue?: string;
  /** How requests and responses become bytes; default `jsonCodec`. */
  codec?: Codec;
  /**
   * Most requests handled at once: a positive integer or `Infinity`
   * (default). `1` makes the service an actor.
   */
  concurrency?: number;
  /**
   * Most requests waiting for a free slot; more are refused at once with
   * `OverloadedError` (retryable: another member may have room). Default
   * 1024.
   */
  maxPending?: number;
  /**
   * Largest request body accepted, in bytes; a larger one is answered with
   * a `PayloadError` and never decoded. Default: the NATS server's
   * `max_payload` (1 MiB unless configured).
   */
  maxRequestBytes?: number;
  /** Names the server in error messages; default the subject. */
  name?: string;
  /**
   * Receives errors that have no call to fail: today, a message on the
   * subject with no reply subject (a plain publish, so nobody to answer).
   * Default: `console.error`.
   */
  onError?: (error: unknown, context: string) => void;
}

/**
 * A running NATS responder. Its counters add up like an in-process
 * server's: each request that reached it ends as `served`, `failed`,
 * `cancelled` or `rejected`, or is still `queued` or `inFlight`.
 *
 * @example
 * ```ts
 * import type { NatsServer } from "@norpc/norpc/nats";
 *
 * function report(server: NatsServer): string {
 *   return `${server.served} served, ${server.failed} failed`;
 * }
 * ```
 */
export interface NatsServer extends AsyncDisposable {
  /** The subject it serves. */
  readonly subject: string;
  /** Its queue group. */
  readonly queue: string;
  /** Its name (the `name` option, else the subject). */
  readonly name: string;
  /**
   * Where it is in its life: `open`, `closing` (draining), `aborting`, then
   * `stopped`.
   */
  readonly state: ServerState;
  /**
   * Drains: stops taking requests (NATS routes new ones to the other
   * members), finishes what it holds, then unsubscribes. Calling it again
   * returns the same promise.
   */
  close(): Promise<void>;
  /**
   * Stops at once: unsubscribes, refuses queued requests (`OverloadedError`
   * to their callers, who may retry elsewhere) and aborts running handlers'
   * signals with `reason`. Resolves once the running handlers have settled.
   *
   * @param reason Why; the handlers' `signal.reason`.
   */
  abort(reason?: unknown): Promise<void>;
  /** Resolves when the server has stopped. */
  readonly closed: Promise<void>;
  /** Requests waiting for a free slot. */
  readonly queued: number;
  /** Requests whose handler is running. */
  readonly inFlight: number;
  /** Requests answered with a response. */
  readonly served: number;
  /**
   * Requests answered with an error: the handler threw, or the request was
   * malformed, too large, or its response could not be sent.
   */
  readonly failed: number;
  /**
   * Requests whose caller gave up (abort or deadline) before their handler
   * started.
   */
  readonly cancelled: number;
  /** Requests refused without running: over `maxPending`, or while stopping. */
  readonly rejected: number;
}

const EMPTY = new Uint8Array(0);
/** The longest delay `setTimeout` honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const decoder = new TextDecoder();

/** One request held by the responder. */
class Job {
  controller: AbortController | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The caller is gone (cancelled, or past its deadline): send nothing. */
  gone = false;
  queued = true;

  constructor(
    readonly reply: string,
    readonly req: unknown,
    readonly deadline: number | undefined,
    readonly metadata: Readonly<Record<string, string>> | undefined,
    readonly received: number,
  ) {}
}

class NatsResponder implements NatsServer {
  readonly #nc: NatsConnection;
  readonly #connection: ConnectionState;
  readonly #service: Service<unknown, unknown>;
  readonly #codec: Codec;
  readonly #concurrency: number;
  readonly #maxPending: number;
  readonly #maxRequestBytes: number | undefined;
  readonly #name: string;
  readonly #sub: Subscription;
  readonly #control: Subscription[];
  readonly #jobs = new Map<string, Job>();
  readonly #waiting: Job[] = [];
  #head = 0;
  readonly #stopped = Promise.withResolvers<void>();
  #state: ServerState = "open";
  /** Whether requests are taken: until the drain of the subscription ends. */
  #intake = true;
  readonly #onError: ((error: unknown, context: string) => void) | undefined;
  #closing: Promise<void> | undefined;
  #draining = false;
  queued = 0;
  inFlight = 0;
  served = 0;
  failed = 0;
  cancelled = 0;
  rejected = 0;

  constructor(
    nc: NatsConnection,
    readonly subject: string,
    service: Service<unknown, unknown>,
    readonly queue: string,
    codec: Codec,
    concurrency: number,
    maxPending: number,
    maxRequestBytes: number | undefined,
    name: string,
    onError: ((error: unknown, context: string) => void) | undefined,
  ) {
    this.#onError = onError;
    this.#nc = nc;
    this.#connection = connectionState(nc);
    this.#service = service;
    this.#codec = codec;
    this.#concurrency = concurrency;
    this.#maxPending = maxPending;
    this.#maxRequestBytes = maxRequestBytes;
    this.#name = name;
    this.closed = this.#stopped.promise;
    this.#sub = nc.subscribe(subject, {
      queue,
      callback: (err, msg) => {
        if (err === null) this.#onRequest(msg);
      },
    });
    this.#control = [
      nc.subscribe(cancelSubject(subject), {
        callback: (err, msg) => {
          if (err === null) this.#onCancel(msg);
        },
      }),
      nc.subscribe(probeSubject(subject), {
        callback: (err, msg) => {
          if (err === null) this.#onProbe(msg);
        },
      }),
    ];
  }

  readonly closed: Promise<void>;

  #onRequest(msg: Msg): void {
    const reply = msg.reply;
    if (reply === undefined || reply === "") {
      // A plain publish: there is nobody to answer, so it is counted and
      // reported, never handed to the service.
      this.failed++;
      this.#report(
        new TypeError(
          `a message on ${msg.subject} had no reply subject: call serveNats() services with natsClient() (or nc.request()), not nc.publish()`,
        ),
        `serveNats() ${this.#name}`,
      );
      return;
    }
    if (!this.#intake) {
      this.rejected++;
      this.#replyError(
        reply,
        new OverloadedError(
          `server ${this.#name} is stopping and took no new request; retry (another member of queue group ${this.queue} may serve it)`,
        ),
      );
      return;
    }
    const limit = this.#maxRequestBytes ?? this.#nc.info?.max_payload;
    if (limit !== undefined && msg.data.length > limit) {
      this.failed++;
      this.#replyError(
        reply,
        new PayloadError(
          this.subject,
          "request",
          "too-large",
          msg.data.length,
          limit,
        ),
      );
      return;
    }
    const now = Date.now();
    const context = readContext(msg.headers, now);
    if (context instanceof MalformedMessageError) {
      this.failed++;
      this.#replyError(reply, context);
      return;
    }
    let req: unknown;
    try {
      req = this.#codec.decode(msg.data);
    } catch (err) {
      this.failed++;
      this.#replyError(
        reply,
        new MalformedMessageError(
          `request: the codec could not decode it (${
            err instanceof Error ? err.message : String(err)
          })`,
          `a caller of ${this.#name}`,
        ),
      );
      return;
    }
    const job = new Job(reply, req, context.deadline, context.metadata, now);
    if (job.deadline !== undefined && job.deadline <= now) {
      // The caller has stopped waiting: never start it.
      this.cancelled++;
      return;
    }
    this.#jobs.set(reply, job);
    if (this.inFlight < this.#concurrency) {
      job.queued = false;
      this.#run(job);
      return;
    }
    if (this.queued >= this.#maxPending) {
      this.#jobs.delete(reply);
      this.rejected++;
      this.#replyError(
        reply,
        new OverloadedError(
          `server ${this.#name} has ${this.queued} requests waiting (maxPending); retry later`,
        ),
      );
      return;
    }
    this.queued++;
    this.#waiting.push(job);
  }

  #run(job: Job): void {
    this.inFlight++;
    const controller = new AbortController();
    job.controller = controller;
    const options: CallOptions = {
      signal: controller.signal,
      ...(job.deadline === undefined ? {} : { deadline: job.deadline }),
      ...(job.metadata === undefined ? {} : { metadata: job.metadata }),
    };
    // A deadline beyond setTimeout's range (~24 days) is as good as none.
    if (
      job.deadline !== undefined && job.deadline - job.received <= MAX_TIMER_MS
    ) {
      job.timer = setTimeout(() => {
        job.timer = undefined;
        job.gone = true; // the caller rejected itself at its deadline
        controller.abort(
          new TimeoutError(
            job.deadline! - job.received,
            Date.now() - job.received,
            methodOf(job.req),
          ),
        );
      }, job.deadline - Date.now());
    }
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(this.#service.call(job.req, options));
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (value) => this.#finish(job, true, value),
      (err) => this.#finish(job, false, err),
    );
  }

  #finish(job: Job, ok: boolean, outcome: unknown): void {
    this.inFlight--;
    this.#jobs.delete(job.reply);
    if (job.timer !== undefined) clearTimeout(job.timer);
    if (ok) {
      if (this.#replyValue(job, outcome)) this.served++;
      else this.failed++;
    } else {
      this.failed++;
      if (!job.gone) this.#replyError(job.reply, outcome);
    }
    this.#next();
  }

  /** Starts waiting jobs while there is room; stops when all is done. */
  #next(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.inFlight < this.#concurrency && this.queued > 0) {
        const job = this.#waiting[this.#head];
        this.#waiting[this.#head++] = undefined as unknown as Job;
        if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
          this.#waiting.splice(0, this.#head);
          this.#head = 0;
        }
        if (!job.queued) continue; // cancelled while waiting
        this.queued--;
        job.queued = false;
        if (job.deadline !== undefined && job.deadline <= Date.now()) {
          this.#jobs.delete(job.reply);
          this.cancelled++;
          continue;
        }
        this.#run(job);
      }
    } finally {
      this.#draining = false;
    }
    if (this.queued === 0 && this.#waiting.length > 0) {
      // Whatever is left was cancelled while waiting.
      this.#waiting.length = 0;
      this.#head = 0;
    }
    this.#maybeStop();
  }

  #replyValue(job: Job, value: unknown): boolean {
    if (job.gone) return true;
    let body: Uint8Array;
    try {
      body = this.#codec.encode(value);
    } catch (err) {
      this.#replyError(
        job.reply,
        new PayloadError(
          this.subject,
          "response",
          "unencodable",
          undefined,
          undefined,
          { cause: err },
        ),
      );
      return false;
    }
    const limit = this.#nc.info?.max_payload;
    if (limit !== undefined && body.length > limit) {
      this.#replyError(
        job.reply,
        new PayloadError(
          this.subject,
          "response",
          "too-large",
          body.length,
          limit,
        ),
      );
      return false;
    }
    this.#publish(job.reply, body);
    return true;
  }

  #replyError(reply: string, error: unknown): void {
    let body: Uint8Array;
    try {
      body = new TextEncoder().encode(
        JSON.stringify(withoutStacks(encodeError(error))),
      );
    } catch {
      body = new TextEncoder().encode(
        JSON.stringify({
          kind: "error",
          type: "Error",
          message: "unencodable error",
        }),
      );
    }
    const hdrs = natsHeaders();
    hdrs.set(STATUS_HEADER, "error");
    this.#publish(reply, body, hdrs);
  }

  #publish(
    subject: string,
    body: Uint8Array,
    hdrs?: ReturnType<typeof natsHeaders>,
  ): void {
    // While the connection is down a reply would only wait in a buffer for
    // a caller that has already been failed (its own connection watch or
    // its probe did that).
    if (this.#connection.down) return;
    try {
      this.#nc.publish(
        subject,
        body,
        hdrs === undefined ? undefined : { headers: hdrs },
      );
    } catch {
      // The connection is closed: the caller's own watch rejects the call.
    }
  }

  #onCancel(msg: Msg): void {
    let body: unknown;
    try {
      body = JSON.parse(decoder.decode(msg.data));
    } catch {
      return; // not ours to answer: a cancel has no reply
    }
    if (body === null || typeof body !== "object") return;
    const { call, reason } = body as { call?: unknown; reason?: unknown };
    if (typeof call !== "string") return;
    const job = this.#jobs.get(call);
    if (job === undefined) return;
    job.gone = true;
    if (job.queued) {
      job.queued = false;
      this.queued--;
      this.#jobs.delete(call);
      this.cancelled++;
      this.#maybeStop();
      return;
    }
    const why =
      reason !== undefined && checkWireError(reason, "reason") === undefined
        ? decodeError(reason as Parameters<typeof decodeError>[0])
        : new DOMException("the caller aborted the call", "AbortError");
    job.controller?.abort(why);
  }

  #onProbe(msg: Msg): void {
    if (msg.reply === undefined) return;
    if (this.#jobs.has(decoder.decode(msg.data))) {
      this.#publish(msg.reply, EMPTY);
    }
  }

  #report(error: unknown, context: string): void {
    if (this.#onError !== undefined) {
      try {
        this.#onError(error, context);
        return;
      } catch (handlerError) {
        error = new AggregateError(
          [error, handlerError],
          `${context}: onError threw too`,
        );
      }
    }
    try {
      console.error(`norpc: ${context}:`, error);
    } catch {
      // stderr is gone: nothing else to do
    }
  }

  get state(): ServerState {
    return this.#state;
  }

  get name(): string {
    return this.#name;
  }

  #maybeStop(): void {
    if (
      this.#intake || this.#state === "stopped" || this.inFlight > 0 ||
      this.queued > 0
    ) {
      return;
    }
    this.#state = "stopped";
    for (const sub of this.#control) {
      try {
        sub.unsubscribe();
      } catch {
        // the connection is closed
      }
    }
    // Replies are in the connection's buffer now; `nc.drain()` flushes them
    // (no flush here: it would hang while the connection is down).
    this.#stopped.resolve();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#state === "open") this.#state = "closing";
      try {
        // Requests NATS routed here before the unsubscribe still arrive and
        // are served; new ones go to the other members.
        await this.#sub.drain();
      } catch {
        // the connection is closed or draining
      }
      this.#intake = false;
      this.#maybeStop();
      await this.closed;
    })();
    return this.#closing;
  }

  abort(reason?: unknown): Promise<void> {
    const why = reason ?? new DOMException("server aborted", "AbortError");
    this.#intake = false;
    if (this.#state === "open" || this.#state === "closing") {
      this.#state = "aborting";
      try {
        this.#sub.unsubscribe();
      } catch {
        // the connection is closed
      }
    }
    for (const job of this.#jobs.values()) {
      if (job.queued) {
        job.queued = false;
        this.queued--;
        this.#jobs.delete(job.reply);
        this.rejected++;
        this.#replyError(
          job.reply,
          new OverloadedError(
            `server ${this.#name} was aborted before handling the request; retry`,
            { cause: why },
          ),
        );
      } else {
        job.controller?.abort(why);
      }
    }
    this.#maybeStop();
    return this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function methodOf(req: unknown): string | undefined {
  if (req !== null && typeof req === "object") {
    const method = (req as { method?: unknown }).method;
    if (typeof method === "string") return method;
  }
  return undefined;
}

/**
 * Serves `service` on a NATS subject: each request is decoded, handed to
 * `service.call` with its call context (`signal` aborted when the caller
 * aborts or its deadline passes, `deadline` on this side's clock,
 * `metadata` from the headers), and answered with the response or the
 * error, typed. Malformed or oversized requests are answered with a
 * `MalformedMessageError` or `PayloadError`; nothing a caller sends can
 * crash the responder.
 *
 * The subscription is live at the NATS server once `await nc.flush()`
 * resolves: flush before telling anyone the service is up.
 *
 * Run several processes on one subject and `queue` group to share the load
 * and survive the loss of one: callers whose responder dies get a
 * `NatsUnavailableError` fast (see `natsClient`'s `probeAfter`), and the
 * `retry` layer resends idempotent calls to the survivors.
 *
 * @param nc A connection from `connect()` of `@nats-io/transport-node`.
 * @param subject The subject to serve, e.g. `"shop.inventory"` (wildcards allowed).
 * @param service Handles the requests: e.g. `inventoryServer(impl)`.
 * @param options `queue`, `codec`, `concurrency`, `maxPending`,
 * `maxRequestBytes`, `name`, `onError`.
 * @returns The running server.
 * @throws {InvalidOptionError} on an invalid subject or option.
 * @throws {TypeError} when `nc` or `service` is not what it should be.
 * @throws {NatsUnavailableError} when `nc` is closed or draining.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nats-io/transport-node";
 * import { serveNats } from "@norpc/norpc/nats";
 * import { helloWorldServer } from "./hello_world.gen.ts";
 *
 * const nc = await connect({ servers: "127.0.0.1:4222" });
 * const server = serveNats(nc, "hello", helloWorldServer({
 *   hello: (name) => `Hello, ${name}!`,
 * }), { queue: "hello" });
 * Deno.addSignalListener("SIGTERM", () => server.close().then(() => nc.drain()));
 * ```
 */
export function serveNats<Req, Res>(
  nc: NatsConnection,
  subject: string,
  service: Service<Req, Res>,
  options?: ServeNatsOptions,
): NatsServer {
  if (
    nc === null || typeof nc !== "object" ||
    typeof (nc as Partial<NatsConnection>).subscribe !== "function"
  ) {
    throw new TypeError(
      "serveNats() expects a NATS connection: const nc = await connect({ servers }) from @nats-io/transport-node",
    );
  }
  validateSubject("subject", subject, true);
  if (
    service === null || typeof service !== "object" ||
    typeof (service as Partial<Service<Req, Res>>).call !== "function"
  ) {
    throw new TypeError(
      "serveNats() expects a Service (an object with a call(req, options) method): wrap a function with serviceFn(fn)",
    );
  }
  checkOptions("serveNats()", options, [
    "queue",
    "codec",
    "concurrency",
    "maxPending",
    "maxRequestBytes",
    "name",
    "onError",
  ]);
  const queue = nameOption("queue", options?.queue, "norpc");
  if (!isUsable(nc)) {
    throw new NatsUnavailableError(subject, "connection-closed");
  }
  return new NatsResponder(
    nc,
    subject,
    service as Service<unknown, unknown>,
    queue,
    codecOption(options?.codec, jsonCodec),
    countOption("concurrency", options?.concurrency, Infinity, true),
    countOption("maxPending", options?.maxPending, 1024, false),
    options?.maxRequestBytes === undefined
      ? undefined
      : countOption("maxRequestBytes", options.maxRequestBytes, 0, false),
    nameOption("name", options?.name, subject),
    onErrorOption(options?.onError),
  );
}

function onErrorOption(
  value: unknown,
): ((error: unknown, context: string) => void) | undefined {
  if (value === undefined || typeof value === "function") {
    return value as ((error: unknown, context: string) => void) | undefined;
  }
  throw new InvalidOptionError(
    "onError",
    value,
    "a function (error, context) => void, or nothing",
  );
}
