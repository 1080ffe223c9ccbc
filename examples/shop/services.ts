/**
 * The shop's three service implementations: plain classes implementing the
 * generated handler interfaces. `OrdersApp` calls the other two through
 * their generated clients, never directly, so each service keeps its own
 * channel, concurrency, layers and lifecycle.
 *
 * @module
 */

import type { CallOptions } from "@norpc/norpc";
import type { InventoryClient, InventoryHandler } from "./inventory.gen.ts";
import type { Reservation } from "./inventory.ts";
import type { OrdersHandler } from "./orders.gen.ts";
import type { Order, OrderOutcome } from "./orders.ts";
import type { PaymentsClient, PaymentsHandler } from "./payments.gen.ts";
import type { Charge } from "./payments.ts";

/** A product's stock and price, as {@linkcode InventoryApp} starts with. */
export interface Product {
  /** Units in stock. */
  units: number;
  /** Price of one unit, in cents. */
  priceCents: number;
}

/**
 * The stock of every product, written to be served as an actor
 * (`concurrency: 1`): one call at a time, so checking and taking stock never
 * interleave with another order's and need no lock.
 *
 * A confirmed order keeps its reservation (the units are sold); a rejected
 * one releases it.
 */
export class InventoryApp implements InventoryHandler {
  readonly #products: Map<string, Product>;
  readonly #reserved = new Map<string, { sku: string; quantity: number }>();

  /** @param catalog Each product's starting stock and price, by SKU. */
  constructor(catalog: Record<string, Product>) {
    this.#products = new Map(
      Object.entries(catalog).map(([sku, product]) => [sku, { ...product }]),
    );
  }

  /** Units held by reservations, over all products. */
  get reservedUnits(): number {
    let units = 0;
    for (const { quantity } of this.#reserved.values()) units += quantity;
    return units;
  }

  /** Takes stock for an order, unless it already has some. */
  reserve(orderId: string, sku: string, quantity: number): Reservation {
    const product = this.#products.get(sku);
    if (product === undefined) return { ok: false, available: 0 };
    // A retried call finds its first reservation: answer as before.
    if (this.#reserved.has(orderId)) {
      return { ok: true, unitPriceCents: product.priceCents };
    }
    if (product.units < quantity) {
      return { ok: false, available: product.units };
    }
    product.units -= quantity;
    this.#reserved.set(orderId, { sku, quantity });
    return { ok: true, unitPriceCents: product.priceCents };
  }

  /** Puts an order's stock back. */
  release(orderId: string): boolean {
    const reservation = this.#reserved.get(orderId);
    if (reservation === undefined) return false;
    this.#reserved.delete(orderId);
    this.#products.get(reservation.sku)!.units += reservation.quantity;
    return true;
  }

  /** Units in stock and not reserved. */
  available(sku: string): number {
    return this.#products.get(sku)?.units ?? 0;
  }
}

/** Options of {@linkcode PaymentsApp}. */
export interface PaymentsAppOptions {
  /** How long the (simulated) card network takes per charge, in ms. */
  latencyMs: number;
  /** Customers whose cards are declined. */
  declined: Iterable<string>;
}

/**
 * Charges cards through a (simulated) card network. Several charges run at
 * once, since each spends its time waiting on the network, so this service
 * is not an actor and re-checks its state after every `await`.
 */
export class PaymentsApp implements PaymentsHandler {
  readonly #latencyMs: number;
  readonly #declined: ReadonlySet<string>;
  readonly #charges = new Map<string, Charge>();
  #acceptedCents = 0;

  /** @param options Network latency and the customers to decline. */
  constructor(options: PaymentsAppOptions) {
    this.#latencyMs = options.latencyMs;
    this.#declined = new Set(options.declined);
  }

  /** Charges accepted so far. */
  get accepted(): number {
    let n = 0;
    for (const charge of this.#charges.values()) if (charge.ok) n++;
    return n;
  }

  /** Money taken so far, in cents. */
  get acceptedCents(): number {
    return this.#acceptedCents;
  }

  /**
   * Charges a card once per order. The network wait watches
   * `options.signal`: if the caller gives up, the charge is abandoned before
   * it is made, never made behind the caller's back.
   */
  async charge(
    orderId: string,
    customer: string,
    amountCents: number,
    options: CallOptions,
  ): Promise<Charge> {
    const earlier = this.#charges.get(orderId);
    if (earlier !== undefined) return earlier;
    await sleep(this.#latencyMs, options.signal);
    // Another call for this order may have finished while we waited.
    const meanwhile = this.#charges.get(orderId);
    if (meanwhile !== undefined) return meanwhile;
    const charge: Charge = this.#declined.has(customer)
      ? { ok: false, reason: "card declined" }
      : { ok: true, chargeId: `ch_${orderId}` };
    this.#charges.set(orderId, charge);
    if (charge.ok) this.#acceptedCents += amountCents;
    return charge;
  }
}

/**
 * Places orders by calling `Inventory`, then `Payments`, through their
 * generated clients (with whatever layers the caller wrapped them in).
 * Business outcomes (out of stock, card declined) are values; only
 * failures of the machinery (a timeout, a closed service) are thrown.
 */
export class OrdersApp implements OrdersHandler {
  readonly #inventory: InventoryClient;
  readonly #payments: PaymentsClient;

  /**
   * @param inventory Client of the `Inventory` service.
   * @param payments Client of the `Payments` service.
   */
  constructor(inventory: InventoryClient, payments: PaymentsClient) {
    this.#inventory = inventory;
    this.#payments = payments;
  }

  /**
   * Reserves stock, then charges for it; releases the stock again if the
   * charge does not go through. The call's `options` are passed on as they
   * are: the order's deadline bounds the reservation and the charge, its
   * metadata (the trace) reaches them, and when the caller gives up, the
   * calls it started downstream stop too.
   */
  async place(order: Order, options: CallOptions): Promise<OrderOutcome> {
    const { id, customer, sku, quantity } = order;
    const reservation = await this.#inventory.reserve(
      id,
      sku,
      quantity,
      options,
    );
    if (!reservation.ok) {
      return {
        status: "rejected",
        reason: `out of stock (${reservation.available} ${sku} left)`,
      };
    }
    const totalCents = reservation.unitPriceCents * quantity;
    let charge: Charge;
    try {
      charge = await this.#payments.charge(id, customer, totalCents, options);
    } catch (err) {
      // Timed out, or the caller gave up. The release is cleanup that must
      // happen even so, hence not under the order's options.
      await this.#inventory.release(id);
      throw err;
    }
    if (!charge.ok) {
      await this.#inventory.release(id);
      return { status: "rejected", reason: charge.reason };
    }
    return { status: "confirmed", chargeId: charge.chargeId, totalCents };
  }
}

/**
 * Resolves after `ms` milliseconds, or rejects with `signal.reason` as soon
 * as `signal` aborts; either way no timer or listener is left behind.
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
