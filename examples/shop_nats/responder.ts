/**
 * One responder process of the NATS shop: serves `inventory` or `payments`
 * (the same generated server adapters and implementations as the in-process
 * shop) on `shop.<name>` in queue group `<name>`, plus `shop.<name>.stats`
 * for the books. Prints `ready` once its subscriptions are live; when its
 * stdin closes it drains (finishing in-flight calls) and prints its
 * counters and stats as one JSON line.
 *
 * Usage: deno run --allow-net=127.0.0.1 --allow-env --allow-read
 * responder.ts inventory|payments nats://127.0.0.1:PORT
 *
 * @module
 */

import { connect } from "@nats-io/transport-node";
import { type Service, ServiceBuilder, serviceFn } from "@norpc/norpc";
import { rateLimit } from "@norpc/norpc/layers";
import { type NatsServer, serveNats } from "@norpc/norpc/nats";
import { inventoryServer } from "../shop/inventory.gen.ts";
import {
  type PaymentsRequest,
  type PaymentsResponse,
  paymentsServer,
} from "../shop/payments.gen.ts";
import { InventoryApp, PaymentsApp } from "../shop/services.ts";
import { CATALOG } from "../shop/scenario.ts";

const [which, url] = Deno.args;
if ((which !== "inventory" && which !== "payments") || url === undefined) {
  console.error("usage: responder.ts inventory|payments nats://host:port");
  Deno.exit(2);
}
const nc = await connect({ servers: url });

let server: NatsServer;
let stats: () => Record<string, unknown>;
if (which === "inventory") {
  // An actor, as in-process: one call at a time, stock needs no lock.
  const app = new InventoryApp(CATALOG);
  server = serveNats(nc, "shop.inventory", inventoryServer(app), {
    queue: "inventory",
    concurrency: 1,
  });
  stats = () => ({
    available: Object.fromEntries(
      Object.keys(CATALOG).map((sku) => [sku, app.available(sku)]),
    ),
    reservedUnits: app.reservedUnits,
  });
} else {
  // Four charges at once, no faster than the card network allows.
  const app = new PaymentsApp({ latencyMs: 20, declined: ["eve"] });
  const payments: Service<PaymentsRequest, PaymentsResponse> =
    new ServiceBuilder<PaymentsRequest, PaymentsResponse>()
      .layer(rateLimit({ requests: 10, per: 100 }))
      .service(paymentsServer(app));
  server = serveNats(nc, "shop.payments", payments, {
    queue: "payments",
    concurrency: 4,
  });
  stats = () => ({ accepted: app.accepted, acceptedCents: app.acceptedCents });
}
const statsServer = serveNats(nc, `shop.${which}.stats`, serviceFn(stats));
await nc.flush(); // the subscriptions are live at the server
console.log("ready");

// The parent closes our stdin to shut us down (portable, unlike signals).
for await (const _ of Deno.stdin.readable) {
  // nothing is sent on stdin
}
await server.close();
await statsServer.close();
await nc.drain();
const { served, failed, cancelled, rejected } = server;
console.log(
  JSON.stringify({ served, failed, cancelled, rejected, ...stats() }),
);
