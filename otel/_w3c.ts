/**
 * Internal: the W3C Trace Context codec (`traceparent`, `tracestate`) over a
 * call's `metadata`. Built in rather than taken from the global propagator,
 * so context crosses every transport whether or not an SDK (or Deno's
 * built-in telemetry) registered one.
 *
 * @module
 */

import {
  type Context,
  createTraceState,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  type SpanContext,
  trace,
} from "@opentelemetry/api";
import type { CallOptions } from "../mod.ts";

/** The metadata key of the W3C trace parent. */
export const TRACEPARENT = "traceparent";
/** The metadata key of the W3C trace state. */
export const TRACESTATE = "tracestate";

// version 00: "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>". Later
// versions may append fields after another "-", which version 00 ignores.
const TRACEPARENT_PATTERN =
  /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The options to pass downstream: `options` with the span's context written
 * into a new frozen `metadata` (the caller's object is never modified). An
 * invalid span context (no SDK and no parent) leaves `options` as they are.
 */
export function injectTraceContext(
  options: CallOptions | undefined,
  spanContext: SpanContext,
): CallOptions | undefined {
  // The identity check first: it is what a no-op tracer returns, cheaply.
  if (
    spanContext === INVALID_SPAN_CONTEXT || !isSpanContextValid(spanContext)
  ) {
    return options;
  }
  const metadata: Record<string, string> = { ...options?.metadata };
  metadata[TRACEPARENT] = `00-${spanContext.traceId}-${spanContext.spanId}-${
    (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0")
  }`;
  const traceState = spanContext.traceState?.serialize();
  // A tracestate left over from upstream belongs to another span.
  if (traceState) metadata[TRACESTATE] = traceState;
  else delete metadata[TRACESTATE];
  return { ...options, metadata: Object.freeze(metadata) };
}

/**
 * `base` with the remote span context found in `metadata` as its parent, or
 * `base` itself when `metadata` carries no valid `traceparent`.
 */
export function extractTraceContext(
  base: Context,
  metadata: Readonly<Record<string, string>> | undefined,
): Context {
  const header = metadata?.[TRACEPARENT];
  if (typeof header !== "string") return base;
  const match = TRACEPARENT_PATTERN.exec(header.trim());
  // Version ff is forbidden; version 00 has exactly four fields.
  if (match === null || match[1] === "ff" || (match[1] === "00" && match[5])) {
    return base;
  }
  const rawState = metadata?.[TRACESTATE];
  const spanContext: SpanContext = {
    traceId: match[2],
    spanId: match[3],
    traceFlags: parseInt(match[4], 16),
    isRemote: true,
    traceState: typeof rawState === "string"
      ? createTraceState(rawState)
      : undefined,
  };
  if (!isSpanContextValid(spanContext)) return base;
  return trace.setSpanContext(base, spanContext);
}
