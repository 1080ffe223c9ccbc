import assert from "node:assert/strict";
import {
  context,
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from "@opentelemetry/api";
import {
  type CallOptions,
  InvalidOptionError,
  type Service,
  ServiceBuilder,
  serviceFn,
  spawn,
  TimeoutError,
} from "@norpc/norpc";
import { timeout } from "@norpc/norpc/layers";
import { traceClient, traceServer } from "@norpc/norpc/otel";
import { idOf, installSdk, only } from "./_sdk.ts";

type Req = { method: "get" | "put"; args: [string] };

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";

/** A handler that answers with the options it received. */
function optionsEcho(): Service<Req, CallOptions> {
  return serviceFn((_req: Req, options: CallOptions) => options);
}

Deno.test("traceClient and traceServer: one CLIENT and one SERVER span per call, parent and child", async () => {
  await using sdk = installSdk();
  await using kv = spawn(
    new ServiceBuilder<Req, string>()
      .layer(traceServer({ service: "Kv" }))
      .service(serviceFn((req: Req) => `value of ${req.args[0]}`)),
  );
  const client = new ServiceBuilder<Req, string>()
    .layer(traceClient({ service: "Kv" }))
    .service(kv.client);

  assert.equal(await client.call({ method: "get", args: ["a"] }), "value of a");
  const spans = await sdk.spans();
  assert.equal(spans.length, 2);
  const caller = only(spans, "Kv/get", SpanKind.CLIENT);
  const server = only(spans, "Kv/get", SpanKind.SERVER);
  assert.equal(server.parentSpanContext?.spanId, idOf(caller));
  assert.equal(server.spanContext().traceId, caller.spanContext().traceId);
  assert.equal(caller.parentSpanContext, undefined);
  for (const span of spans) {
    assert.deepEqual(span.attributes, {
      "rpc.system": "norpc",
      "rpc.service": "Kv",
      "rpc.method": "get",
    });
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.equal(span.ended, true);
  }
});

Deno.test("traceClient: the client span is a child of the active span and is active below", async () => {
  await using sdk = installSdk();
  let activeBelow: string | undefined;
  const client = traceClient<Req, string>({ service: "Kv" })(
    serviceFn(() => {
      activeBelow = trace.getActiveSpan()?.spanContext().spanId;
      return "ok";
    }),
  );
  const outer = sdk.tracer.startSpan("outer");
  await context.with(
    trace.setSpan(context.active(), outer),
    () => client.call({ method: "put", args: ["x"] }),
  );
  outer.end();
  const spans = await sdk.spans();
  const span = only(spans, "Kv/put", SpanKind.CLIENT);
  assert.equal(span.parentSpanContext?.spanId, outer.spanContext().spanId);
  assert.equal(activeBelow, idOf(span));
});

Deno.test("traceClient: writes traceparent and tracestate into a new frozen metadata object", async () => {
  await using sdk = installSdk();
  const callerMetadata = Object.freeze({
    tenant: "acme",
    tracestate: "stale=1",
  });
  const callerOptions: CallOptions = { metadata: callerMetadata };
  const client = traceClient<Req, CallOptions>({ service: "Kv" })(
    optionsEcho(),
  );
  const seen = await client.call({ method: "get", args: ["a"] }, callerOptions);
  const [span] = await sdk.spans();
  const { traceId, spanId } = span.spanContext();
  assert.deepEqual(seen.metadata, {
    tenant: "acme",
    traceparent: `00-${traceId}-${spanId}-01`,
  });
  assert.ok(Object.isFrozen(seen.metadata));
  assert.notEqual(seen.metadata, callerMetadata);
  assert.notEqual(seen, callerOptions);
  assert.deepEqual(callerOptions, { metadata: callerMetadata });
  assert.deepEqual(callerMetadata, { tenant: "acme", tracestate: "stale=1" });

  // A parent's trace state is inherited by the span and travels with it.
  const withState = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState("vendor=abc"),
  });
  const child = await context.with(
    withState,
    () => client.call({ method: "get", args: ["b"] }),
  );
  assert.equal(child.metadata?.tracestate, "vendor=abc");
  assert.match(child.metadata!.traceparent, new RegExp(`^00-${TRACE_ID}-`));
});

Deno.test("traceClient: the caller's signal and deadline pass through unchanged", async () => {
  await using _sdk = installSdk();
  const client = traceClient<Req, CallOptions>()(optionsEcho());
  const signal = new AbortController().signal;
  const seen = await client.call({ method: "get", args: ["a"] }, {
    signal,
    deadline: 12345,
  });
  assert.equal(seen.signal, signal);
  assert.equal(seen.deadline, 12345);
});

