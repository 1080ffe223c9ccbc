/// <reference lib="deno.worker" />
/**
 * A traced service in a Worker: `traceServer` around a handler that
 * answers with the span it runs under, for the Worker parentage test.
 *
 * @module
 */

import { trace } from "@opentelemetry/api";
import { ServiceBuilder, serviceFn } from "@norpc/norpc";
import { serveWorker } from "@norpc/norpc/worker";
import { traceServer } from "@norpc/norpc/otel";

type Req = { method: "hop"; args: [caller: number] };

serveWorker(
  new ServiceBuilder<Req, number>()
    .layer(traceServer({ service: "Worker" }))
    .service(serviceFn(async (req: Req) => {
      trace.getActiveSpan()?.setAttribute("test.caller", req.args[0]);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return req.args[0];
    })),
);
