/**
 * The {@linkcode traceServer} layer: a SERVER span per call, parented to the
 * caller's span found in the call's metadata.
 *
 * @module
 */

import { SpanKind } from "@opentelemetry/api";
import type { Layer, Service } from "../mod.ts";
import type { TraceOptions } from "./options.ts";
import { traceConfig } from "./_span.ts";
import { TracedService } from "./_traced.ts";

/**
 * Opens a `SERVER` span around every call it handles, named
 * `service/method`, with the attributes `rpc.system` = `norpc`,
 * `rpc.service` and `rpc.method`. Its parent is the span whose W3C
 * `traceparent` (and `tracestate`) the call's `metadata` carries — written
 * there by {@linkcode traceClient}, so parentage survives any transport and
 * any queueing — or else the active span. The span is active while the
 * handler runs, so the calls the handler makes are its children.
 *
 * A failed call records the exception and an `ERROR` status;
 * `rpc.response.status_code` tells a timeout (`DEADLINE_EXCEEDED`) and an
 * abort (`CANCELLED`) from other errors (`ERROR`). The outcome itself passes
 * through untouched.
 *
 * Place it outermost on the server, so its span covers the whole handling.
 *
 * @typeParam Req The request type (generated requests carry `method`).
 * @typeParam Res The response type.
 * @param options `service` (span-name prefix and `rpc.service`) and
 * `tracer`; both optional.
 * @returns A layer tracing the calls of the service it wraps.
 * @throws {InvalidOptionError} on an unknown option key or a bad value.
 *
 * @example Client and server spans of one call, parent and child
 * ```ts
 * import { ServiceBuilder, serviceFn } from "@norpc/norpc";
 * import { traceClient, traceServer } from "@norpc/norpc/otel";
 * import {
 *   InMemorySpanExporter,
 *   SimpleSpanProcessor,
 *   TracerProvider,
 * } from "@opentelemetry/sdk-trace";
 * import { SpanKind } from "@opentelemetry/api";
 * import assert from "node:assert/strict";
 *
 * const exporter = new InMemorySpanExporter();
 * const provider = new TracerProvider({
 *   spanProcessors: [new SimpleSpanProcessor({ exporter })],
 * });
 * const tracer = provider.getTracer("example");
 * type Req = { method: "add"; args: [number, number] };
 *
 * // The client calls the traced handler directly here; a channel, a Worker
 * // or NATS in between carries the metadata just the same.
 * const adder = new ServiceBuilder<Req, number>()
 *   .layer(traceServer({ service: "Adder", tracer }))
 *   .service(serviceFn((req: Req) => req.args[0] + req.args[1]));
 * const client = new ServiceBuilder<Req, number>()
 *   .layer(traceClient({ service: "Adder", tracer }))
 *   .service(adder);
 *
 * assert.equal(await client.call({ method: "add", args: [2, 3] }), 5);
 * await provider.forceFlush();
 * const spans = exporter.getFinishedSpans();
 * const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
 * const caller = spans.find((s) => s.kind === SpanKind.CLIENT)!;
 * assert.equal(server.name, "Adder/add");
 * assert.equal(server.parentSpanContext?.spanId, caller.spanContext().spanId);
 * ```
 */
export function traceServer<Req, Res>(
  options?: TraceOptions,
): Layer<Service<Req, Res>, Service<Req, Res>> {
  const config = traceConfig("traceServer", options);
  return (inner) => new TracedService(inner, config, SpanKind.SERVER);
}
