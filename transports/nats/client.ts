/**
 * The calling side of the NATS transport: {@linkcode natsClient}.
 *
 * @module
 */

import {
  type CallOptions,
  HandlerError,
  NorpcError,
  type Service,
  TimeoutError,
} from "../../mod.ts";
import {
  checkWireError,
  decodeError,
  encodeReason,
  MalformedMessageError,
} from "../_wire.ts";
import {
  createInbox,
  headers as natsHeaders,
  type Msg,
  type MsgHdrs,
  type Subscription,
} from "@nats-io/transport-node";
import {
  type CancelBody,
  cancelSubject,
  contextHeaders,
  probeSubject,
  STATUS_HEADER,
  validateSubject,
  withoutStacks,
} from "./_protocol.ts";
import { checkOptions, codecOption, durationOption } from "./_options.ts";
import { type Codec, jsonCodec } from "./codec.ts";
import {
  type ConnectionState,
  connectionState,
  isUsable,
} from "./_connection.ts";
import type { NatsConnection } from "./connection.ts";
import { NatsUnavailableError, PayloadError } from "./errors.ts";

/**
 * Options of {@linkcode natsClient}.
 *
 * @example
 * ```ts
 * import type { NatsClientOptions } from "@norpc/norpc/nats";
 *
 * const options: NatsClientOptions = { probeAfter: 250 };
 * ```
 */
export interface NatsClientOptions {
  /** How requests and responses become bytes; default `jsonCodec`. */
  codec?: Codec;
  /**
   * Liveness: a call that has had no answer for `probeAfter` ms asks the
   * queue group whether a member still holds it; when none answers within
   * another `probeAfter` ms (or NATS says nobody listens), the call rejects
   * with `NatsUnavailableError` (`responder-lost`) instead of waiting for its
   * deadline. Milliseconds, or `false` to wait for the deadline only.
   * Default `500`.
   */
  probeAfter?: number | false;
}

const encoder = new TextEncoder();
/** The longest delay `setTimeout` honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const decoder = new TextDecoder();

/** One pending call. */
class Pending<Req, Res> {
  readonly promise: Promise<Res>;
  resolve!: (value: Res) => void;
  reject!: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  probeReply: string | undefined;
  probeSentAt = 0;
  /** When to probe next, while no probe is out. */
  probeAt = Infinity;
  onAbort: (() => void) | undefined;

  constructor(
    readonly client: NatsClient<Req, Res>,
    readonly reply: string,
    readonly req: Req,
    readonly signal: AbortSignal | undefined,
    readonly deadline: number | undefined,
    readonly started: number,
  ) {
    this.promise = new Promise<Res>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

// deno-lint-ignore no-explicit-any
type AnyPending = Pending<any, any>;

/**
 * One per connection: the inbox subscription every call's reply arrives on,
 * the pending calls, and the connection's state.
 */
class Mux {
  readonly prefix: string;
  readonly pending = new Map<string, AnyPending>();
  readonly probes = new Map<string, AnyPending>();
  readonly sub: Subscription | undefined;
  #next = 0;
  readonly state: ConnectionState;

  constructor(readonly nc: NatsConnection) {
    this.prefix = createInbox();
    this.state = connectionState(nc);
    // On a closed or draining connection no call can be made: every call
    // rejects typed (the state says closed), and nothing is subscribed.
    this.sub = isUsable(nc)
      ? nc.subscribe(`${this.prefix}.*`, {
        callback: (err, msg) => {
          if (err === null) this.#onMessage(msg);
        },
      })
      : undefined;
    this.state.listen((event) => {
      if (event === "down") this.failAll("connection-lost");
      else if (event === "closed") {
        this.failAll("connection-closed");
        muxes.delete(nc);
      }
    });
  }

  nextReply(): string {
    return `${this.prefix}.${++this.#next}`;
  }

  failAll(code: "connection-lost" | "connection-closed"): void {
    for (const call of [...this.pending.values()]) {
      call.client.fail(
        call,
        new NatsUnavailableError(call.client.subject, code),
        false,
      );
    }
  }

  #onMessage(msg: Msg): void {
    const call = this.pending.get(msg.subject);
    if (call !== undefined) {
      call.client.answer(call, msg);
      return;
    }
    const probed = this.probes.get(msg.subject);
    if (probed !== undefined) probed.client.probeAnswered(probed, msg);
    // else: an answer to a call that already settled (aborted, timed out).
  }
}

const muxes = new WeakMap<NatsConnection, Mux>();

function muxOf(nc: NatsConnection): Mux {
  let mux = muxes.get(nc);
  if (mux === undefined) {
    mux = new Mux(nc);
    muxes.set(nc, mux);
  }
  return mux;
}

function methodOf(req: unknown): string | undefined {
  if (req !== null && typeof req === "object") {
    const method = (req as { method?: unknown }).method;
    if (typeof method === "string") return method;
  }
  return undefined;
}

/** The NATS client service (see {@linkcode natsClient}). */
class NatsClient<Req, Res> implements Service<Req, Res> {
  readonly enforcesDeadline = true;
  readonly #mux: Mux;
  readonly #codec: Codec;
  readonly #probeAfter: number | false;
  readonly #cancelSubject: string;
  readonly #probeSubject: string;

