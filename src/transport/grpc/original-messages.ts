// Store results as the original design's messages (proto/toystore_original.proto):
// a query's report as an Item, a sale as a BuyResponse status, and an unknown
// toy as the status that contract answers it with. Server side only: no
// toystore client speaks this contract.

import type { SaleResult, StockReport } from "../../catalog/toy.js";
import type { BuyResponse } from "../../generated/original/BuyResponse.js";
import type { Item } from "../../generated/original/Item.js";
import { ORIGINAL_STATUS_FOR_OUTCOME, type OutcomeStatus } from "./status-codes.js";

/** The most an int32 holds: Item.stock is an int32, the store's stock a safe integer. */
export const INT32_MAX = 2_147_483_647;

// The two sale outcomes the original BuyResponse carries, shared (the
// serializer only reads them): 1 bought one unit, 0 sold out.
const BOUGHT: BuyResponse = Object.freeze({ status: 1 });
const SOLD_OUT_REPLY: BuyResponse = Object.freeze({ status: 0 });

/**
 * A price in integer cents as the float (IEEE single) nearest to the exact
 * decimal price, ties to even: 1999 -> 19.9899997711181640625.
 *
 * Why `Math.fround(cents / 100)` is that float, though it rounds twice: the
 * division is correctly rounded to a double, then fround rounds that to a
 * float. Double rounding could go wrong only if the double landed exactly on a
 * midpoint between two floats without the exact price being one. But a
 * midpoint has 25 significant bits, so cents/100 is either exactly one (a
 * double holds it exactly, and fround breaks the tie as rounding the exact
 * value would) or differs from it by at least a hundredth of the midpoint's
 * last bit, while the division's error is below 2^-28 of that bit: the double
 * never reaches or crosses a midpoint. The unit tests check it against exact
 * integer arithmetic.
 */
export function priceAsFloat(priceCents: number): number {
  return Math.fround(priceCents / 100);
}

/**
 * A Query outcome as the original Item: in stock or sold out (stock 0), with
 * the toy's display name and price; an unknown toy is the contract's
 * INVALID_ARGUMENT "Item not found". A stock beyond an int32 is sent as
 * INT32_MAX: the original field cannot say more.
 */
export function encodeItem(result: StockReport): Item | OutcomeStatus {
  if (result.kind === "not_found") return ORIGINAL_STATUS_FOR_OUTCOME.not_found;
  const stock = result.kind === "in_stock" ? Math.min(result.stock, INT32_MAX) : 0;
  return { name: result.name, price: priceAsFloat(result.priceCents), stock };
}

/**
 * A Buy outcome as the original BuyResponse: status 1 bought (one unit: the
 * original Buy has no quantity), 0 sold out; an unknown toy is the contract's
 * INVALID_ARGUMENT "Item not found" (the original server's -1 never reached a
 * client: gRPC sends no message with a failed call).
 */
export function encodeOriginalBuy(result: SaleResult): BuyResponse | OutcomeStatus {
  if (result.kind === "bought") return BOUGHT;
  if (result.kind === "sold_out") return SOLD_OUT_REPLY;
  return ORIGINAL_STATUS_FOR_OUTCOME.not_found;
}
