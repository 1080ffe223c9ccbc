/**
 * Parentage through a Worker (needs the Worker transport, `@norpc/norpc/worker`).
 */

import assert from "node:assert/strict";
import { runWithDenoOtel } from "./_otlp.ts";

Deno.test("OTEL_DENO=true: a server span in a Worker has its own caller's client span as parent", async () => {
  const callers = 16;
  const run = await runWithDenoOtel("tests/otel/_fixtures/worker_main.ts", [
    String(callers),
  ]);
  assert.equal(run.code, 0, run.stderr);
  const byId = new Map(run.spans.map((s) => [s.spanId, s]));
  const servers = run.spans.filter((s) => s.kind === "SERVER");
  assert.equal(servers.length, callers);
  const wrong: string[] = [];
  for (const server of servers) {
    const client = byId.get(server.parentSpanId ?? "");
    const caller = byId.get(client?.parentSpanId ?? "");
    if (
      client?.kind !== "CLIENT" || client.name !== "Worker/hop" ||
      caller?.name !== `caller-${server.caller}` ||
      server.traceId !== caller.traceId
    ) {
      wrong.push(
        `SERVER of caller ${server.caller}: under ${client?.name} under ${caller?.name}`,
      );
    }
  }
  assert.deepEqual(wrong, []);
});
