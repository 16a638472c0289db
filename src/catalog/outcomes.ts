// The outcomes a store answers, made in one place so that every store answers
// the same shapes: the shared instances of the two that carry no data (defined
// with the vocabulary in toy.ts), and constructors for the ones that do.

import type { RefillResult } from "./catalog-store.js";
import type { Sale, StockReport, Toy } from "./toy.js";

export { NOT_FOUND, SOLD_OUT } from "./toy.js";

/** What a query answers of a toy with `stock` left: sold out at 0, with its display name and price either way. */
export function stockReport(name: string, priceCents: number, stock: number): StockReport {
  return stock === 0 ? { kind: "sold_out", name, priceCents } : { kind: "in_stock", name, priceCents, stock };
}

/**
 * The sale a store that keeps its toys in this process answers: `entry` as it
 * is right after the sale (its stock is the stock left), recorded as order
 * `id`, `quantity` units at `priceCents` each.
 */
export function saleOf(
  entry: { readonly name: string; readonly stock: number },
  id: number,
  quantity: number,
  priceCents: number,
): Sale {
  return {
    kind: "bought",
    toy: entry.name,
    stockLeft: entry.stock,
    orderId: String(id),
    unitPriceCents: priceCents,
    quantity,
  };
}

/** What a refill round answers: the toys it put back, each with its new stock (none: no toy was sold out). */
export function refilled(toys: readonly Toy[]): RefillResult {
  return { kind: "refilled", toys };
}
