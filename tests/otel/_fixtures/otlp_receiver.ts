/**
 * A minimal OTLP/HTTP JSON receiver for tests: listens on 127.0.0.1 (a free
 * port), prints `{"port": n}` once listening, then one JSON line per span
 * received on `/v1/traces`. Other signals are accepted and dropped. Stop it
 * with SIGTERM.
 *
 * @module
 */

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number; message?: string };
}

interface OtlpTraces {
  resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(JSON.stringify({ port })),
}, async (request) => {
  const body = await request.text();
  if (new URL(request.url).pathname === "/v1/traces") {
    const traces = JSON.parse(body) as OtlpTraces;
    for (const resource of traces.resourceSpans ?? []) {
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          console.log(JSON.stringify({ span }));
        }
      }
    }
  }
  return new Response("{}", {
    headers: { "content-type": "application/json" },
  });
});

Deno.addSignalListener("SIGTERM", () => {
  server.shutdown();
});
await server.finished;
