/**
 * What tracing costs per call: a round trip through a spawned server, bare;
 * with `traceClient` and `traceServer` and no SDK (every span a no-op); and
 * with the OpenTelemetry SDK recording into an in-memory exporter through
 * the AsyncLocalStorage context manager, with the simple span processor
 * (exports each span as it ends) and with the batch one. A group of its own gives the cost
 * of one no-op span, the floor for the layers without an SDK.
 *
 * The SDK rows run last and register their context manager on their first
 * iteration, so the rows before them see no context manager, as an
 * application without an SDK does.
 *
 * ```sh
 * deno bench bench/otel_bench.ts
 * ```
 *
 * @module
 */

import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { ServiceBuilder, serviceFn, spawn } from "@norpc/norpc";
import { traceClient, traceServer } from "@norpc/norpc/otel";

type Req = { method: "get"; args: [number] };
const REQ: Req = { method: "get", args: [1] };

const handler = serviceFn((req: Req) => req.args[0]);
const bare = spawn(handler).client;

const untraced = spawn(
  new ServiceBuilder<Req, number>()
    .layer(traceServer({ service: "Bench" }))
    .service(handler),
);
const tracedNoSdk = traceClient<Req, number>({ service: "Bench" })(
  untraced.client,
);

const exporter = new InMemorySpanExporter();

/** Client and server layers recording through `processor`. */
function recordedWith(processor: SpanProcessor) {
  const tracer = new TracerProvider({ spanProcessors: [processor] })
    .getTracer("bench");
  const recorded = spawn(
    new ServiceBuilder<Req, number>()
      .layer(traceServer({ service: "Bench", tracer }))
      .service(handler),
  );
  return traceClient<Req, number>({ service: "Bench", tracer })(
    recorded.client,
  );
}
const tracedSimple = recordedWith(new SimpleSpanProcessor({ exporter }));
const tracedBatch = recordedWith(
  new BatchSpanProcessor({ exporter, maxQueueSize: 100_000 }),
);
let contextManagerInstalled = false;
let calls = 0;

/** Registers the context manager on the first SDK iteration (see above). */
function installContextManager(): void {
  if (!contextManagerInstalled) {
    context.setGlobalContextManager(
      new AsyncLocalStorageContextManager().enable(),
    );
    contextManagerInstalled = true;
  }
}

Deno.bench(
  "bare call",
  { group: "tracing (otel)", baseline: true },
  async () => {
    await bare.call(REQ);
  },
);

Deno.bench(
  "traceClient + traceServer, no SDK",
  { group: "tracing (otel)" },
  async () => {
    await tracedNoSdk.call(REQ);
  },
);

Deno.bench(
  "traceClient + traceServer, SDK: SimpleSpanProcessor + in-memory exporter",
  { group: "tracing (otel)" },
  async () => {
    installContextManager();
    await tracedSimple.call(REQ);
    // Keeps the exporter's memory bounded; exports are asynchronous.
    if (++calls % 10_000 === 0) exporter.reset();
  },
);

Deno.bench(
  "traceClient + traceServer, SDK: BatchSpanProcessor + in-memory exporter",
  { group: "tracing (otel)" },
  async () => {
    installContextManager();
    await tracedBatch.call(REQ);
    if (++calls % 10_000 === 0) exporter.reset();
  },
);

const noopTracer = trace.getTracer("bench");

Deno.bench(
  "one no-op span (start + end)",
  { group: "tracing: one no-op span" },
  () => {
    noopTracer.startSpan("x").end();
  },
);