Deno.test("traceServer: parents its span to the traceparent in the metadata, over the active span", async () => {
  await using sdk = installSdk();
  const server = traceServer<Req, string>({ service: "Kv" })(
    serviceFn(() => "ok"),
  );
  const unrelated = sdk.tracer.startSpan("unrelated");
  await context.with(
    trace.setSpan(context.active(), unrelated),
    () =>
      server.call({ method: "get", args: ["a"] }, {
        metadata: {
          traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
          tracestate: "vendor=abc",
        },
      }),
  );
  unrelated.end();
  const span = only(await sdk.spans(), "Kv/get", SpanKind.SERVER);
  assert.equal(span.spanContext().traceId, TRACE_ID);
  assert.equal(span.parentSpanContext?.spanId, SPAN_ID);
  assert.equal(span.parentSpanContext?.isRemote, true);
  assert.equal(span.spanContext().traceState?.get("vendor"), "abc");
});

Deno.test("traceServer: ignores a malformed traceparent and falls back to the active context", async () => {
  await using sdk = installSdk();
  const server = traceServer<Req, string>({ service: "Kv" })(
    serviceFn(() => "ok"),
  );
  const malformed = [
    "",
    "garbage",
    `00-${TRACE_ID}-${SPAN_ID}`,
    `ff-${TRACE_ID}-${SPAN_ID}-01`,
    `00-${"0".repeat(32)}-${SPAN_ID}-01`,
    `00-${TRACE_ID}-${"0".repeat(16)}-01`,
    `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
    `00-${TRACE_ID}-${SPAN_ID}-01-extra`,
  ];
  for (const traceparent of malformed) {
    await server.call({ method: "get", args: [traceparent] }, {
      metadata: { traceparent },
    });
  }
  const spans = await sdk.spans();
  assert.equal(spans.length, malformed.length);
  for (const span of spans) {
    assert.equal(span.parentSpanContext, undefined);
    assert.notEqual(span.spanContext().traceId, TRACE_ID);
  }
  // A later version may append fields; version 00's four are still read.
  await server.call({ method: "get", args: ["v1"] }, {
    metadata: { traceparent: `01-${TRACE_ID}-${SPAN_ID}-01-future` },
  });
  const future = (await sdk.spans())[malformed.length];
  assert.equal(future.parentSpanContext?.spanId, SPAN_ID);
});

Deno.test("traceServer: the server span is active while the handler runs, across awaits", async () => {
  await using sdk = installSdk();
  const seen: (string | undefined)[] = [];
  const server = traceServer<Req, string>({ service: "Kv" })(
    serviceFn(async () => {
      seen.push(trace.getActiveSpan()?.spanContext().spanId);
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(trace.getActiveSpan()?.spanContext().spanId);
      return "ok";
    }),
  );
  await server.call({ method: "get", args: ["a"] });
  const span = only(await sdk.spans(), "Kv/get", SpanKind.SERVER);
  assert.deepEqual(seen, [idOf(span), idOf(span)]);
});

Deno.test("tracing layers: a failure records the exception and an ERROR status, and passes through", async () => {
  await using sdk = installSdk();
  const boom = new RangeError("no such key");
  const stackOf = (handler: Service<Req, string>) =>
    new ServiceBuilder<Req, string>()
      .layer(traceClient({ service: "Kv" }))
      .layer(traceServer({ service: "Kv" }))
      .service(handler);
  await assert.rejects(
    stackOf(serviceFn(() => Promise.reject(boom))).call({
      method: "get",
      args: ["a"],
    }),
    (err) => err === boom,
  );
  for (const span of await sdk.spans()) {
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.status.message, "no such key");
    assert.equal(span.attributes["error.type"], "RangeError");
    assert.equal(span.attributes["rpc.response.status_code"], "ERROR");
    const [event] = span.events;
    assert.equal(event.name, "exception");
    assert.equal(event.attributes?.["exception.type"], "RangeError");
    assert.equal(event.attributes?.["exception.message"], "no such key");
  }

  // A thrown non-Error is recorded by its type and passed through as is.
  await assert.rejects(
    traceClient<Req, string>()(serviceFn(() => {
      throw "just a string";
    })).call({ method: "put", args: ["b"] }),
    (err) => err === "just a string",
  );
  const span = only(await sdk.spans(), "put", SpanKind.CLIENT);
  assert.equal(span.status.code, SpanStatusCode.ERROR);
  assert.equal(span.status.message, "just a string");
  assert.equal(span.attributes["error.type"], "string");
});

Deno.test("tracing layers: the caller's abort is marked CANCELLED on both spans", async () => {
  await using sdk = installSdk();
  const started = Promise.withResolvers<void>();
  await using kv = spawn(
    new ServiceBuilder<Req, string>()
      .layer(traceServer({ service: "Kv" }))
      .service(serviceFn((_req: Req, { signal }) => {
        started.resolve();
        return new Promise<string>((_, reject) =>
          signal!.addEventListener("abort", () => reject(signal!.reason), {
            once: true,
          })
        );
      })),
  );
  const client = traceClient<Req, string>({ service: "Kv" })(kv.client);
  const controller = new AbortController();
  const call = client.call({ method: "get", args: ["a"] }, {
    signal: controller.signal,
  });
  await started.promise;
  const reason = new DOMException("user left", "AbortError");
  controller.abort(reason);
  await assert.rejects(call, (err) => err === reason);
  await kv.server.close();
  const spans = await sdk.spans();
  for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
    const span = only(spans, "Kv/get", kind);
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.status.message, "CANCELLED: user left");
    assert.equal(span.attributes["rpc.response.status_code"], "CANCELLED");
    assert.equal(span.attributes["error.type"], "AbortError");
  }
});

Deno.test("tracing layers: a caller's abort with any reason is CANCELLED; a timeout is DEADLINE_EXCEEDED", async () => {
  await using sdk = installSdk();
  const hang = serviceFn((_req: Req, { signal }) =>
    new Promise<string>((_, reject) =>
      signal!.addEventListener("abort", () => reject(signal!.reason), {
        once: true,
      })
    )
  );
  // The timeout layer above aborts the traced call with a TimeoutError.
  const timed = new ServiceBuilder<Req, string>()
    .layer(timeout(5))
    .layer(traceClient({ service: "Kv" }))
    .service(hang);
  await assert.rejects(
    timed.call({ method: "get", args: ["slow"] }),
    TimeoutError,
  );
  const timedOut = only(await sdk.spans(), "Kv/get", SpanKind.CLIENT);
  assert.equal(timedOut.status.code, SpanStatusCode.ERROR);
  assert.equal(
    timedOut.attributes["rpc.response.status_code"],
    "DEADLINE_EXCEEDED",
  );
  assert.equal(timedOut.attributes["error.type"], "TimeoutError");
  assert.match(timedOut.status.message!, /^DEADLINE_EXCEEDED: /);

  const controller = new AbortController();
  const call = traceClient<Req, string>({ service: "Kv" })(hang).call(
    { method: "put", args: ["x"] },
    { signal: controller.signal },
  );
  const reason = new Error("shutting down");
  controller.abort(reason);
  await assert.rejects(call, (err) => err === reason);
  const aborted = only(await sdk.spans(), "Kv/put", SpanKind.CLIENT);
  assert.equal(aborted.attributes["rpc.response.status_code"], "CANCELLED");
  assert.equal(aborted.attributes["error.type"], "Error");
});

Deno.test("tracing layers: an explicit tracer is used instead of the global one", async () => {
  await using sdk = installSdk();
  const names: string[] = [];
  const tracer = {
    startSpan(...args: Parameters<typeof sdk.tracer.startSpan>) {
      names.push(args[0]);
      return sdk.tracer.startSpan(...args);
    },
    startActiveSpan: sdk.tracer.startActiveSpan.bind(sdk.tracer),
  };
  const svc = new ServiceBuilder<Req, string>()
    .layer(traceClient({ service: "A", tracer }))
    .layer(traceServer({ service: "B", tracer }))
    .service(serviceFn(() => "ok"));
  await svc.call({ method: "get", args: ["a"] });
  assert.deepEqual(names, ["A/get", "B/get"]);
});

Deno.test("tracing layers: a throwing tracer or span is reported, the call goes on", async () => {
  const errors: unknown[][] = [];
  const originalError = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    const broken = {
      startSpan(): never {
        throw new Error("tracer bug");
      },
    };
    const svc = traceClient<Req, string>({ tracer: broken })(
      serviceFn(() => "still answered"),
    );
    assert.equal(
      await svc.call({ method: "get", args: ["a"] }),
      "still answered",
    );
    assert.equal(errors.length, 1);
    assert.match(String(errors[0][0]), /tracer\.startSpan threw/);

    const badSpan = {
      startSpan() {
        const span = trace.wrapSpanContext({
          traceId: TRACE_ID,
          spanId: SPAN_ID,
          traceFlags: 1,
        });
        span.isRecording = () => true;
        span.end = () => {
          throw new Error("end bug");
        };
        span.recordException = () => {
          throw new Error("record bug");
        };
        return span;
      },
    };
    const ok = traceServer<Req, string>({ tracer: badSpan })(
      serviceFn(() => "fine"),
    );
    assert.equal(await ok.call({ method: "get", args: ["a"] }), "fine");
    const boom = new Error("handler failed");
    const failing = traceServer<Req, string>({ tracer: badSpan })(
      serviceFn(() => Promise.reject(boom)),
    );
    await assert.rejects(
      failing.call({ method: "get", args: ["a"] }),
      (err) => err === boom,
    );
    assert.equal(errors.length, 3);
    assert.match(String(errors[1][0]), /span\.end threw/);
    assert.match(String(errors[2][0]), /recording a failed call threw/);
  } finally {
    console.error = originalError;
  }
});

Deno.test("tracing layers: forward ready() and enforcesDeadline", () => {
  let ready = false;
  const inner: Service<Req, string> = {
    call: () => Promise.resolve("ok"),
    ready: () => ready,
    enforcesDeadline: true,
  };
  for (
    const layer of [traceClient<Req, string>(), traceServer<Req, string>()]
  ) {
    const svc = layer(inner);
    ready = false;
    assert.equal(svc.ready?.(), false);
    ready = true;
    assert.equal(svc.ready?.(), true);
    assert.equal(svc.enforcesDeadline, true);
    assert.equal(layer(serviceFn(() => "x")).enforcesDeadline, undefined);
    assert.equal(layer(serviceFn(() => "x")).ready?.(), true);
  }
});

Deno.test("tracing layers: without an SDK nothing is injected and the options pass through as they are", async () => {
  const client = traceClient<Req, CallOptions>({ service: "Kv" })(
    optionsEcho(),
  );
  const options: CallOptions = { metadata: { tenant: "acme" } };
  const seen = await client.call({ method: "get", args: ["a"] }, options);
  assert.equal(seen, options);

  // With no context manager either, the caller's traceparent still reaches
  // the next hop: the metadata passes through untouched.
  const server = traceServer<Req, CallOptions>({ service: "Kv" })(
    traceClient<Req, CallOptions>({ service: "Next" })(optionsEcho()),
  );
  const traceparent = `00-${TRACE_ID}-${SPAN_ID}-01`;
  const downstream = await server.call({ method: "get", args: ["a"] }, {
    metadata: { traceparent },
  });
  assert.equal(downstream.metadata?.traceparent, traceparent);
});

Deno.test("tracing layers: a request without a string method is traced as 'call'", async () => {
  await using sdk = installSdk();
  const svc = traceClient<unknown, string>({ service: "Raw" })(
    serviceFn(() => "ok"),
  );
  await svc.call("not an object");
  await svc.call({ method: 42 });
  await svc.call(null);
  const spans = await sdk.spans();
  assert.deepEqual(spans.map((s) => s.name), [
    "Raw/call",
    "Raw/call",
    "Raw/call",
  ]);
  assert.equal(spans[0].attributes["rpc.method"], "call");
});

Deno.test("traceClient/traceServer: refuse bad options with InvalidOptionError naming them", () => {
  for (const factory of [traceClient, traceServer]) {
    const where = factory.name;
    const bad: [unknown, RegExp][] = [
      [null, new RegExp(`${where} options`)],
      ["Kv", new RegExp(`${where} options`)],
      [[], new RegExp(`${where} options`)],
      [{ servce: "Kv" }, /servce.*valid options: service, tracer/],
      [{ service: "" }, new RegExp(`${where}\\.service`)],
      [{ service: 42 }, new RegExp(`${where}\\.service`)],
      [{ tracer: {} }, new RegExp(`${where}\\.tracer`)],
      [{ tracer: null }, new RegExp(`${where}\\.tracer`)],
    ];
    for (const [options, message] of bad) {
      assert.throws(
        () => factory(options as never),
        (err) => err instanceof InvalidOptionError && message.test(err.message),
        `${where}(${JSON.stringify(options)})`,
      );
    }
    factory(undefined);
    factory({});
    factory({ service: "Kv", tracer: trace.getTracer("x") });
  }
});

Deno.test("tracing layers: a span the sampler drops is not ended, but its context still travels", async () => {
  // What an SDK returns for an unsampled span: a non-recording span with a
  // new, valid context whose flags say "not sampled".
  const unsampled = trace.wrapSpanContext({
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.NONE,
  });
  let ended = false;
  unsampled.isRecording = () => false;
  unsampled.end = () => {
    ended = true;
  };
  let activeBelow: string | undefined;
  const client = traceClient<Req, CallOptions>({
    tracer: { startSpan: () => unsampled },
  })(
    serviceFn((_req: Req, options: CallOptions) => {
      activeBelow = trace.getActiveSpan()?.spanContext().spanId;
      return options;
    }),
  );
  await using _sdk = installSdk();
  const seen = await client.call({ method: "get", args: ["a"] });
  assert.equal(seen.metadata?.traceparent, `00-${TRACE_ID}-${SPAN_ID}-00`);
  assert.equal(activeBelow, SPAN_ID);
  assert.equal(ended, false);
});