  constructor(
    readonly nc: NatsConnection,
    readonly subject: string,
    codec: Codec,
    probeAfter: number | false,
  ) {
    this.#mux = muxOf(nc);
    this.#codec = codec;
    this.#probeAfter = probeAfter;
    this.#cancelSubject = cancelSubject(subject);
    this.#probeSubject = probeSubject(subject);
  }

  ready(): boolean {
    return this.#mux.sub !== undefined && !this.#mux.state.down &&
      isUsable(this.nc);
  }

  call(req: Req, options?: CallOptions): Promise<Res> {
    const signal = options?.signal ?? undefined;
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
    const mux = this.#mux;
    if (mux.sub === undefined || mux.state.closed || !isUsable(this.nc)) {
      return Promise.reject(
        new NatsUnavailableError(this.subject, "connection-closed", req),
      );
    }
    if (mux.state.down) {
      return Promise.reject(
        new NatsUnavailableError(this.subject, "connection-lost", req),
      );
    }
    let body: Uint8Array;
    let hdrs: MsgHdrs | undefined;
    try {
      const entries = contextHeaders(options);
      if (entries !== undefined) {
        hdrs = natsHeaders();
        for (const [key, value] of entries) hdrs.set(key, value);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    try {
      body = this.#codec.encode(req);
    } catch (err) {
      return Promise.reject(
        new PayloadError(
          this.subject,
          "request",
          "unencodable",
          undefined,
          undefined,
          { cause: err },
        ),
      );
    }
    const limit = this.nc.info?.max_payload;
    if (limit !== undefined && body.length > limit) {
      return Promise.reject(
        new PayloadError(
          this.subject,
          "request",
          "too-large",
          body.length,
          limit,
        ),
      );
    }
    const deadline = options?.deadline;
    const now = Date.now();
    if (deadline !== undefined && deadline !== Infinity && deadline <= now) {
      // Never send a call whose caller has already stopped waiting.
      return Promise.reject(
        new TimeoutError(0, 0, methodOf(req)),
      );
    }
    const reply = mux.nextReply();
    const call: Pending<Req, Res> = new Pending(
      this,
      reply,
      req,
      signal,
      deadline === Infinity ? undefined : deadline,
      now,
    );
    mux.pending.set(reply, call);
    try {
      this.nc.publish(this.subject, body, { reply, headers: hdrs });
    } catch (err) {
      mux.pending.delete(reply);
      return Promise.reject(
        new NatsUnavailableError(
          this.subject,
          this.nc.isClosed() ? "connection-closed" : "connection-lost",
          req,
          { cause: err },
        ),
      );
    }
    if (this.#probeAfter !== false) call.probeAt = now + this.#probeAfter;
    this.#arm(call, now);
    if (signal !== undefined) {
      call.onAbort = () => this.fail(call, signal.reason, true);
      signal.addEventListener("abort", call.onAbort, { once: true });
    }
    return call.promise;
  }

  /**
   * Arms the call's one timer for the earliest of its deadline and its next
   * liveness step (send a probe at `probeAt`; give up on an unanswered one
   * `probeAfter` ms after it was sent). Far-off times are reached in steps:
   * `setTimeout` cannot wait longer than 2^31-1 ms.
   */
  #arm(call: Pending<Req, Res>, now: number): void {
    let at = call.deadline ?? Infinity;
    if (this.#probeAfter !== false) {
      const step = call.probeReply === undefined
        ? call.probeAt
        : call.probeSentAt + this.#probeAfter;
      if (step < at) at = step;
    }
    if (at === Infinity) return;
    call.timer = setTimeout(
      () => this.#onTimer(call),
      Math.min(MAX_TIMER_MS, Math.max(0, at - now)),
    );
  }

  #onTimer(call: Pending<Req, Res>): void {
    call.timer = undefined;
    const now = Date.now();
    if (call.deadline !== undefined && now >= call.deadline) {
      this.fail(
        call,
        new TimeoutError(
          call.deadline - call.started,
          now - call.started,
          methodOf(call.req),
        ),
        true,
      );
      return;
    }
    if (this.#probeAfter !== false) {
      if (call.probeReply !== undefined) {
        if (now >= call.probeSentAt + this.#probeAfter) {
          // The probe went unanswered: nobody holds the call any more.
          this.fail(
            call,
            new NatsUnavailableError(this.subject, "responder-lost"),
            true,
          );
          return;
        }
      } else if (now >= call.probeAt) {
        this.#probe(call, now);
      }
    }
    this.#arm(call, now);
  }

  #probe(call: Pending<Req, Res>, now: number): void {
    const mux = this.#mux;
    const probeReply = mux.nextReply();
    call.probeReply = probeReply;
    call.probeSentAt = now;
    mux.probes.set(probeReply, call);
    try {
      this.nc.publish(this.#probeSubject, encoder.encode(call.reply), {
        reply: probeReply,
      });
    } catch {
      // The connection is going: the status watcher fails the call.
    }
  }

