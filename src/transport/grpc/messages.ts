// Store results <-> toystore.v1 messages. The shapes come from the generated
// types; this file only says which enum value stands for which outcome.

import { type BuyResult, NOT_FOUND, type QueryResult, SOLD_OUT } from "../../catalog/toy.js";
import { StoreError } from "../../errors.js";
import type { BuyResponse, BuyResponse__Output } from "../../generated/toystore/v1/BuyResponse.js";
import { BuyStatus } from "../../generated/toystore/v1/BuyStatus.js";
import type { QueryResponse, QueryResponse__Output } from "../../generated/toystore/v1/QueryResponse.js";
import { QueryStatus } from "../../generated/toystore/v1/QueryStatus.js";

/** The outcomes that carry no data: the same for Query and Buy. */
type EmptyOutcome = typeof SOLD_OUT | typeof NOT_FOUND;

// Each message's answer to the outcomes that carry no data, one row each. The
// server answers with these shared objects (the serializer only reads them);
// the client reads the status back through the same rows.
const QUERY_EMPTY = {
  sold_out: Object.freeze({ status: QueryStatus.QUERY_STATUS_SOLD_OUT }),
  not_found: Object.freeze({ status: QueryStatus.QUERY_STATUS_NOT_FOUND }),
} as const satisfies Record<EmptyOutcome["kind"], QueryResponse>;
const BUY_EMPTY = {
  sold_out: Object.freeze({ status: BuyStatus.BUY_STATUS_SOLD_OUT }),
  not_found: Object.freeze({ status: BuyStatus.BUY_STATUS_NOT_FOUND }),
} as const satisfies Record<EmptyOutcome["kind"], BuyResponse>;

/** Server side: a Query outcome as the response message. */
export function encodeQueryResult(result: QueryResult): QueryResponse {
  if (result.kind !== "in_stock") return QUERY_EMPTY[result.kind];
  return { status: QueryStatus.QUERY_STATUS_IN_STOCK, stock: result.stock, priceCents: result.priceCents };
}

/** Server side: a Buy outcome as the response message. */
export function encodeBuyResult(result: BuyResult): BuyResponse {
  if (result.kind !== "bought") return BUY_EMPTY[result.kind];
  return { status: BuyStatus.BUY_STATUS_BOUGHT, stockLeft: result.stockLeft, orderId: result.orderId ?? "" };
}

/** Client side: a decoded QueryResponse as a QueryResult. Throws StoreError("internal") on an unknown status. */
export function decodeQueryResponse(message: QueryResponse__Output): QueryResult {
  if (message.status !== QueryStatus.QUERY_STATUS_IN_STOCK) {
    return emptyOutcome("QueryResponse", QUERY_EMPTY, message.status);
  }
  return { kind: "in_stock", priceCents: message.priceCents, stock: message.stock };
}

/** Client side: a decoded BuyResponse as a BuyResult. Throws StoreError("internal") on an unknown status. */
export function decodeBuyResponse(message: BuyResponse__Output): BuyResult {
  if (message.status !== BuyStatus.BUY_STATUS_BOUGHT)
    return emptyOutcome("BuyResponse", BUY_EMPTY, message.status);
  // A server from before orders sends no order id: the field decodes as "".
  return message.orderId === ""
    ? { kind: "bought", stockLeft: message.stockLeft }
    : { kind: "bought", stockLeft: message.stockLeft, orderId: message.orderId };
}

/** The outcome without data that `status` stands for in a message's rows; any other status is the server's fault. */
function emptyOutcome(
  messageName: string,
  rows: Readonly<Record<EmptyOutcome["kind"], { readonly status: unknown }>>,
  status: unknown,
): EmptyOutcome {
  if (status === rows.sold_out.status) return SOLD_OUT;
  if (status === rows.not_found.status) return NOT_FOUND;
  throw new StoreError("internal", `server sent a ${messageName} with status ${String(status)}`);
}
