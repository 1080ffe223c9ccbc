/**
 * Errors of the NATS transport.
 *
 * @module
 */

import {
  ChannelClosedError,
  NorpcError,
  OverloadedError,
  TimeoutError,
} from "../../mod.ts";

/** Why a NATS call could not be answered. */
export type NatsUnavailableCode =
  /** Nobody serves the subject (NATS answered "no responders"). */
  | "no-responders"
  /** The client's connection dropped while the call was pending, or is down. */
  | "connection-lost"
  /** The client's connection is closed for good. */
  | "connection-closed"
  /** The responder holding the call stopped answering (it died or hung). */
  | "responder-lost";

/**
 * A NATS call got no answer because there was nobody (left) to answer it:
 * no responders on the subject, the connection is down or closed, or the
 * responder holding the call died. The message names the subject. It is a
 * {@linkcode ChannelClosedError}: `value` is the request when it surely never
 * ran (`no-responders`, or refused before sending), `undefined` when it may
 * have run. With an idempotent method, {@linkcode retryableOverNats} lets the
 * `retry` layer resend it, and NATS routes it to another queue-group member.
 *
 * @example
 * ```ts
 * import { NatsUnavailableError } from "@norpc/norpc/nats";
 * import { ChannelClosedError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const err = new NatsUnavailableError("shop.inventory", "no-responders");
 * assert.ok(err instanceof ChannelClosedError);
 * assert.match(err.message, /shop\.inventory/);
 * ```
 */
export class NatsUnavailableError extends ChannelClosedError {
  /** The subject that was called. */
  readonly subject: string;
  /** Why the call got no answer. */
  readonly code: NatsUnavailableCode;

  /**
   * Creates the error.
   *
   * @param subject The subject that was called.
   * @param code Why it got no answer.
   * @param value The request, when it surely never ran.
   * @param options `cause`: the underlying NATS error, when there is one.
   */
  constructor(
    subject: string,
    code: NatsUnavailableCode,
    value?: unknown,
    options?: ErrorOptions,
  ) {
    super(`NATS call to ${subject} failed: ${HINTS[code]}`, value, options);
    this.subject = subject;
    this.code = code;
  }
}

const HINTS: Record<NatsUnavailableCode, string> = {
  "no-responders":
    "no responders (is a serveNats() process running on this subject?)",
  "connection-lost":
    "the connection to the NATS server is down (it reconnects on its own; retry later)",
  "connection-closed":
    "the NATS connection is closed (connect again to make new calls)",
  "responder-lost":
    "the responder holding the call stopped answering (it died or hangs); the call may have run",
};

/**
 * A request or response could not cross: the codec could not encode it
 * (`unencodable`, e.g. a `BigInt` with the JSON codec), or it is larger than
 * the limit (`too-large`: the responder's `maxRequestBytes`, or the NATS
 * server's `max_payload`). Only that call fails.
 *
 * @example
 * ```ts
 * import { PayloadError } from "@norpc/norpc/nats";
 * import assert from "node:assert/strict";
 *
 * const err = new PayloadError("svc", "request", "too-large", 2048, 1024);
 * assert.equal(err.limitBytes, 1024);
 * ```
 */
export class PayloadError extends NorpcError {
  /** The subject that was called. */
  readonly subject: string;
  /** Which message failed: the `request` or the `response`. */
  readonly direction: "request" | "response";
  /** What was wrong. */
  readonly problem: "unencodable" | "too-large";
  /** The encoded size, when known. */
  readonly sizeBytes: number | undefined;
  /** The limit it exceeded (`too-large`). */
  readonly limitBytes: number | undefined;

  /**
   * Creates the error.
   *
   * @param subject The subject that was called.
   * @param direction Which message failed.
   * @param problem What was wrong.
   * @param sizeBytes The encoded size, when known.
   * @param limitBytes The limit it exceeded.
   * @param options `cause`: the codec's error, for `unencodable`.
   */
  constructor(
    subject: string,
    direction: "request" | "response",
    problem: "unencodable" | "too-large",
    sizeBytes?: number,
    limitBytes?: number,
    options?: ErrorOptions,
  ) {
    super(
      problem === "too-large"
        ? `${direction} to ${subject} is ${sizeBytes} bytes, over the limit of ${limitBytes} bytes; send less, or raise maxRequestBytes / the server's max_payload`
        : `${direction} to ${subject} could not be encoded by the codec: ${
          String((options?.cause as Error | undefined)?.message ?? "")
        } (the JSON codec carries only JSON data: pass a custom codec for BigInt, Date, Map…)`,
      options,
    );
    this.subject = subject;
    this.direction = direction;
    this.problem = problem;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * A `retry` predicate for calls over NATS: what the default one retries
 * (`OverloadedError`, `TimeoutError` of an attempt) plus a
 * {@linkcode NatsUnavailableError}, so a resent call reaches another
 * queue-group member or a restarted responder. Use it only for idempotent
 * methods: a `responder-lost` call may have run.
 *
 * @param error The error an attempt failed with.
 * @returns Whether to retry.
 *
 * @example
 * ```ts
 * import { NatsUnavailableError, retryableOverNats } from "@norpc/norpc/nats";
 * import { retry } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * assert.ok(retryableOverNats(new NatsUnavailableError("s", "responder-lost")));
 * const layer = retry({ attempts: 3, retryIf: retryableOverNats });
 * ```
 */
export function retryableOverNats(error: unknown): boolean {
  return error instanceof NatsUnavailableError ||
    error instanceof OverloadedError || error instanceof TimeoutError;
}