  /** A probe was answered: the responder holds the call, or nobody does. */
  probeAnswered(call: Pending<Req, Res>, msg: Msg): void {
    const mux = this.#mux;
    if (call.probeReply !== msg.subject) return;
    mux.probes.delete(msg.subject);
    call.probeReply = undefined;
    if (msg.headers?.code === 503) {
      this.fail(
        call,
        new NatsUnavailableError(this.subject, "responder-lost"),
        false,
      );
      return;
    }
    if (call.timer !== undefined) clearTimeout(call.timer);
    call.timer = undefined;
    const now = Date.now();
    if (this.#probeAfter !== false) call.probeAt = now + this.#probeAfter;
    this.#arm(call, now);
  }

  /** The reply to a call arrived. */
  answer(call: Pending<Req, Res>, msg: Msg): void {
    const hdrs = msg.headers;
    if (hdrs !== undefined) {
      if (hdrs.code === 503) {
        this.fail(
          call,
          new NatsUnavailableError(this.subject, "no-responders", call.req),
          false,
        );
        return;
      }
      if (hdrs.get(STATUS_HEADER) === "error") {
        this.fail(call, this.#decodeError(msg.data), false);
        return;
      }
    }
    let value: unknown;
    try {
      value = this.#codec.decode(msg.data);
    } catch (err) {
      this.fail(
        call,
        withCause(
          new MalformedMessageError(
            `response: the codec could not decode it (${describe(err)})`,
            `the responder on ${this.subject}`,
          ),
          err,
        ),
        false,
      );
      return;
    }
    this.#settle(call);
    call.resolve(value as Res);
  }

  #decodeError(data: Uint8Array): unknown {
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(data));
    } catch {
      return new MalformedMessageError(
        "error reply: not JSON",
        `the responder on ${this.subject}`,
      );
    }
    const problem = checkWireError(parsed, "error");
    if (problem !== undefined) {
      return new MalformedMessageError(
        problem,
        `the responder on ${this.subject}`,
      );
    }
    const error = revive(
      decodeError(parsed as Parameters<typeof decodeError>[0]),
    );
    // A responder never sends a bare value (it wraps one in HandlerError);
    // a rogue one might: the caller still gets an Error.
    return error instanceof Error || error instanceof DOMException
      ? error
      : new HandlerError(error);
  }

  /**
   * Rejects a call with `error`; `cancel` also tells the responder to stop
   * (the caller gave up while the responder may still work on it).
   */
  fail(call: Pending<Req, Res>, error: unknown, cancel: boolean): void {
    if (!this.#settle(call)) return;
    call.reject(error);
    if (!cancel) return;
    const body: CancelBody = {
      call: call.reply,
      reason: withoutStacks(encodeReason(error)),
    };
    try {
      this.nc.publish(
        this.#cancelSubject,
        encoder.encode(JSON.stringify(body)),
      );
    } catch {
      // The connection is closed: the responder's own deadline stops it.
    }
  }

  /** Forgets the call; false when it had already settled. */
  #settle(call: Pending<Req, Res>): boolean {
    const mux = this.#mux;
    if (!mux.pending.delete(call.reply)) return false;
    if (call.timer !== undefined) clearTimeout(call.timer);
    if (call.probeReply !== undefined) mux.probes.delete(call.probeReply);
    if (call.onAbort !== undefined) {
      call.signal!.removeEventListener("abort", call.onAbort);
    }
    return true;
  }
}

