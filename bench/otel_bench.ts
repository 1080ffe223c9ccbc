/**
 * What tracing costs per call: a round trip through a spawned server, bare;
 * with `traceClient` and `traceServer` and no SDK (every span a no-op); and
 * with the OpenTelemetry SDK recording into an in-memory exporter through
 * the AsyncLocalStorage context manager. A group of its own gives the cost
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
  InMemorySpanExporter,
  SimpleSpanProcessor,
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
const provider = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
const tracer = provider.getTracer("bench");
const recorded = spawn(
  new ServiceBuilder<Req, number>()
    .layer(traceServer({ service: "Bench", tracer }))
    .service(handler),
);
const tracedSdk = traceClient<Req, number>({ service: "Bench", tracer })(
  recorded.client,
);
let sdkInstalled = false;
let calls = 0;

Deno.bench("bare call", { group: "call", baseline: true }, async () => {
  await bare.call(REQ);
});

Deno.bench(
  "traceClient + traceServer, no SDK",
  { group: "call" },
  async () => {
    await tracedNoSdk.call(REQ);
  },
);

Deno.bench(
  "traceClient + traceServer, SDK + in-memory exporter",
  { group: "call" },
  async () => {
    if (!sdkInstalled) {
      context.setGlobalContextManager(
        new AsyncLocalStorageContextManager().enable(),
      );
      sdkInstalled = true;
    }
    await tracedSdk.call(REQ);
    // Keeps the exporter's memory bounded; exports are asynchronous.
    if (++calls % 10_000 === 0) exporter.reset();
  },
);

const noopTracer = trace.getTracer("bench");

Deno.bench("one no-op span (start + end)", { group: "span" }, () => {
  noopTracer.startSpan("x").end();
});
