/**
 * Calls a traced service in a Worker from `callers` concurrent root spans,
 * for `OTEL_DENO=true`: Deno's built-in OpenTelemetry exports both sides.
 *
 * @module
 */

import { trace } from "@opentelemetry/api";
import { spawnWorker } from "@norpc/norpc/worker";
import { traceClient } from "@norpc/norpc/otel";

type Req = { method: "hop"; args: [caller: number] };

const callers = Number(Deno.args[0] ?? 16);
await using pool = spawnWorker<Req, number>(
  new URL("./traced_worker.ts", import.meta.url),
  { size: 2 },
);
const client = traceClient<Req, number>({ service: "Worker" })(pool.client);
const tracer = trace.getTracer("worker-main");
await Promise.all(
  Array.from(
    { length: callers },
    (_, i) =>
      tracer.startActiveSpan(`caller-${i}`, async (span) => {
        span.setAttribute("test.caller", i);
        try {
          const answer = await client.call({ method: "hop", args: [i] });
          if (answer !== i) throw new Error(`caller ${i} got ${answer}`);
        } finally {
          span.end();
        }
      }),
  ),
);