/** Rebuilds this transport's own errors, which the shared codec sends as NorpcError. */
function revive(error: unknown): unknown {
  if (!(error instanceof NorpcError) || error.constructor !== NorpcError) {
    return error;
  }
  const f = error as unknown as Record<string, unknown>;
  let revived: Error | undefined;
  if (error.name === "NatsUnavailableError") {
    revived = new NatsUnavailableError(
      String(f.subject),
      f.code as NatsUnavailableError["code"],
    );
  } else if (error.name === "PayloadError") {
    revived = new PayloadError(
      String(f.subject),
      f.direction === "request" ? "request" : "response",
      f.problem === "too-large" ? "too-large" : "unencodable",
      typeof f.sizeBytes === "number" ? f.sizeBytes : undefined,
      typeof f.limitBytes === "number" ? f.limitBytes : undefined,
    );
  }
  if (revived === undefined) return error;
  Object.defineProperty(revived, "message", {
    value: error.message,
    writable: true,
    configurable: true,
  });
  if ("cause" in error) withCause(revived, error.cause);
  return revived;
}

function withCause<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, "cause", {
    value: cause,
    writable: true,
    configurable: true,
  });
  return error;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A {@linkcode Service} that calls whatever serves `subject` over NATS
 * (see `serveNats`): generated clients and every layer work on it as on an
 * in-process client. The call context crosses: `deadline` (as time
 * remaining, in a header; the call rejects with `TimeoutError` at it and the
 * responder's handler is aborted), `metadata` (as headers, so `traceparent`
 * works) and `signal` (an abort rejects at once and aborts the handler's
 * signal on the responder).
 *
 * Every call gets exactly one outcome, and fails fast: no responders, a
 * connection that drops or is closed, and a responder that dies or hangs
 * (see `probeAfter`) reject at once with a {@linkcode NatsUnavailableError}
 * naming the subject; errors the handler threw arrive typed (`NorpcError`
 * subclasses with their fields, other errors with name, message and cause;
 * remote stacks are not sent).
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param nc A connection from `connect()` of `@nats-io/transport-node`.
 * @param subject The subject the service is served on, e.g. `"shop.inventory"`.
 * @param options `codec` (default JSON) and `probeAfter`.
 * @returns The service; `enforcesDeadline` is true.
 * @throws {InvalidOptionError} on an invalid subject or option.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nats-io/transport-node";
 * import { natsClient } from "@norpc/norpc/nats";
 * import { HelloWorldClient } from "./hello_world.gen.ts";
 *
 * const nc = await connect({ servers: "127.0.0.1:4222" });
 * const hello = new HelloWorldClient(natsClient(nc, "hello"));
 * console.log(await hello.hello("world", { deadline: Date.now() + 1000 }));
 * await nc.drain();
 * ```
 */
export function natsClient<Req, Res>(
  nc: NatsConnection,
  subject: string,
  options?: NatsClientOptions,
): Service<Req, Res> {
  if (
    nc === null || typeof nc !== "object" ||
    typeof (nc as Partial<NatsConnection>).publish !== "function" ||
    typeof (nc as Partial<NatsConnection>).subscribe !== "function"
  ) {
    throw new TypeError(
      "natsClient() expects a NATS connection: const nc = await connect({ servers }) from @nats-io/transport-node",
    );
  }
  validateSubject("subject", subject, false);
  checkOptions("natsClient()", options, ["codec", "probeAfter"]);
  return new NatsClient<Req, Res>(
    nc,
    subject,
    codecOption(options?.codec, jsonCodec),
    durationOption("probeAfter", options?.probeAfter, 500),
  );
}
