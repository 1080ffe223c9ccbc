/**
 * Internal: the NATS transport's protocol, written down.
 *
 * - A call is a NATS request on the service's subject: the body is the
 *   request encoded by the codec; the reply subject (unique per call, under
 *   the caller's inbox) names the call. Headers carry the call context:
 *   `Norpc-Deadline` is the time remaining in ms (so clocks need not agree),
 *   every other header is a metadata entry (`traceparent` as itself).
 * - A response is a message to the reply subject: the response encoded by
 *   the codec, no headers; or a `Norpc-Status: error` header and a JSON
 *   body, the error as `transports/_wire.ts` encodes it (stack dropped:
 *   internals stay on the responder's side).
 * - A cancel (the caller aborted, or its deadline passed) is a publish to
 *   `_NORPC.cancel.<subject>` whose body is JSON `{ call, reason }`: the
 *   call's reply subject and the encoded abort reason. Every member of the
 *   queue group hears it; the one holding the call aborts its handler.
 * - A probe (a call silent for `probeAfter` ms) is a request to
 *   `_NORPC.probe.<subject>` whose body is the call's reply subject; the
 *   member holding the call (queued or running) answers with an empty body.
 *   No answer within `probeAfter` ms, or "no responders", means the call is
 *   lost.
 *
 * @module
 */

import { type CallOptions, InvalidOptionError } from "../../mod.ts";
import {
  decodeContext,
  type DecodedContext,
  encodeContext,
  type MalformedMessageError,
  type WireError,
} from "../_wire.ts";
import type { MsgHdrs } from "@nats-io/transport-node";

/** The header carrying the remaining time until the deadline, in ms. */
export const DEADLINE_HEADER = "Norpc-Deadline";
/** The header marking an error reply. */
export const STATUS_HEADER = "Norpc-Status";
/** Header prefixes reserved for norpc and NATS: not metadata. */
const RESERVED_PREFIXES = ["norpc-", "nats-"];

/** The subject cancels for `subject` go to. */
export function cancelSubject(subject: string): string {
  return `_NORPC.cancel.${subject}`;
}

/** The subject probes for `subject` go to. */
export function probeSubject(subject: string): string {
  return `_NORPC.probe.${subject}`;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks a subject: non-empty dot-separated tokens without whitespace;
 * wildcards only where `wildcards` allows (a responder may serve `a.*`).
 *
 * @throws {InvalidOptionError} naming `option`.
 */
export function validateSubject(
  option: string,
  subject: unknown,
  wildcards: boolean,
): asserts subject is string {
  const ok = typeof subject === "string" && subject.length > 0 &&
    !/\s/.test(subject) &&
    subject.split(".").every((token, i, tokens) =>
      token.length > 0 &&
      (wildcards
        ? token === "*" || (token === ">" && i === tokens.length - 1) ||
          !/[*>]/.test(token)
        : !/[*>]/.test(token))
    );
  if (!ok) {
    throw new InvalidOptionError(
      option,
      subject,
      `a NATS subject such as "shop.inventory" (dot-separated tokens, no spaces${
        wildcards ? "" : ", no wildcards"
      })`,
    );
  }
}

/**
 * Puts a call's context into headers: validates it with the shared codec,
 * then checks that metadata keys are header tokens and not reserved.
 *
 * @returns The headers to set, or `undefined` when there is no context.
 * @throws {InvalidOptionError} on a bad deadline or metadata entry.
 */
export function contextHeaders(
  options: CallOptions | undefined,
): [string, string][] | undefined {
  const wire = encodeContext(options);
  if (wire === undefined) return undefined;
  const entries: [string, string][] = [];
  if (wire.remainingMs !== undefined) {
    // Integer digits only (a huge number would print as 1e+21).
    const remaining = Math.min(
      Math.ceil(wire.remainingMs),
      Number.MAX_SAFE_INTEGER,
    );
    entries.push([DEADLINE_HEADER, String(remaining)]);
  }
  if (wire.metadata !== undefined) {
    for (const [key, value] of Object.entries(wire.metadata)) {
      const lower = key.toLowerCase();
      if (
        !TOKEN.test(key) || RESERVED_PREFIXES.some((p) => lower.startsWith(p))
      ) {
        throw new InvalidOptionError(
          "metadata",
          key,
          "keys that are header names (letters, digits, - _ . and the like) not starting with Norpc- or Nats-",
        );
      }
      if (/[\r\n]/.test(value)) {
        throw new InvalidOptionError(
          `metadata.${key}`,
          value,
          "a string without CR or LF (it travels as a NATS header)",
        );
      }
      entries.push([key, value]);
    }
  }
  return entries.length === 0 ? undefined : entries;
}

/**
 * Rebuilds a call's context from a request's headers, on this side's clock.
 *
 * @returns The context, or a typed error for a malformed header.
 */
export function readContext(
  headers: MsgHdrs | undefined,
  now: number,
): DecodedContext | MalformedMessageError {
  if (headers === undefined) return {};
  let remainingMs: number | undefined;
  let metadata: Record<string, string> | undefined;
  for (const [key, values] of headers) {
    const lower = key.toLowerCase();
    if (lower === "norpc-deadline") {
      const text = values[0] ?? "";
      remainingMs = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
      continue;
    }
    if (RESERVED_PREFIXES.some((p) => lower.startsWith(p))) continue;
    metadata ??= {};
    metadata[key] = values[values.length - 1] ?? "";
  }
  return decodeContext(
    remainingMs === undefined && metadata === undefined ? undefined : {
      ...(remainingMs === undefined ? {} : { remainingMs }),
      ...(metadata === undefined ? {} : { metadata }),
    },
    now,
    "headers",
  );
}

/** Drops `stack` from an encoded error and its causes (network boundary). */
export function withoutStacks(wire: WireError): WireError {
  const { stack: _stack, cause, errors, ...rest } = wire;
  return {
    ...rest,
    ...(cause === undefined ? {} : { cause: withoutStacks(cause) }),
    ...(errors === undefined ? {} : { errors: errors.map(withoutStacks) }),
  };
}

/** The body of a cancel message. */
export interface CancelBody {
  /** The reply subject of the call to cancel. */
  readonly call: string;
  /** The abort reason. */
  readonly reason?: WireError;
}
