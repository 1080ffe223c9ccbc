/**
 * The {@linkcode traceClient} layer: a CLIENT span per call, its context
 * carried to the server in the call's metadata.
 *
 * @module
 */

import { SpanKind } from "@opentelemetry/api";
import type { Layer, Service } from "../mod.ts";
import type { TraceOptions } from "./options.ts";
import { traceConfig } from "./_span.ts";
import { TracedService } from "./_traced.ts";

/**
 * Opens a `CLIENT` span around every call, named `service/method` (the
 * request's `method` field), with the RPC semantic-convention attributes
 * `rpc.system` = `norpc`, `rpc.service` and `rpc.method`. The span is the
 * active one while the inner service is called, and its W3C `traceparent`
 * and `tracestate` travel in the call's `metadata` (a new frozen object; the
 * caller's is never modified), so a {@linkcode traceServer} on the other
 * side of any transport parents its span to this one.
 *
 * A failed call records the exception and an `ERROR` status;
 * `rpc.response.status_code` tells a timeout (`DEADLINE_EXCEEDED`) and the
 * caller's abort (`CANCELLED`) from other errors (`ERROR`), and `error.type`
 * holds the error's name. The outcome itself passes through untouched, and
 * an exception from the tracer is reported, never thrown at the caller.
 *
 * Without an SDK (no tracer provider registered) a span is a no-op and the
 * layer costs well under a microsecond per call.
 *
 * @typeParam Req The request type (generated requests carry `method`).
 * @typeParam Res The response type.
 * @param options `service` (span-name prefix and `rpc.service`) and
 * `tracer`; both optional.
 * @returns A layer tracing the calls of the service it wraps.
 * @throws {InvalidOptionError} on an unknown option key or a bad value.
 *
 * @example The span's context travels in the metadata
 * ```ts
 * import { serviceFn, ServiceBuilder } from "@norpc/norpc";
 * import { traceClient } from "@norpc/norpc/otel";
 * import {
 *   InMemorySpanExporter,
 *   SimpleSpanProcessor,
 *   TracerProvider,
 * } from "@opentelemetry/sdk-trace";
 * import assert from "node:assert/strict";
 *
 * const exporter = new InMemorySpanExporter();
 * const provider = new TracerProvider({
 *   spanProcessors: [new SimpleSpanProcessor({ exporter })],
 * });
 * type Req = { method: "ping" };
 * const server = serviceFn((_req: Req, options) => options.metadata?.traceparent);
 * const client = new ServiceBuilder<Req, string | undefined>()
 *   .layer(traceClient({ service: "Echo", tracer: provider.getTracer("example") }))
 *   .service(server);
 *
 * const traceparent = await client.call({ method: "ping" });
 * await provider.forceFlush();
 * const [span] = exporter.getFinishedSpans();
 * assert.equal(span.name, "Echo/ping");
 * assert.equal(span.attributes["rpc.system"], "norpc");
 * const { traceId, spanId } = span.spanContext();
 * assert.equal(traceparent, `00-${traceId}-${spanId}-01`);
 * ```
 */
export function traceClient<Req, Res>(
  options?: TraceOptions,
): Layer<Service<Req, Res>, Service<Req, Res>> {
  const config = traceConfig("traceClient", options);
  return (inner) => new TracedService(inner, config, SpanKind.CLIENT);
}
