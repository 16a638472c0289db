// The original socket protocol's answers, both directions: a result or an
// error to its answer (server), an answer back to a result (client). The
// original design's codes, written with no line end:
//
//   query   "<price>" (in stock, two decimals: "25.99", "10.00") | "0" (sold out) | "-1" (no such toy)
//   buy     "1" (bought one) | "0" (sold out) | "-1" (no such toy)
//   errors  "ERR <reason>", as the line protocol writes them (never a bare number)
//
// The price always has two decimals, from the integer cents the store keeps:
// a Python server printing str(float) would write "10.0" for 10.00, and "0.0"
// for a free toy, which only a float parser tells from sold out's "0"; both
// "10.0" and "10.00" parse to the same float in the original client.

import { type BuyResult, formatPrice, parsePriceCents, type QueryResult } from "../../catalog/toy.js";
import { StoreError } from "../../errors.js";
import { encodeError, errorCodeOf } from "../../protocol/replies.js";
import type { StoreResult } from "../../service/operations/index.js";
import type { OriginalMethod } from "./messages.js";

/** The last words to a connection whose message was over the limit: it is then closed. */
export const MESSAGE_TOO_LONG_ANSWER = "ERR message too long";

const INTERNAL = encodeError(new StoreError("internal", "internal error"));

/** The answer to a query or a buy, without a line end. */
export function encodeAnswer(result: StoreResult): string {
  switch (result.kind) {
    case "in_stock":
      return formatPrice(result.priceCents);
    case "bought":
      return "1";
    case "sold_out":
      return "0";
    case "not_found":
      return "-1";
    default:
      // An order, a list or a restock: no message of this protocol asks for one.
      return INTERNAL;
  }
}

/** The answer for an error: "ERR <reason>", the line protocol's reasons; causes never reach the client. */
export { encodeError as encodeErrorAnswer };

/**
 * The original design's reply to a query, in stock, carries the price alone:
 * the stock is not known, and a client reports it as NaN (never a count).
 */
export const STOCK_NOT_SAID = Number.NaN;

/** Parses an answer to `method`; an ERR answer or anything unexpected becomes a StoreError. */
export function parseAnswer(answer: string, method: "query"): QueryResult | StoreError;
export function parseAnswer(answer: string, method: "buy"): BuyResult | StoreError;
export function parseAnswer(answer: string, method: OriginalMethod): QueryResult | BuyResult | StoreError;
export function parseAnswer(answer: string, method: OriginalMethod): QueryResult | BuyResult | StoreError {
  if (answer.startsWith("ERR ")) {
    const reason = answer.slice(4);
    return new StoreError(errorCodeOf(reason), reason);
  }
  if (answer === "-1") return { kind: "not_found" };
  if (answer === "0") return { kind: "sold_out" };
  if (method === "buy" && answer === "1") return { kind: "bought" };
  const priceCents = method === "query" ? parsePriceCents(answer) : undefined;
  if (priceCents !== undefined) return { kind: "in_stock", priceCents, stock: STOCK_NOT_SAID };
  return new StoreError("internal", `unexpected answer to ${method}: ${JSON.stringify(answer.slice(0, 80))}`);
}
