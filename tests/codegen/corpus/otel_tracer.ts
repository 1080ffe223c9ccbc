// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// OpenTelemetry API: Tracer (overloads with a generic function parameter
// and a `ReturnType<F>` result).
export interface SpanOptions {
  attributes?: Record<string, string | number | boolean>;
  startTime?: number;
}
export interface Span {
  end(endTime?: number): void;
  isRecording(): boolean;
}
export interface Context {
  getValue(key: symbol): unknown;
}

/** Tracer provides an interface for creating spans. */
export interface Tracer {
  /** Starts a new span. */
  startSpan(name: string, options?: SpanOptions, context?: Context): Span;
  /** Starts a new span and calls `fn` with it as the active span. */
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
}

export const SOURCE = "open-telemetry/opentelemetry-js api/src/trace/tracer.ts";
