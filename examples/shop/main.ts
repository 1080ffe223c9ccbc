/**
 * A shop as three in-process microservices: `Orders` calls `Inventory` and
 * `Payments` through their generated clients. Each service has its own
 * channel, concurrency and layers, and they shut down gracefully, in
 * dependency order, with orders still in flight.
 *
 * Run it with `deno run examples/shop/main.ts` (no permissions needed).
 * Every call is traced (`traceClient`/`traceServer`): run it with
 * `OTEL_DENO=true` to export the trace (see docs/tracing.md); without it the
 * spans are no-ops.
 *
 * @module
 */

import {
  channel,
  ChannelClosedError,
  connect,
  type Envelope,
  serve,
  type Server,
  ServiceBuilder,
} from "@norpc/norpc";
import { rateLimit, retry, timeout } from "@norpc/norpc/layers";
import { traceClient, traceServer } from "@norpc/norpc/otel";
import {
  InventoryClient,
  type InventoryRequest,
  type InventoryResponse,
  inventoryServer,
} from "./inventory.gen.ts";
import {
  OrdersClient,
  type OrdersRequest,
  type OrdersResponse,
  ordersServer,
} from "./orders.gen.ts";
import type { Order, OrderOutcome } from "./orders.ts";
import {
  PaymentsClient,
  type PaymentsRequest,
  type PaymentsResponse,
  paymentsServer,
} from "./payments.gen.ts";
import {
  InventoryApp,
  OrdersApp,
  PaymentsApp,
  type Product,
} from "./services.ts";

const CATALOG: Record<string, Product> = {
  mug: { units: 40, priceCents: 1200 },
  tea: { units: 20, priceCents: 450 },
  lamp: { units: 0, priceCents: 4500 },
};

function section(title: string): void {
  console.log(`\n== ${title} ==`);
}

function dollars(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}

function describe(order: Order, outcome: OrderOutcome): string {
  const what =
    `order ${order.id}: ${order.customer} buys ${order.quantity} ${order.sku}`;
  return outcome.status === "confirmed"
    ? `${what} -> confirmed, charged ${
      dollars(outcome.totalCents)
    } (${outcome.chargeId})`
    : `${what} -> rejected: ${outcome.reason}`;
}

/** Fails loudly if a total that must balance does not. */
function balance(what: string, left: number, right: number): void {
  if (left !== right) {
    throw new Error(`the books do not balance: ${what}: ${left} != ${right}`);
  }
}

