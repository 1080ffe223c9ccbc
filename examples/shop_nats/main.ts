/**
 * The shop across processes: the same three services as `examples/shop`,
 * but `Inventory` and `Payments` each run in their own responder process,
 * reached over NATS in a queue group. `Orders` calls them with the same
 * generated clients and the same layers as in-process; only the service
 * under the clients changed (`natsClient(nc, "shop.inventory")` instead of
 * `connect(tx)`). It prints what `deno task example:shop` prints.
 *
 * Run it with `deno task example:shop_nats` (it starts a throwaway
 * nats-server on 127.0.0.1, so `nats-server` must be installed).
 *
 * @module
 */

import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  channel,
  ChannelClosedError,
  connect as connectChannel,
  type Envelope,
  serve,
  ServiceBuilder,
} from "@norpc/norpc";
import { retry, timeout } from "@norpc/norpc/layers";
import { natsClient } from "@norpc/norpc/nats";
import {
  InventoryClient,
  type InventoryRequest,
  type InventoryResponse,
} from "../shop/inventory.gen.ts";
import {
  OrdersClient,
  type OrdersRequest,
  type OrdersResponse,
  ordersServer,
} from "../shop/orders.gen.ts";
import type { Order, OrderOutcome } from "../shop/orders.ts";
import {
  PaymentsClient,
  type PaymentsRequest,
  type PaymentsResponse,
} from "../shop/payments.gen.ts";
import { OrdersApp } from "../shop/services.ts";
import { CATALOG } from "./catalog.ts";
import { startNatsServer } from "./nats_server.ts";

/** What a responder process reports when it has drained. */
interface Report {
  served: number;
  failed: number;
  cancelled: number;
  rejected: number;
  available?: Record<string, number>;
  reservedUnits?: number;
  accepted?: number;
  acceptedCents?: number;
}

/** A responder process (`responder.ts`); disposing it drains and ends it. */
class ResponderProcess implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #ready = Promise.withResolvers<void>();
  /** Resolves to the counters and stats it printed when it ended. */
  readonly closed: Promise<Report>;

  private constructor(which: string, url: string) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-read",
        new URL("./responder.ts", import.meta.url).pathname,
        which,
        url,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.closed = this.#read(which);
  }

  /** Reads its stdout: `ready`, then one JSON line when it ends. */
  async #read(which: string): Promise<Report> {
    let text = "";
    for await (
      const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      text += chunk;
      if (text.startsWith("ready\n")) this.#ready.resolve();
    }
    const status = await this.#child.status;
    const error = new Error(`the ${which} responder exited ${status.code}`);
    this.#ready.reject(error);
    if (!status.success) throw error;
    return JSON.parse(text.trim().split("\n").pop()!) as Report;
  }

  /** Starts one and resolves once it serves (its subscriptions are live). */
  static async start(which: string, url: string): Promise<ResponderProcess> {
    const responder = new ResponderProcess(which, url);
    await responder.#ready.promise;
    return responder;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#child.stdin.close();
    await this.closed;
  }
}

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
  await using nats = await startNatsServer();
  const nc: NatsConnection = await connect({ servers: nats.url });
  try {
    await shop(nats.url, nc);
  } finally {
    await nc.drain();
  }
}

async function shop(url: string, nc: NatsConnection): Promise<void> {
  const stats = (which: string) =>
    natsClient<null, Report>(nc, `shop.${which}.stats`).call(null);
  let shop: OrdersClient;
  let reports: Record<"inventory" | "payments", Promise<Report>>;
  let orders: ReturnType<typeof serve>;
  const closedInOrder: string[] = [];
  const placed: { order: Order; outcome: Promise<OrderOutcome> }[] = [];
  const place = (order: Order): Promise<OrderOutcome> => {
    const outcome = shop.place(order);
    placed.push({ order, outcome });
    return outcome;
  };

  console.log(
    "shop: orders in this process; inventory and payments in their own processes, over NATS",
  );
  section("each service in its own process, with its own layers");
  {
    // Dependencies first: `await using` ends them in reverse order, so
    // orders closes first (finishing its in-flight orders, which still need
    // the other two), then payments, then inventory.
    await using inventory = await ResponderProcess.start("inventory", url);
    await using payments = await ResponderProcess.start("payments", url);
    reports = { inventory: inventory.closed, payments: payments.closed };

    // The same generated clients and layers as in-process: only the service
    // at the bottom is a NATS client instead of a channel client.
    const ordersApp = new OrdersApp(
      new InventoryClient(
        new ServiceBuilder<InventoryRequest, InventoryResponse>()
          .layer(retry({ attempts: 3, base: 10 }))
          .layer(timeout(100))
          .service(natsClient(nc, "shop.inventory")),
      ),
      new PaymentsClient(
        new ServiceBuilder<PaymentsRequest, PaymentsResponse>()
          .layer(timeout(250))
          .service(natsClient(nc, "shop.payments")),
      ),
    );

    const [ordersTx, ordersRx] = channel<
      Envelope<OrdersRequest, OrdersResponse>
    >(64);
    await using ordersServerLoop = serve(
      ordersRx,
      new ServiceBuilder<OrdersRequest, OrdersResponse>()
        .layer(timeout(1000))
        .service(ordersServer(ordersApp)),
      { concurrency: 4 },
    );
    orders = ordersServerLoop;
    shop = new OrdersClient(connectChannel(ordersTx));
    orders.closed.then(() => closedInOrder.push("orders"));
    payments.closed.then(() => closedInOrder.push("payments"));
    inventory.closed.then(() => closedInOrder.push("inventory"));

    console.log(
      "orders     4 at a time   this process: timeout 1000 ms per order",
    );
    console.log(
      "inventory  1 at a time   its own process, an actor; orders' client: timeout 100 ms, retry 3 attempts",
    );
    console.log(
      "payments   4 at a time   its own process: rateLimit 10 per 100 ms; orders' client: timeout 250 ms",
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
        (await stats("inventory")).available!.tea
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
  const inventory = await reports.inventory;
  const payments = await reports.payments;
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
  const stockNow = Object.values(inventory.available!).reduce(
    (n, units) => n + units,
    0,
  );
  for (const server of [orders, inventory, payments]) {
    balance(
      "calls that did not succeed",
      server.failed + server.cancelled + server.rejected,
      0,
    );
  }
  balance("orders served", orders.served, placed.length);
  balance("inventory calls", inventory.served, placed.length + declined);
  balance("charges", payments.served, placed.length - outOfStock);
  balance("charges accepted", payments.accepted!, confirmed.length);
  balance("money taken", payments.acceptedCents!, revenue);
  balance("units held", inventory.reservedUnits!, sold);
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
      dollars(payments.acceptedCents!)
    } taken in ${payments.accepted} charges = ${confirmed.length} confirmed orders totalling ${
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
