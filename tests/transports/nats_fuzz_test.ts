/**
 * Property tests of the NATS transport's robustness: whatever bytes and
 * headers reach a responder, it answers each request with its response or a
 * typed error and goes on serving; whatever a rogue responder answers, a
 * call settles once with a value or a typed error.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { connect, headers, type Msg } from "@nats-io/transport-node";
import { NorpcError, serviceFn } from "@norpc/norpc";
import { natsClient, serveNats } from "@norpc/norpc/nats";
import { natsTest, startNatsServer } from "./_nats_server.ts";

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,12}$/);
const headerValue = fc.stringMatching(/^[ -~]{0,24}$/);
const deadlineValue = fc.oneof(
  headerValue,
  fc.nat().map(String),
  fc.constantFrom("-1", "1e9", "NaN", "", "1.5", "99999999999999999999999"),
);
const wireError = fc.record({
  kind: fc.constantFrom("norpc", "error", "dom", "value", "other"),
  type: fc.constantFrom("TimeoutError", "TypeError", "NorpcError", "Nope"),
  name: fc.string({ maxLength: 8 }),
  message: fc.string({ maxLength: 8 }),
  value: fc.jsonValue({ maxDepth: 1 }),
}, { requiredKeys: ["kind"] });
const body = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  wireError.map((e) => new TextEncoder().encode(JSON.stringify(e))),
  fc.jsonValue({ maxDepth: 3 }).map((v) =>
    new TextEncoder().encode(JSON.stringify(v))
  ),
);

natsTest(
  "nats fuzz: a responder answers any bytes and headers typed, and goes on serving",
  async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const responder = serveNats(nc, "fuzz", serviceFn((x: unknown) => x), {
        maxRequestBytes: 48,
      });
      await fc.assert(
        fc.asyncProperty(
          body,
          fc.dictionary(token, headerValue, { maxKeys: 3 }),
          fc.option(deadlineValue),
          async (bytes, extra, deadline) => {
            const h = headers();
            for (const [k, v] of Object.entries(extra)) h.set(k, v);
            if (deadline !== null) h.set("Norpc-Deadline", deadline);
            let reply: Msg;
            try {
              reply = await nc.request("fuzz", bytes, {
                timeout: 2000,
                headers: h,
              });
            } catch (err) {
              // Only a deadline already past may go unanswered: the caller
              // has stopped waiting, so the responder never starts it.
              assert.equal(Number(deadline), 0, String(err));
              return;
            }
            if (reply.headers?.get("Norpc-Status") === "error") {
              const error = reply.json<{ kind: string; type: string }>();
              assert.equal(error.kind, "norpc");
              assert.ok(
                ["MalformedMessageError", "NorpcError"].includes(error.type),
                error.type,
              );
              return;
            }
            // Accepted: the echo of what was sent.
            assert.deepEqual(
              reply.data.length === 0 ? undefined : reply.json(),
              bytes.length === 0
                ? undefined
                : JSON.parse(new TextDecoder().decode(bytes)),
            );
          },
        ),
        { numRuns: 300 },
      );
      // Still serving, and every request it took is accounted for.
      assert.equal(
        await natsClient(nc, "fuzz").call("still here"),
        "still here",
      );
      assert.equal(responder.inFlight + responder.queued, 0);
      await responder.close();
    } finally {
      await nc.close();
    }
  },
);

natsTest(
  "nats fuzz: whatever a rogue responder answers, the call settles once, typed",
  async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      let next: { bytes: Uint8Array; hdrs: Record<string, string> } = {
        bytes: new Uint8Array(),
        hdrs: {},
      };
      const sub = nc.subscribe("rogue", {
        callback: (_err, msg) => {
          const h = headers();
          for (const [k, v] of Object.entries(next.hdrs)) h.set(k, v);
          msg.respond(next.bytes, { headers: h });
        },
      });
      const client = natsClient<null, unknown>(nc, "rogue");
      await fc.assert(
        fc.asyncProperty(
          body,
          fc.dictionary(
            fc.oneof(token, fc.constant("Norpc-Status")),
            fc.oneof(headerValue, fc.constant("error")),
            { maxKeys: 2 },
          ),
          async (bytes, hdrs) => {
            next = { bytes, hdrs };
            let settled = 0;
            try {
              await client.call(null, { deadline: Date.now() + 2000 });
              settled++;
            } catch (err) {
              settled++;
              // A well-formed error reply may carry any Error; anything else
              // is a typed norpc error (MalformedMessageError and the like).
              assert.ok(err instanceof Error, String(err));
              if (hdrs["Norpc-Status"] !== "error") {
                assert.ok(err instanceof NorpcError, String(err));
              }
            }
            assert.equal(settled, 1);
          },
        ),
        { numRuns: 300 },
      );
      sub.unsubscribe();
    } finally {
      await nc.close();
    }
  },
);
