import assert from "node:assert/strict";
import { checkThreeHops } from "./_three_hops.ts";
import { runWithDenoOtel } from "./_otlp.ts";

Deno.test("OTEL_DENO=true: Deno's built-in exporter sends the three-hop trace over OTLP/HTTP JSON, every span under its own caller", async () => {
  const callers = 16;
  const run = await runWithDenoOtel("tests/otel/_fixtures/three_hops_main.ts", [
    String(callers),
  ]);
  assert.equal(run.code, 0, run.stderr);
  // 16 callers, and for each a CLIENT and a SERVER span at three hops.
  assert.equal(run.spans.length, callers * 7);
  assert.deepEqual(checkThreeHops(run.spans, callers), []);
  const server = run.raw.find((s) => s.name === "B/hop" && s.kind === 2)!;
  const attributes = Object.fromEntries(
    server.attributes!.map((a) => [a.key, Object.values(a.value)[0]]),
  );
  assert.equal(attributes["rpc.system"], "norpc");
  assert.equal(attributes["rpc.service"], "B");
  assert.equal(attributes["rpc.method"], "hop");
});
