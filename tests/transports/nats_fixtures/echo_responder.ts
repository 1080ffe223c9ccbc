/**
 * A responder process for the NATS load test: serves an idempotent echo on
 * a subject in a queue group, prints `ready` once its subscription is live,
 * and on SIGTERM drains, prints its counters as JSON and exits.
 *
 * Usage: deno run --allow-net --allow-env echo_responder.ts URL SUBJECT QUEUE
 *
 * @module
 */

import { connect } from "@nats-io/transport-node";
import { serviceFn } from "@norpc/norpc";
import { serveNats } from "@norpc/norpc/nats";

const [url, subject, queue] = Deno.args;
const nc = await connect({ servers: url });
const server = serveNats(
  nc,
  subject,
  serviceFn(async (n: number) => {
    // Up to 2 ms of "work", so calls are in flight when a process dies.
    if (Math.random() < 0.5) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
    }
    return { n, by: Deno.pid };
  }),
  { queue },
);
await nc.flush();
console.log(`ready ${Deno.pid}`);

Deno.addSignalListener("SIGTERM", async () => {
  await server.close();
  await nc.drain();
  const { served, failed, cancelled, rejected, inFlight, queued } = server;
  console.log(
    JSON.stringify({ served, failed, cancelled, rejected, inFlight, queued }),
  );
  Deno.exit(0);
});
