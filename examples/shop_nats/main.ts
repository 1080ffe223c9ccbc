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
import {
  PaymentsClient,
  type PaymentsRequest,
  type PaymentsResponse,
} from "../shop/payments.gen.ts";
import { OrdersApp } from "../shop/services.ts";
import {
  afterShutdown,
  checkBooks,
  OrderBook,
  placeBurst,
  placeThreeOrders,
  printTeaBack,
  section,
} from "../shop/scenario.ts";
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
  const book = new OrderBook();

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

    await placeThreeOrders(shop, book);
    printTeaBack((await stats("inventory")).available!.tea);

    placeBurst(shop, book, orders);
  }
  const inventory = await reports.inventory;
  const payments = await reports.payments;
  const outcomes = await afterShutdown(shop, book, closedInOrder);
  checkBooks(book, outcomes, {
    orders,
    inventory,
    payments,
    accepted: payments.accepted!,
    acceptedCents: payments.acceptedCents!,
    reservedUnits: inventory.reservedUnits!,
    available: Object.values(inventory.available!).reduce(
      (n, units) => n + units,
      0,
    ),
  });
}

if (import.meta.main) {
  await main();
}