/** Runs the demo, printing what happens and why. */
async function main(): Promise<void> {
  const inventoryApp = new InventoryApp(CATALOG);
  const paymentsApp = new PaymentsApp({ latencyMs: 20, declined: ["eve"] });
  // These outlive the block below, to be read after shutdown.
  let shop: OrdersClient;
  let servers: Record<"orders" | "inventory" | "payments", Server>;
  const closedInOrder: string[] = [];
  const placed: { order: Order; outcome: Promise<OrderOutcome> }[] = [];
  const place = (order: Order): Promise<OrderOutcome> => {
    const outcome = shop.place(order);
    placed.push({ order, outcome });
    return outcome;
  };

  console.log("shop: three in-process services; orders calls the other two");
  section("each service on its own channel, with its own layers");
  {
    // Dependencies first: `await using` closes in reverse order, so when this
    // block ends, orders closes first (finishing its in-flight orders, which
    // still need the other two), then payments, then inventory.

    // Inventory: an actor, so stock is checked and taken without locks.
    const [inventoryTx, inventoryRx] = channel<
      Envelope<InventoryRequest, InventoryResponse>
    >(64);
    await using inventory = serve(
      inventoryRx,
      new ServiceBuilder<InventoryRequest, InventoryResponse>()
        .layer(traceServer({ service: "Inventory" }))
        .service(inventoryServer(inventoryApp)),
      { concurrency: 1 },
    );

    // Payments: four charges at once, and no faster than the card network
    // allows; callers over the rate wait their turn rather than fail.
    const [paymentsTx, paymentsRx] = channel<
      Envelope<PaymentsRequest, PaymentsResponse>
    >(64);
    await using payments = serve(
      paymentsRx,
      new ServiceBuilder<PaymentsRequest, PaymentsResponse>()
        .layer(traceServer({ service: "Payments" }))
        .layer(rateLimit({ requests: 10, per: 100 }))
        .service(paymentsServer(paymentsApp)),
      { concurrency: 4 },
    );

    // Orders calls both through generated clients, each wrapped in the
    // layers this caller wants. A reservation is idempotent per order, so a
    // timed-out one is retried; a charge just gets more time. Tracing is
    // innermost, so each attempt is a span of its own.
    const ordersApp = new OrdersApp(
      new InventoryClient(
        new ServiceBuilder<InventoryRequest, InventoryResponse>()
          .layer(retry({ attempts: 3, base: 10 }))
          .layer(timeout(100))
          .layer(traceClient({ service: "Inventory" }))
          .service(connect(inventoryTx)),
      ),
      new PaymentsClient(
        new ServiceBuilder<PaymentsRequest, PaymentsResponse>()
          .layer(timeout(250))
          .layer(traceClient({ service: "Payments" }))
          .service(connect(paymentsTx)),
      ),
    );

    // Orders: four at once, each with a deadline however slow the services
    // below are. At the deadline the handler's signal aborts, and so do the
    // calls it passed that signal on to.
    const [ordersTx, ordersRx] = channel<
      Envelope<OrdersRequest, OrdersResponse>
    >(64);
    await using orders = serve(
      ordersRx,
      new ServiceBuilder<OrdersRequest, OrdersResponse>()
        .layer(traceServer({ service: "Orders" }))
        .layer(timeout(1000))
        .service(ordersServer(ordersApp)),
      { concurrency: 4 },
    );
    shop = new OrdersClient(
      traceClient<OrdersRequest, OrdersResponse>({ service: "Orders" })(
        connect(ordersTx),
      ),
    );
    servers = { orders, inventory, payments };
    for (const [name, server] of Object.entries(servers)) {
      server.closed.then(() => closedInOrder.push(name));
    }

    console.log(
      "orders     4 at a time   server: timeout 1000 ms per order",
    );
    console.log(
      "inventory  1 at a time   an actor; orders' client: timeout 100 ms, retry 3 attempts",
    );
    console.log(
      "payments   4 at a time   server: rateLimit 10 per 100 ms; orders' client: timeout 250 ms",
    );

    section("three orders, three outcomes");
    console.log(
      "each order: orders -> inventory.reserve -> payments.charge (-> inventory.release if declined)",
    );
    for (
      const order of [
        { id: "1", customer: "ada", sku: "mug", quantity: 2 },
        { id: "2", customer: "bob", sku: "lamp", quantity: 1 },
        { id: "3", customer: "eve", sku: "tea", quantity: 1 },
      ]
    ) {
      console.log(describe(order, await place(order)));
    }
    console.log(
      `eve's tea went back when her card was declined: ${
        inventoryApp.available("tea")
      } of ${CATALOG.tea.units} tea available`,
    );

    section("graceful shutdown with orders in flight");
    const customers = ["ada", "grace", "linus", "barbara", "ken", "eve"];
    for (let i = 0; i < 12; i++) {
      place({
        id: String(4 + i),
        customer: customers[i % customers.length],
        sku: i % 3 === 0 ? "tea" : "mug",
        quantity: 1 + (i % 2),
      });
    }
    console.log(
      `12 orders sent at once: ${orders.inFlight} running in orders, ${orders.queued} queued in its channel`,
    );
    console.log(
      "leaving the block: await using closes orders, then payments, then inventory",
    );
  }
  console.log(`closed in this order: ${closedInOrder.join(", ")}`);
  // Every order was settled before orders closed; this await only reads them.
  const outcomes = await Promise.all(placed.map((p) => p.outcome));
  const burst = outcomes.slice(3);
  const burstConfirmed = burst.filter((o) => o.status === "confirmed").length;
  console.log(
    `all 12 answered, including the 8 still queued when shutdown began: ${burstConfirmed} confirmed, ${
      burst.length - burstConfirmed
    } rejected (eve's card declined)`,
  );
  try {
    await shop.place({ id: "16", customer: "ada", sku: "mug", quantity: 1 });
    throw new Error("an order after shutdown should have been refused");
  } catch (err) {
    if (!(err instanceof ChannelClosedError)) throw err;
    // The refused request comes back whole: the caller can retry it elsewhere.
    const { args: [order] } = err.value as OrdersRequest;
    console.log(
      `order ${order.id} sent after shutdown -> ChannelClosedError, with the order in err.value`,
    );
  }

  section("the books balance: nothing lost");
  const { orders, inventory, payments } = servers;
  const confirmed = placed.filter((_, i) => outcomes[i].status === "confirmed");
  const declined =
    outcomes.filter((o) =>
      o.status === "rejected" && o.reason === "card declined"
    ).length;
  const outOfStock = outcomes.length - confirmed.length - declined;
  const revenue = outcomes.reduce(
    (sum, o) => sum + (o.status === "confirmed" ? o.totalCents : 0),
    0,
  );
  const sold = confirmed.reduce((sum, p) => sum + p.order.quantity, 0);
  const stockAtStart = Object.values(CATALOG).reduce((n, p) => n + p.units, 0);
  const stockNow = Object.keys(CATALOG).reduce(
    (n, sku) => n + inventoryApp.available(sku),
    0,
  );
  for (const server of Object.values(servers)) {
    balance(
      "calls that did not succeed",
      server.failed + server.cancelled + server.rejected,
      0,
    );
  }
  balance("orders served", orders.served, placed.length);
  balance("inventory calls", inventory.served, placed.length + declined);
  balance("charges", payments.served, placed.length - outOfStock);
  balance("charges accepted", paymentsApp.accepted, confirmed.length);
  balance("money taken", paymentsApp.acceptedCents, revenue);
  balance("units held", inventoryApp.reservedUnits, sold);
  balance("stock", stockAtStart, stockNow + sold);
  console.log(
    "every server: 0 failed, 0 cancelled, 0 dropped (each call got exactly one answer)",
  );
  console.log(
    `orders:    ${orders.served} served = ${placed.length} orders placed`,
  );
  console.log(
    `inventory: ${inventory.served} served = ${placed.length} reservations + ${declined} releases (declined cards)`,
  );
  console.log(
    `payments:  ${payments.served} served = ${placed.length} orders - ${outOfStock} out of stock`,
  );
  console.log(
    `money:     ${
      dollars(paymentsApp.acceptedCents)
    } taken in ${paymentsApp.accepted} charges = ${confirmed.length} confirmed orders totalling ${
      dollars(revenue)
    }`,
  );
  console.log(
    `stock:     ${stockAtStart} units at the start = ${stockNow} available + ${sold} sold`,
  );
}

if (import.meta.main) {
  await main();
}
