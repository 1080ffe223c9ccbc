/**
 * The shop's story, told the same way wherever its services run: the
 * catalog, the orders placed, what is printed, and the books that must
 * balance at the end. `main.ts` runs it in one process;
 * `examples/shop_nats/main.ts` runs it with inventory and payments in
 * other processes. Only how the services are wired differs between them.
 *
 * @module
 */

import { ChannelClosedError } from "@norpc/norpc";
import type { OrdersClient, OrdersRequest } from "./orders.gen.ts";
import type { Order, OrderOutcome } from "./orders.ts";
import type { Product } from "./services.ts";

/** Each product's units in stock and unit price, as the shop opens. */
export const CATALOG: Readonly<Record<string, Product>> = {
  mug: { units: 40, priceCents: 1200 },
  tea: { units: 20, priceCents: 450 },
  lamp: { units: 0, priceCents: 4500 },
};

/** Prints a section heading. */
export function section(title: string): void {
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

/** The orders placed so far, each with its (future) outcome. */
export class OrderBook {
  readonly placed: { order: Order; outcome: Promise<OrderOutcome> }[] = [];

  /** Places `order` through `shop` and keeps its outcome for the books. */
  place(shop: OrdersClient, order: Order): Promise<OrderOutcome> {
    const outcome = shop.place(order);
    this.placed.push({ order, outcome });
    return outcome;
  }
}

/**
 * "three orders, three outcomes": a confirmed order, one out of stock, one
 * whose card is declined, placed one after another.
 */
export async function placeThreeOrders(
  shop: OrdersClient,
  book: OrderBook,
): Promise<void> {
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
    console.log(describe(order, await book.place(shop, order)));
  }
}

/** Prints how much tea is back after eve's card was declined. */
export function printTeaBack(available: number): void {
  console.log(
    `eve's tea went back when her card was declined: ${available} of ${CATALOG.tea.units} tea available`,
  );
}

/**
 * "graceful shutdown with orders in flight": twelve orders at once, not
 * awaited, just before the services are closed.
 */
export function placeBurst(
  shop: OrdersClient,
  book: OrderBook,
  orders: { readonly inFlight: number; readonly queued: number },
): void {
  section("graceful shutdown with orders in flight");
  const customers = ["ada", "grace", "linus", "barbara", "ken", "eve"];
  for (let i = 0; i < 12; i++) {
    book.place(shop, {
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

/**
 * After shutdown: every order of the burst was answered, and a new one is
 * refused with the order handed back.
 *
 * @returns Every order's outcome, in the order they were placed.
 */
export async function afterShutdown(
  shop: OrdersClient,
  book: OrderBook,
  closedInOrder: readonly string[],
): Promise<OrderOutcome[]> {
  console.log(`closed in this order: ${closedInOrder.join(", ")}`);
  // Every order was settled before orders closed; this await only reads them.
  const outcomes = await Promise.all(book.placed.map((p) => p.outcome));
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
  return outcomes;
}

/** A server's counters, wherever it ran. */
export interface Counters {
  readonly served: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly rejected: number;
}

/** What the books are checked against once every service has closed. */
export interface Ledger {
  readonly orders: Counters;
  readonly inventory: Counters;
  readonly payments: Counters;
  /** Charges the payment service accepted, and their total. */
  readonly accepted: number;
  readonly acceptedCents: number;
  /** Units the inventory holds for confirmed orders. */
  readonly reservedUnits: number;
  /** Units still available, over every product. */
  readonly available: number;
}

/**
 * "the books balance: nothing lost": checks every total against the orders
 * placed (throwing if one does not balance) and prints them.
 */
export function checkBooks(
  book: OrderBook,
  outcomes: readonly OrderOutcome[],
  ledger: Ledger,
): void {
  section("the books balance: nothing lost");
  const { placed } = book;
  const { orders, inventory, payments } = ledger;
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
  balance("charges accepted", ledger.accepted, confirmed.length);
  balance("money taken", ledger.acceptedCents, revenue);
  balance("units held", ledger.reservedUnits, sold);
  balance("stock", stockAtStart, ledger.available + sold);
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
      dollars(ledger.acceptedCents)
    } taken in ${ledger.accepted} charges = ${confirmed.length} confirmed orders totalling ${
      dollars(revenue)
    }`,
  );
  console.log(
    `stock:     ${stockAtStart} units at the start = ${ledger.available} available + ${sold} sold`,
  );
}
