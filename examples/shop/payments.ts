/**
 * The `Payments` service definition. Regenerate `payments.gen.ts` after
 * changing it:
 *
 * ```sh
 * deno run --allow-read --allow-write codegen/main.ts examples/shop/payments.ts
 * ```
 *
 * @module
 */

/** The outcome of a charge: accepted, or declined by the card issuer. */
export type Charge =
  | { ok: true; chargeId: string }
  | { ok: false; reason: string };

/** Takes customers' money. */
export interface Payments {
  /**
   * Charges a customer's card. Idempotent per order: charging the same order
   * again returns the first outcome and charges nothing more.
   *
   * @param orderId The order being paid for.
   * @param customer Whose card to charge.
   * @param amountCents How much, in cents.
   * @returns The charge, or why it was declined.
   */
  charge(orderId: string, customer: string, amountCents: number): Charge;
}
