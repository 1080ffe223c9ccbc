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
import {
  PaymentsClient,
  type PaymentsRequest,
  type PaymentsResponse,
  paymentsServer,
} from "./payments.gen.ts";
import {
  afterShutdown,
  CATALOG,
  checkBooks,
  OrderBook,
  placeBurst,
  placeThreeOrders,
  printTeaBack,
  section,
} from "./scenario.ts";
import { InventoryApp, OrdersApp, PaymentsApp } from "./services.ts";

/** Runs the demo, printing what happens and why. */
async function main(): Promise<void> {
  const inventoryApp = new InventoryApp(CATALOG);
  const paymentsApp = new PaymentsApp({ latencyMs: 20, declined: ["eve"] });
  // These outlive the block below, to be read after shutdown.
  let shop: OrdersClient;
  let servers: Record<"orders" | "inventory" | "payments", Server>;
  const closedInOrder: string[] = [];
  const book = new OrderBook();

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

    await placeThreeOrders(shop, book);
    printTeaBack(inventoryApp.available("tea"));

    placeBurst(shop, book, orders);
  }
  const outcomes = await afterShutdown(shop, book, closedInOrder);
  const { orders, inventory, payments } = servers;
  checkBooks(book, outcomes, {
    orders,
    inventory,
    payments,
    accepted: paymentsApp.accepted,
    acceptedCents: paymentsApp.acceptedCents,
    reservedUnits: inventoryApp.reservedUnits,
    available: Object.keys(CATALOG).reduce(
      (n, sku) => n + inventoryApp.available(sku),
      0,
    ),
  });
}

if (import.meta.main) {
  await main();
}
