// Store results <-> toystore.v1 messages. The shapes come from the generated
// types; this file only says which enum value stands for which outcome.

import { type BuyResult, NOT_FOUND, type QueryResult, SOLD_OUT } from "../../catalog/toy.js";
import { StoreError } from "../../errors.js";
import type { BuyResponse, BuyResponse__Output } from "../../generated/toystore/v1/BuyResponse.js";
import { BuyStatus } from "../../generated/toystore/v1/BuyStatus.js";
import type { QueryResponse, QueryResponse__Output } from "../../generated/toystore/v1/QueryResponse.js";
import { QueryStatus } from "../../generated/toystore/v1/QueryStatus.js";

// The outcomes that carry no data are answered with shared objects: the
// serializer only reads them.
const QUERY_SOLD_OUT: QueryResponse = Object.freeze({ status: QueryStatus.QUERY_STATUS_SOLD_OUT });
const QUERY_NOT_FOUND: QueryResponse = Object.freeze({ status: QueryStatus.QUERY_STATUS_NOT_FOUND });
const BUY_SOLD_OUT: BuyResponse = Object.freeze({ status: BuyStatus.BUY_STATUS_SOLD_OUT });
const BUY_NOT_FOUND: BuyResponse = Object.freeze({ status: BuyStatus.BUY_STATUS_NOT_FOUND });

/** Server side: a Query outcome as the response message. */
export function encodeQueryResult(result: QueryResult): QueryResponse {
  switch (result.kind) {
    case "in_stock":
      return {
        status: QueryStatus.QUERY_STATUS_IN_STOCK,
        stock: result.stock,
        priceCents: result.priceCents,
      };
    case "sold_out":
      return QUERY_SOLD_OUT;
    case "not_found":
      return QUERY_NOT_FOUND;
  }
}

/** Server side: a Buy outcome as the response message. */
export function encodeBuyResult(result: BuyResult): BuyResponse {
  switch (result.kind) {
    case "bought":
      return { status: BuyStatus.BUY_STATUS_BOUGHT, stockLeft: result.stockLeft };
    case "sold_out":
      return BUY_SOLD_OUT;
    case "not_found":
      return BUY_NOT_FOUND;
  }
}

/** Client side: a decoded QueryResponse as a QueryResult. Throws StoreError("internal") on an unknown status. */
export function decodeQueryResponse(message: QueryResponse__Output): QueryResult {
  switch (message.status) {
    case QueryStatus.QUERY_STATUS_IN_STOCK:
      return { kind: "in_stock", priceCents: message.priceCents, stock: message.stock };
    case QueryStatus.QUERY_STATUS_SOLD_OUT:
      return SOLD_OUT;
    case QueryStatus.QUERY_STATUS_NOT_FOUND:
      return NOT_FOUND;
    default:
      throw new StoreError("internal", `server sent a QueryResponse with status ${String(message.status)}`);
  }
}

/** Client side: a decoded BuyResponse as a BuyResult. Throws StoreError("internal") on an unknown status. */
export function decodeBuyResponse(message: BuyResponse__Output): BuyResult {
  switch (message.status) {
    case BuyStatus.BUY_STATUS_BOUGHT:
      return { kind: "bought", stockLeft: message.stockLeft };
    case BuyStatus.BUY_STATUS_SOLD_OUT:
      return SOLD_OUT;
    case BuyStatus.BUY_STATUS_NOT_FOUND:
      return NOT_FOUND;
    default:
      throw new StoreError("internal", `server sent a BuyResponse with status ${String(message.status)}`);
  }
}
