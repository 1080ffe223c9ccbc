/**
 * Test helper: runs a program under `OTEL_DENO=true` with Deno's built-in
 * OpenTelemetry exporting OTLP/HTTP JSON to a receiver on 127.0.0.1, and
 * returns the spans received.
 *
 * @module
 */

import type { SpanRecord } from "./_three_hops.ts";

const ROOT = new URL("../../", import.meta.url);
const KINDS = ["OTHER", "INTERNAL", "SERVER", "CLIENT"] as const;

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number; message?: string };
}

/** The program's exit and the spans its run exported. */
export interface OtlpRun {
  code: number;
  stderr: string;
  spans: SpanRecord[];
  raw: OtlpSpan[];
}

/**
 * Runs `program` (a path from the repository root) with `args` under
 * `OTEL_DENO=true`, exporting to a receiver this function starts and stops.
 */
export async function runWithDenoOtel(
  program: string,
  args: string[],
): Promise<OtlpRun> {
  const receiver = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "tests/otel/_fixtures/otlp_receiver.ts",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = receiver.stdout
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(lineSplitter())[Symbol.asyncIterator]();
  const raw: OtlpSpan[] = [];
  let received: Promise<void> | undefined;
  try {
    const first = await lines.next();
    if (first.done) throw new Error("the OTLP receiver did not start");
    const { port } = JSON.parse(first.value) as { port: number };
    received = (async () => {
      for (
        let line = await lines.next();
        !line.done;
        line = await lines.next()
      ) {
        raw.push((JSON.parse(line.value) as { span: OtlpSpan }).span);
      }
    })();
    const program_ = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", program, ...args],
      cwd: ROOT,
      env: {
        OTEL_DENO: "true",
        OTEL_SERVICE_NAME: "norpc-test",
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      },
      stdout: "null",
      stderr: "piped",
    }).output();
    // The exporter flushes before the program exits, so everything has
    // arrived by now.
    receiver.kill("SIGTERM");
    await received;
    return {
      code: program_.code,
      stderr: new TextDecoder().decode(program_.stderr),
      spans: raw.map(toRecord),
      raw,
    };
  } finally {
    try {
      receiver.kill("SIGTERM");
    } catch {
      // already stopped
    }
    await received?.catch(() => {});
    await receiver.status;
  }
}

function toRecord(span: OtlpSpan): SpanRecord {
  const value = span.attributes?.find((a) => a.key === "test.caller")?.value;
  // Numbers arrive as intValue (a string, int64 in JSON) or doubleValue.
  const caller = value === undefined ? undefined : Object.values(value)[0];
  return {
    name: span.name,
    kind: KINDS[span.kind] ?? "OTHER",
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ? span.parentSpanId : undefined,
    caller: caller === undefined ? undefined : Number(caller),
  };
}

function lineSplitter(): TransformStream<string, string> {
  let buffered = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) if (line.trim()) controller.enqueue(line);
    },
    flush(controller) {
      if (buffered.trim()) controller.enqueue(buffered);
    },
  });
}
