/**
 * Test helper: three in-process hops, A → B → C, each a spawned server with
 * `traceServer` whose handler calls the next hop through `traceClient`.
 * `callers` concurrent callers each open a root span `caller-<i>` and call A.
 *
 * With `queued`, every hop first has all its slots taken by plug calls, so
 * the real calls wait in its queue (`callers` of them at each hop); the
 * plugs are released hop by hop, and the queued calls are then dispatched
 * from a plug's completion — another caller's async context. That is where
 * a trace goes wrong unless the core keeps each caller's context.
 *
 * Shared by the SDK test and the `OTEL_DENO=true` subprocess fixture.
 *
 * @module
 */

import { type Span, trace } from "@opentelemetry/api";
import {
  type CallOptions,
  type Client,
  type Service,
  ServiceBuilder,
  serviceFn,
  spawn,
  type Spawned,
} from "@norpc/norpc";
import { traceClient, traceServer } from "@norpc/norpc/otel";

/** A hop's request: the caller's number travels to the last hop. */
export type HopRequest = { method: "hop" | "plug"; args: [caller: number] };

/** The span attribute holding the caller's number. */
export const CALLER = "test.caller";

/** The hops, outermost first. */
export const HOPS = ["A", "B", "C"] as const;

/** Options of {@linkcode runThreeHops}. */
export interface ThreeHopsOptions {
  /** How many callers call A at once. */
  callers: number;
  /** Make every call wait in every hop's queue first. */
  queued: boolean;
}

/** Runs the callers through the three hops; resolves when all are answered. */
export async function runThreeHops(options: ThreeHopsOptions): Promise<void> {
  const { callers, queued } = options;
  const tracer = trace.getTracer("three-hops");
  const gates = HOPS.map(() => Promise.withResolvers<void>());
  const spawned: Spawned<HopRequest, number>[] = [];
  let next: Service<HopRequest, number> | undefined;
  for (let hop = HOPS.length - 1; hop >= 0; hop--) {
    const downstream = next;
    const gate = gates[hop].promise;
    const server = spawn(
      new ServiceBuilder<HopRequest, number>()
        .layer(traceServer({ service: HOPS[hop] }))
        .service(
          serviceFn(async (req: HopRequest, callOptions: CallOptions) => {
            if (req.method === "plug") {
              await gate;
              return -1;
            }
            trace.getActiveSpan()?.setAttribute(CALLER, req.args[0]);
            await downstream?.call(req, callOptions);
            return req.args[0];
          }),
        ),
      { concurrency: callers, capacity: 2 * callers },
    );
    spawned.unshift(server);
    next = traceClient<HopRequest, number>({ service: HOPS[hop] })(
      server.client,
    );
  }
  const plugs = queued
    ? spawned.flatMap(({ client }) => plug(client, callers))
    : [];
  const answers = Array.from(
    { length: callers },
    (_, i) =>
      tracer.startActiveSpan(`caller-${i}`, async (span: Span) => {
        span.setAttribute(CALLER, i);
        try {
          const answer = await next!.call({ method: "hop", args: [i] });
          if (answer !== i) throw new Error(`caller ${i} got ${answer}`);
        } finally {
          span.end();
        }
      }),
  );
  if (queued) {
    for (const [hop, { server }] of spawned.entries()) {
      await until(() => server.queued === callers, `${HOPS[hop]} queued`);
      gates[hop].resolve();
    }
  }
  await Promise.all([...answers, ...plugs]);
  for (const { server } of spawned) await server.close();
}

/** Takes every slot of a server with calls that wait for its gate. */
function plug(
  client: Client<HopRequest, number>,
  slots: number,
): Promise<number>[] {
  return Array.from(
    { length: slots },
    () => client.call({ method: "plug", args: [-1] }),
  );
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 10_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** A span as both the SDK and OTLP/JSON describe it, reduced to what is checked. */
export interface SpanRecord {
  name: string;
  kind: "INTERNAL" | "SERVER" | "CLIENT" | "OTHER";
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  caller: number | undefined;
}

/**
 * Checks the trace of {@linkcode runThreeHops}: every caller's tree is
 * `caller-i → A CLIENT → A SERVER → B CLIENT → B SERVER → C CLIENT →
 * C SERVER`, and every SERVER span is tagged with its own caller's number.
 * Plug spans are ignored.
 *
 * @returns The problems found (empty when the trace is right).
 */
export function checkThreeHops(
  spans: readonly SpanRecord[],
  callers: number,
): string[] {
  const problems: string[] = [];
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const servers = spans.filter((s) =>
    s.kind === "SERVER" && s.name.endsWith("/hop")
  );
  if (servers.length !== callers * HOPS.length) {
    problems.push(
      `expected ${
        callers * HOPS.length
      } SERVER hop spans, got ${servers.length}`,
    );
  }
  for (const server of servers.filter((s) => s.name === "C/hop")) {
    const chain: string[] = [];
    let span: SpanRecord | undefined = server;
    while (span !== undefined) {
      chain.unshift(`${span.kind} ${span.name}`);
      if (
        span.caller !== undefined && span.caller !== server.caller
      ) {
        problems.push(
          `caller ${server.caller}'s C/hop has ${span.name} of caller ${span.caller} as an ancestor`,
        );
        break;
      }
      span = span.parentSpanId === undefined
        ? undefined
        : byId.get(span.parentSpanId);
    }
    const expected = [
      `INTERNAL caller-${server.caller}`,
      ...HOPS.flatMap((hop) => [`CLIENT ${hop}/hop`, `SERVER ${hop}/hop`]),
    ];
    if (chain.join(" > ") !== expected.join(" > ")) {
      problems.push(
        `caller ${server.caller}: ${chain.join(" > ")}; expected ${
          expected.join(" > ")
        }`,
      );
    }
  }
  return problems;
}
