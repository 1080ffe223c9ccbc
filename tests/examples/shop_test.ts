/**
 * The shop example: the program's output, its generated code, and the
 * services' idempotence and compensation.
 */

import assert from "node:assert/strict";
import { serviceFn, TimeoutError } from "../../mod.ts";
import {
  assertGeneratedFresh,
  assertLinesInOrder,
  runExample,
} from "./_helpers.ts";
import {
  InventoryClient,
  inventoryServer,
} from "../../examples/shop/inventory.gen.ts";
import { PaymentsClient } from "../../examples/shop/payments.gen.ts";
import {
  InventoryApp,
  OrdersApp,
  PaymentsApp,
} from "../../examples/shop/services.ts";

Deno.test("shop: main.ts places orders across services and shuts down losing nothing", async () => {
  const output = await runExample("examples/shop/main.ts");
  assertLinesInOrder(output, [
    "== each service on its own channel, with its own layers ==",
    "== three orders, three outcomes ==",
    "order 1: ada buys 2 mug -> confirmed, charged $24.00 (ch_1)",
    "order 2: bob buys 1 lamp -> rejected: out of stock (0 lamp left)",
    "order 3: eve buys 1 tea -> rejected: card declined",
    "eve's tea went back when her card was declined: 20 of 20 tea available",
    "== graceful shutdown with orders in flight ==",
    "12 orders sent at once: 4 running in orders, 8 queued in its channel",
    "closed in this order: orders, payments, inventory",
    "all 12 answered, including the 8 still queued when shutdown began: 10 confirmed, 2 rejected (eve's card declined)",
    "order 16 sent after shutdown -> ChannelClosedError, with the order in err.value",
    "== the books balance: nothing lost ==",
    "every server: 0 failed, 0 cancelled, 0 dropped (each call got exactly one answer)",
    "orders:    15 served = 15 orders placed",
    "inventory: 18 served = 15 reservations + 3 releases (declined cards)",
    "payments:  14 served = 15 orders - 1 out of stock",
    "money:     $147.00 taken in 11 charges = 11 confirmed orders totalling $147.00",
    "stock:     60 units at the start = 44 available + 16 sold",
  ]);
});

Deno.test("shop: the .gen.ts files are what the generator writes", async () => {
  for (const name of ["inventory", "orders", "payments"]) {
    await assertGeneratedFresh("examples/shop", name);
  }
});

Deno.test("shop: InventoryApp reserves once per order and releases idempotently", () => {
  const inventory = new InventoryApp({ mug: { units: 3, priceCents: 1200 } });
  assert.deepEqual(inventory.reserve("1", "mug", 2), {
    ok: true,
    unitPriceCents: 1200,
  });
  // A retried reservation takes nothing more.
  assert.deepEqual(inventory.reserve("1", "mug", 2), {
    ok: true,
    unitPriceCents: 1200,
  });
  assert.equal(inventory.available("mug"), 1);
  assert.deepEqual(inventory.reserve("2", "mug", 2), {
    ok: false,
    available: 1,
  });
  assert.deepEqual(inventory.reserve("3", "lamp", 1), {
    ok: false,
    available: 0,
  });
  assert.equal(inventory.reservedUnits, 2);
  assert.equal(inventory.release("1"), true);
  assert.equal(inventory.release("1"), false);
  assert.equal(inventory.available("mug"), 3);
  assert.equal(inventory.reservedUnits, 0);
});

Deno.test("shop: PaymentsApp charges once per order and not at all when the caller gives up", async () => {
  const payments = new PaymentsApp({ latencyMs: 1, declined: ["eve"] });
  assert.deepEqual(await payments.charge("1", "ada", 500, {}), {
    ok: true,
    chargeId: "ch_1",
  });
  assert.deepEqual(await payments.charge("1", "ada", 500, {}), {
    ok: true,
    chargeId: "ch_1",
  });
  assert.deepEqual(await payments.charge("2", "eve", 700, {}), {
    ok: false,
    reason: "card declined",
  });
  const controller = new AbortController();
  const charge = payments.charge("3", "ada", 900, {
    signal: controller.signal,
  });
  controller.abort(new Error("caller gave up"));
  await assert.rejects(charge, { message: "caller gave up" });
  assert.equal(payments.accepted, 1);
  assert.equal(payments.acceptedCents, 500);
});

Deno.test("shop: OrdersApp puts the stock back when the charge fails", async () => {
  const inventory = new InventoryApp({ mug: { units: 5, priceCents: 1200 } });
  const timedOut = new TimeoutError(250, 251, "charge");
  const orders = new OrdersApp(
    // Generated clients work over any service: here the handler itself,
    // and a payments stand-in whose every charge times out.
    new InventoryClient(inventoryServer(inventory)),
    new PaymentsClient(serviceFn(() => Promise.reject(timedOut))),
  );
  await assert.rejects(
    orders.place({ id: "1", customer: "ada", sku: "mug", quantity: 2 }, {}),
    (err) => err === timedOut,
  );
  assert.equal(inventory.available("mug"), 5);
  assert.equal(inventory.reservedUnits, 0);
});
