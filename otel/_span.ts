/**
 * Internal: what both tracing layers share — option validation, span
 * attributes, and how a call's outcome is written onto its span.
 *
 * @module
 */

import {
  type Attributes,
  type Span,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { type CallOptions, InvalidOptionError } from "../mod.ts";
import type { TraceOptions } from "./options.ts";

/** The instrumentation scope name of the default tracer. */
export const SCOPE = "@norpc/norpc/otel";

const OPTION_KEYS: readonly string[] = ["service", "tracer"];

/** What a layer needs, resolved once at construction. */
export interface TraceConfig {
  readonly tracer: Tracer;
  readonly service: string | undefined;
}

/**
 * Validates `options` of `where` (`traceClient` or `traceServer`) and fills
 * in the defaults.
 *
 * @throws {InvalidOptionError} naming the option.
 */
export function traceConfig(where: string, options: unknown): TraceConfig {
  if (options === undefined) {
    return { tracer: trace.getTracer(SCOPE), service: undefined };
  }
  if (
    options === null || typeof options !== "object" || Array.isArray(options)
  ) {
    throw new InvalidOptionError(
      `${where} options`,
      options,
      'an options object such as { service: "Bank" }, or nothing',
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new InvalidOptionError(
        key,
        (options as Record<string, unknown>)[key],
        `no such option of ${where}; valid options: ${OPTION_KEYS.join(", ")}`,
      );
    }
  }
  const { service, tracer } = options as TraceOptions;
  if (
    service !== undefined && (typeof service !== "string" || service === "")
  ) {
    throw new InvalidOptionError(
      `${where}.service`,
      service,
      "a non-empty string naming the service, such as bankService.name",
    );
  }
  if (
    tracer !== undefined &&
    (tracer === null || typeof tracer !== "object" ||
      typeof tracer.startSpan !== "function")
  ) {
    throw new InvalidOptionError(
      `${where}.tracer`,
      tracer,
      "an OpenTelemetry Tracer, such as trace.getTracer(name)",
    );
  }
  // Any Tracer fits SpanStarter; startSpan is all the layers call.
  return {
    tracer: (tracer as Tracer | undefined) ?? trace.getTracer(SCOPE),
    service,
  };
}

/** The request's `method` when it is a string (generated requests have one). */
export function methodOf(req: unknown): string {
  if (typeof req === "object" && req !== null) {
    const method = (req as { method?: unknown }).method;
    if (typeof method === "string") return method;
  }
  return "call";
}

/** The span name for a method: `service/method`, or the method alone. */
export function spanName(config: TraceConfig, method: string): string {
  return config.service === undefined ? method : `${config.service}/${method}`;
}

/** The RPC semantic-convention attributes of a call. */
export function rpcAttributes(config: TraceConfig, method: string): Attributes {
  return config.service === undefined
    ? { "rpc.system": "norpc", "rpc.method": method }
    : {
      "rpc.system": "norpc",
      "rpc.service": config.service,
      "rpc.method": method,
    };
}

/**
 * Records a failed call on `span` and ends it: the exception, an ERROR
 * status, and `error.type` plus `rpc.response.status_code` telling a timeout
 * (`DEADLINE_EXCEEDED`) and an abort (`CANCELLED`) from other errors
 * (`ERROR`).
 */
export function endFailed(
  span: Span,
  error: unknown,
  options: CallOptions | undefined,
): void {
  const name = errorName(error);
  const signal = options?.signal;
  const aborted = signal != null && signal.aborted && error === signal.reason;
  const code = name === "TimeoutError"
    ? "DEADLINE_EXCEEDED"
    : aborted || name === "AbortError"
    ? "CANCELLED"
    : "ERROR";
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error) span.recordException(error);
  else span.recordException({ name, message });
  span.setAttributes({
    "error.type": name,
    "rpc.response.status_code": code,
  });
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: code === "ERROR" ? message : `${code}: ${message}`,
  });
  span.end();
}

/** The error's class name (`TimeoutError`, `AbortError`, …), for `error.type`. */
function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  if (
    typeof error === "object" && error !== null &&
    typeof (error as { name?: unknown }).name === "string"
  ) {
    return (error as { name: string }).name;
  }
  return typeof error;
}

/**
 * Reports an exception thrown by the tracing machinery (a user's tracer or
 * span processor) without failing the call and without ending the process.
 */
export function reportTracingError(context: string, error: unknown): void {
  try {
    console.error(`norpc/otel: ${context} threw (the call goes on):`, error);
  } catch {
    // console.error itself failed (a closed stderr): nothing else to do.
  }
}
