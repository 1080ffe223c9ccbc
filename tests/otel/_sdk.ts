/**
 * Test helper: an OpenTelemetry SDK without a collector — an in-memory
 * exporter, and the AsyncLocalStorage context manager (the stack one loses
 * the context across `await`) — registered globally for one test.
 *
 * @module
 */

import { context, SpanKind, trace, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";

/** A registered SDK; dispose it to unregister. */
export interface TestSdk extends AsyncDisposable {
  readonly tracer: Tracer;
  readonly provider: TracerProvider;
  /** Every span ended so far (exports are asynchronous: this flushes first). */
  spans(): Promise<ReadableSpan[]>;
}

/** Registers a fresh SDK as the global tracer provider and context manager. */
export function installSdk(): TestSdk {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(contextManager)) {
    throw new Error("a context manager is already registered");
  }
  if (!trace.setGlobalTracerProvider(provider)) {
    throw new Error("a tracer provider is already registered");
  }
  return {
    tracer: provider.getTracer("norpc-test"),
    provider,
    async spans() {
      await provider.forceFlush();
      return exporter.getFinishedSpans();
    },
    async [Symbol.asyncDispose]() {
      trace.disable();
      context.disable();
      contextManager.disable();
      await provider.shutdown();
    },
  };
}

/** The span's id. */
export function idOf(span: ReadableSpan): string {
  return span.spanContext().spanId;
}

/** The one span named `name` of `kind`; fails unless there is exactly one. */
export function only(
  spans: readonly ReadableSpan[],
  name: string,
  kind: SpanKind,
): ReadableSpan {
  const found = spans.filter((s) => s.name === name && s.kind === kind);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${
        SpanKind[kind]
      } span ${name}, found ${found.length} among ${
        spans.map((s) => `${SpanKind[s.kind]} ${s.name}`).join(", ")
      }`,
    );
  }
  return found[0];
}
