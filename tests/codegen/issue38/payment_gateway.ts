// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface PaymentIntent {
  id: string;
  amount: number;
  currency: string;
  status: "requires_payment_method" | "succeeded" | "canceled";
}
export interface Refund {
  id: string;
  amount: number;
}
export interface PaymentGateway {
  createPaymentIntent(
    amount: number,
    currency: string,
    metadata?: Record<string, string>,
  ): Promise<PaymentIntent>;
  capture(intentId: string): Promise<PaymentIntent>;
  refund(intentId: string, amount?: number): Promise<Refund>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "payment_gateway";
