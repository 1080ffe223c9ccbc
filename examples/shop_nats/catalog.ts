/**
 * The shop's starting stock, shared by the inventory responder (which owns
 * it) and the orchestrator (which checks the books against it).
 *
 * @module
 */

import type { Product } from "../shop/services.ts";

/** Each product's units in stock and unit price, as the shop opens. */
export const CATALOG: Readonly<Record<string, Product>> = {
  mug: { units: 40, priceCents: 1200 },
  tea: { units: 20, priceCents: 450 },
  lamp: { units: 0, priceCents: 4500 },
};
