/**
 * The `Orders` service definition. Regenerate `orders.gen.ts` after changing
 * it:
 *
 * ```sh
 * deno run --allow-read --allow-write codegen/main.ts examples/shop/orders.ts
 * ```
 *
 * @module
 */

/** An order for some units of one product. */
export interface Order {
  id: string;
  customer: string;
  sku: string;
  quantity: number;
}

/** What became of an order. */
export type OrderOutcome =
  | { status: "confirmed"; chargeId: string; totalCents: number }
  | { status: "rejected"; reason: string };

/** Takes orders: reserves stock with `Inventory`, then charges with `Payments`. */
export interface Orders {
  /**
   * Places an order. Stock is reserved first and released again if the
   * payment does not go through, so a rejected order leaves nothing behind.
   *
   * @param order The order.
   * @returns Confirmed with the charge, or rejected with the reason.
   */
  place(order: Order): OrderOutcome;
}
