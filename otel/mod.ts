/**
 * OpenTelemetry tracing for norpc: {@linkcode traceClient} opens a `CLIENT`
 * span per call and carries its W3C trace context in the call's `metadata`;
 * {@linkcode traceServer} opens the matching `SERVER` span, parented to it,
 * across any transport. Spans are named `service/method` and carry the RPC
 * semantic-convention attributes (`rpc.system` = `norpc`, `rpc.service`,
 * `rpc.method`).
 *
 * Depends only on `npm:@opentelemetry/api`. Spans go wherever the
 * registered tracer provider sends them: an SDK you set up, or Deno's
 * built-in OpenTelemetry (`OTEL_DENO=true deno run …`). With neither, every
 * span is a no-op.
 *
 * @example Tracing both sides of a service
 * ```ts
 * import { ServiceBuilder, serviceFn, spawn } from "@norpc/norpc";
 * import { traceClient, traceServer } from "@norpc/norpc/otel";
 * import assert from "node:assert/strict";
 *
 * type Req = { method: "upper"; args: [string] };
 * await using upper = spawn(
 *   new ServiceBuilder<Req, string>()
 *     .layer(traceServer({ service: "Upper" }))
 *     .service(serviceFn((req: Req) => req.args[0].toUpperCase())),
 * );
 * const client = new ServiceBuilder<Req, string>()
 *   .layer(traceClient({ service: "Upper" }))
 *   .service(upper.client);
 * // Without a tracer provider the spans are no-ops; the call is unchanged.
 * assert.equal(await client.call({ method: "upper", args: ["hi"] }), "HI");
 * ```
 *
 * @module
 */

export { traceClient } from "./trace_client.ts";
export { traceServer } from "./trace_server.ts";
export type { SpanStarter, TraceOptions } from "./options.ts";
// Re-exported for the docs: the public signatures above refer to them.
export type { CallOptions, Layer, Service } from "../mod.ts";
