/**
 * Tracing across NATS: `traceClient` over `natsClient` injects `traceparent`
 * into the call's metadata, which crosses as a NATS header, and
 * `traceServer` under `serveNats` continues the same trace.
 */

import assert from "node:assert/strict";
import { SpanKind } from "@opentelemetry/api";
import { connect } from "@nats-io/transport-node";
import { ServiceBuilder, serviceFn } from "@norpc/norpc";
import { natsClient, serveNats } from "@norpc/norpc/nats";
import { traceClient, traceServer } from "@norpc/norpc/otel";
import { HelloWorldClient } from "../../examples/hello_world/hello_world.gen.ts";
import type {
  HelloWorldRequest,
  HelloWorldResponse,
} from "../../examples/hello_world/hello_world.gen.ts";
import { idOf, installSdk, only } from "../otel/_sdk.ts";
import { natsTest, startNatsServer } from "./_nats_server.ts";

natsTest(
  "nats + otel: the server span continues the client's trace across NATS",
  async () => {
    await using sdk = installSdk();
    await using server = await startNatsServer();
    const responder = await connect({ servers: server.url });
    const caller = await connect({ servers: server.url });
    try {
      const served = serveNats(
        responder,
        "hello",
        new ServiceBuilder<HelloWorldRequest, HelloWorldResponse>()
          .layer(traceServer({ service: "HelloWorld" }))
          .service(serviceFn((req) => `Hello, ${req.args[0]}!`)),
      );
      await responder.flush();
      const hello = new HelloWorldClient(
        new ServiceBuilder<HelloWorldRequest, HelloWorldResponse>()
          .layer(traceClient({ service: "HelloWorld" }))
          .service(natsClient(caller, "hello")),
      );
      await sdk.tracer.startActiveSpan("caller", async (span) => {
        assert.equal(await hello.hello("trace"), "Hello, trace!");
        span.end();
      });
      const spans = await sdk.spans();
      const root = only(spans, "caller", SpanKind.INTERNAL);
      const client = only(spans, "HelloWorld/hello", SpanKind.CLIENT);
      const serverSpan = only(spans, "HelloWorld/hello", SpanKind.SERVER);
      assert.equal(client.parentSpanContext?.spanId, idOf(root));
      assert.equal(serverSpan.parentSpanContext?.spanId, idOf(client));
      assert.equal(
        serverSpan.spanContext().traceId,
        root.spanContext().traceId,
      );
      await served.close();
    } finally {
      await caller.close();
      await responder.close();
    }
  },
);
