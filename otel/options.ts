/**
 * The options both tracing layers take.
 *
 * @module
 */

/**
 * Options of {@linkcode traceClient} and {@linkcode traceServer}; all
 * optional.
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import type { TraceOptions } from "@norpc/norpc/otel";
 * import assert from "node:assert/strict";
 *
 * const options: TraceOptions = {
 *   service: "Bank", // spans are named "Bank/deposit", "Bank/withdraw", …
 *   tracer: trace.getTracer("my-app"),
 * };
 * assert.equal(options.service, "Bank");
 * ```
 */
export interface TraceOptions {
  /**
   * The service's name: the `rpc.service` attribute and the prefix of every
   * span name (`service/method`). A generated file exports it as the
   * descriptor's `name` (`bankService.name`). Without it, spans are named
   * after the method alone.
   */
  service?: string;
  /**
   * The tracer to start spans with. Default: the global tracer provider's
   * tracer named `@norpc/norpc/otel` (a no-op until an SDK, or Deno's
   * built-in OpenTelemetry with `OTEL_DENO=true`, registers a provider).
   */
  tracer?: SpanStarter;
}

/**
 * What the layers need of a tracer: any OpenTelemetry `Tracer` (from
 * `npm:@opentelemetry/api`, an SDK's `provider.getTracer(name)`) fits.
 * Declared by shape, so this entry's documented types stand alone; the
 * parameters are typed `never` so that every tracer's own parameter types
 * are accepted (the layers pass OpenTelemetry's own `SpanOptions` and
 * `Context`).
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import type { SpanStarter } from "@norpc/norpc/otel";
 * import assert from "node:assert/strict";
 *
 * const tracer: SpanStarter = trace.getTracer("my-app");
 * assert.equal(typeof tracer.startSpan, "function");
 * ```
 */
export interface SpanStarter {
  /**
   * OpenTelemetry's `Tracer.startSpan(name, options, parentContext)`.
   *
   * @param name The span's name.
   * @param options The span's kind and attributes (`SpanOptions`).
   * @param parentContext The context holding the parent span (`Context`).
   * @returns The started span (`Span`).
   */
  startSpan(name: string, options: never, parentContext: never): object;
}
