/**
 * Parentage of calls that waited in a server's queue. These need the core
 * to run every handler in its own caller's async context and to hand the
 * caller's `metadata` to the handler (issue 15); until then they fail.
 */

import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { SpanKind, trace } from "@opentelemetry/api";
import { type Service, serviceFn, spawn } from "@norpc/norpc";
import { installSdk } from "./_sdk.ts";
import {
  checkThreeHops,
  runThreeHops,
  type SpanRecord,
} from "./_three_hops.ts";
import { runWithDenoOtel } from "./_otlp.ts";

const CALLERS = 64;

Deno.test("SDK: three hops with 64 queued calls each, every span under its own caller", async () => {
  await using sdk = installSdk();
  await runThreeHops({ callers: CALLERS, queued: true });
  const spans: SpanRecord[] = (await sdk.spans()).map((span) => ({
    name: span.name,
    kind: span.kind === SpanKind.SERVER
      ? "SERVER"
      : span.kind === SpanKind.CLIENT
      ? "CLIENT"
      : span.kind === SpanKind.INTERNAL
      ? "INTERNAL"
      : "OTHER",
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    caller: span.attributes["test.caller"] as number | undefined,
  }));
  assert.deepEqual(checkThreeHops(spans, CALLERS), []);
});

Deno.test("OTEL_DENO=true: three hops with 64 queued calls each, every span under its own caller", async () => {
  const run = await runWithDenoOtel("tests/otel/_fixtures/three_hops_main.ts", [
    String(CALLERS),
    "queued",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(checkThreeHops(run.spans, CALLERS), []);
});

/** Spawns `handler` with every slot taken; `release` lets the queue drain. */
function plugged<Req, Res>(
  handler: Service<Req, Res>,
  plug: Req,
  slots: number,
  capacity = 2 * CALLERS,
) {
  const gate = Promise.withResolvers<void>();
  const spawned = spawn(
    serviceFn((req: Req, options) =>
      req === plug
        ? gate.promise.then(() => undefined as Res)
        : handler.call(req, options)
    ),
    { concurrency: slots, capacity },
  );
  const plugs = Array.from({ length: slots }, () => spawned.client.call(plug));
  return {
    ...spawned,
    async release() {
      gate.resolve();
      await Promise.all(plugs);
    },
  };
}

for (
  const [where, capacity] of [["queue", 2 * CALLERS], [
    "full channel",
    8,
  ]] as const
) {
  Deno.test(`core: a handler whose call waited in the ${where} runs in its own caller's async context (AsyncLocalStorage)`, async () => {
    const als = new AsyncLocalStorage<number>();
    const seen: [number, number | undefined][] = [];
    const server = plugged(
      serviceFn((n: number) => {
        seen.push([n, als.getStore()]);
        return n;
      }),
      -1,
      4,
      capacity,
    );
    const calls = Array.from(
      { length: CALLERS },
      (_, i) => als.run(i, () => server.client.call(i)),
    );
    assert.equal(server.server.queued, Math.min(capacity, CALLERS));
    await server.release();
    await Promise.all(calls);
    await server.server.close();
    assert.equal(seen.length, CALLERS);
    assert.deepEqual(seen.filter(([n, store]) => n !== store), []);
  });
}

Deno.test("core: a span started in a queued handler has its own caller's span as parent", async () => {
  await using sdk = installSdk();
  const server = plugged(
    serviceFn((n: number) => {
      sdk.tracer.startSpan(`handler-${n}`).end();
      return n;
    }),
    -1,
    4,
  );
  const calls = Array.from(
    { length: CALLERS },
    (_, i) =>
      sdk.tracer.startActiveSpan(`caller-${i}`, async (span) => {
        await server.client.call(i);
        span.end();
      }),
  );
  await server.release();
  await Promise.all(calls);
  await server.server.close();
  const spans = await sdk.spans();
  const byName = new Map(spans.map((s) => [s.name, s]));
  const wrong: string[] = [];
  for (let i = 0; i < CALLERS; i++) {
    const handler = byName.get(`handler-${i}`)!;
    const parent = spans.find((s) =>
      s.spanContext().spanId === handler.parentSpanContext?.spanId
    );
    if (parent?.name !== `caller-${i}`) {
      wrong.push(`handler-${i} under ${parent?.name ?? "no parent"}`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.equal(trace.getActiveSpan(), undefined);
});

Deno.test("OTEL_DENO=true: the shop example exports one tree per order, queued orders included", async () => {
  const run = await runWithDenoOtel("examples/shop/main.ts", []);
  assert.equal(run.code, 0, run.stderr);
  const byId = new Map(run.raw.map((s) => [s.spanId, s]));
  const children = (id: string) => run.raw.filter((s) => s.parentSpanId === id);
  const CLIENT = 3, SERVER = 2, ERROR = 2;
  const problems: string[] = [];
  for (const span of run.raw) {
    const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
    if (span.kind === SERVER) {
      if (parent?.kind !== CLIENT || parent.name !== span.name) {
        problems.push(`SERVER ${span.name} under ${parent?.name ?? "nothing"}`);
      }
    } else if (span.name === "Orders/place") {
      if (parent !== undefined) problems.push("an order is not a root");
    } else if (parent?.kind !== SERVER || parent.name !== "Orders/place") {
      problems.push(`CLIENT ${span.name} under ${parent?.name ?? "nothing"}`);
    }
    const servers = children(span.spanId).filter((s) => s.kind === SERVER);
    if (
      span.kind === CLIENT && span.status?.code !== ERROR &&
      servers.length !== 1
    ) {
      problems.push(`CLIENT ${span.name} has ${servers.length} SERVER spans`);
    }
  }
  assert.deepEqual(problems, []);
  const orders = run.raw.filter((s) =>
    s.name === "Orders/place" && s.kind === CLIENT
  );
  assert.equal(orders.length, 16);
  assert.equal(new Set(run.raw.map((s) => s.traceId)).size, 16);
});
