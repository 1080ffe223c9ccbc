/**
 * Internal: the Worker transport's control messages (the call messages are
 * `_wire.ts`'s) and what both sides share.
 *
 * The protocol, in order: the worker posts `{ t: "ready" }` once
 * `serveWorker` listens, and the parent sends no call before it (a message
 * posted before the worker listens could be lost). The parent also posts
 * `{ t: "ping" }` when it connects, which a listening worker answers with
 * `ready` again: a parent that attached to a Worker late (connectWorker
 * after an await) would otherwise have missed the first `ready`. Then
 * `call` → `ok` | `err`, with `cancel` when the caller gives up (abort or
 * deadline). A worker about to close itself posts `{ t: "bye" }` first,
 * because the parent sees no event when a worker calls `self.close()`.
 *
 * @module
 */

import { NorpcError } from "../../mod.ts";
import { UncloneableError } from "./errors.ts";

/** The worker listens: calls may be sent. */
export const READY = { t: "ready" } as const;

/** The parent asks a worker that listens to say `ready` (again). */
export const PING = { t: "ping" } as const;

/** The worker is about to close itself; no call will be answered. */
export const BYE = { t: "bye" } as const;

/** The request's `method`, when it is a generated request. */
export function methodOf(req: unknown): string | undefined {
  const method = typeof req === "object" && req !== null
    ? (req as { method?: unknown }).method
    : undefined;
  return typeof method === "string" ? method : undefined;
}

/** Anything that can be transferred by `postMessage`. */
export type Transfer = Transferable;

/**
 * The streams and ports in `value` (itself, or nested up to three levels in
 * arrays and plain objects, e.g. a generated request's `args`): they can
 * only cross by transfer, so they are always transferred.
 *
 * @param value A request or response.
 * @param into Where to collect them.
 * @returns `into`.
 */
export function collectStreams(
  value: unknown,
  into: Transfer[] = [],
  depth = 0,
): Transfer[] {
  if (typeof value !== "object" || value === null) return into;
  if (
    value instanceof ReadableStream || value instanceof WritableStream ||
    value instanceof TransformStream || value instanceof MessagePort
  ) {
    into.push(value as Transfer);
    return into;
  }
  if (depth >= 3) return into;
  if (Array.isArray(value)) {
    for (const item of value) collectStreams(item, into, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const key in value) {
      collectStreams((value as Record<string, unknown>)[key], into, depth + 1);
    }
  }
  return into;
}

/**
 * The objects to transfer with `value`: the streams in it plus what the
 * user's `transfer` option names, or `undefined` when there are none (the
 * common case, which then posts without a transfer list). A throwing
 * `transfer` fails that call.
 */
export function transferList(
  value: unknown,
  transfer: ((value: never) => Transfer[]) | undefined,
): Transfer[] | undefined {
  let list: Transfer[] | undefined;
  if (typeof value === "object" && value !== null) {
    list = collectStreams(value);
    if (list.length === 0) list = undefined;
  }
  if (transfer !== undefined) {
    const extra = (transfer as (value: unknown) => Transfer[])(value);
    if (Array.isArray(extra) && extra.length > 0) {
      list ??= [];
      for (const item of extra) if (!list.includes(item)) list.push(item);
    }
  }
  return list;
}

/** True for the runtime's structured-clone failure. */
export function isDataCloneError(error: unknown): boolean {
  return error instanceof DOMException && error.name === "DataCloneError";
}

/**
 * Rebuilds transport errors the codec only knows as a `NorpcError` by
 * name (it knows the runtime's classes, not this transport's).
 */
export function reviveTransportError(error: unknown): unknown {
  if (
    error instanceof NorpcError && error.name === "UncloneableError" &&
    !(error instanceof UncloneableError)
  ) {
    const fields = error as unknown as { direction?: unknown };
    const revived = new UncloneableError(
      fields.direction === "request" ? "request" : "response",
      "",
      { cause: error.cause },
    );
    Object.defineProperty(revived, "message", {
      value: error.message,
      writable: true,
      configurable: true,
    });
    if (error.stack !== undefined) {
      Object.defineProperty(revived, "stack", {
        value: error.stack,
        writable: true,
        configurable: true,
      });
    }
    return revived;
  }
  return error;
}
