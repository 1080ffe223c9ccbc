/**
 * The `Inventory` service definition. Regenerate `inventory.gen.ts` after
 * changing it:
 *
 * ```sh
 * deno run --allow-read --allow-write codegen/main.ts examples/shop/inventory.ts
 * ```
 *
 * @module
 */

/** The outcome of a reservation: stock set aside, or not enough of it. */
export type Reservation =
  | { ok: true; unitPriceCents: number }
  | { ok: false; available: number };

/** Stock of the shop's products. */
export interface Inventory {
  /**
   * Sets stock aside for an order. Idempotent per order: reserving again for
   * the same order changes nothing, so a caller may safely retry.
   *
   * @param orderId The order the stock is for.
   * @param sku The product.
   * @param quantity How many units.
   * @returns The unit price when reserved, or what is available when there
   * is not enough.
   */
  reserve(orderId: string, sku: string, quantity: number): Reservation;
  /**
   * Puts an order's reserved stock back, e.g. after its payment failed.
   * Idempotent: releasing twice, or an order with nothing reserved, is a
   * no-op.
   *
   * @param orderId The order.
   * @returns Whether a reservation was released.
   */
  release(orderId: string): boolean;
  /**
   * Units in stock and not reserved.
   *
   * @param sku The product.
   */
  available(sku: string): number;
}
