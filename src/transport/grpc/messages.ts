// Store results <-> toystore.v1 messages, both directions: a result the store
// decided to its response message (server), a response back to what a client
// knows (client). The shapes come from the generated types; this file says
// which enum value stands for which outcome and which field carries what.

import {
  type BuyResult,
  NOT_FOUND,
  type Order,
  type QueryResult,
  type SaleResult,
  SOLD_OUT,
  type StockReport,
  type Toy,
} from "../../catalog/toy.js";
import { StoreError } from "../../errors.js";
import type { BuyResponse, BuyResponse__Output } from "../../generated/toystore/v1/BuyResponse.js";
import { BuyStatus } from "../../generated/toystore/v1/BuyStatus.js";
import type {
  GetOrderResponse,
  GetOrderResponse__Output,
} from "../../generated/toystore/v1/GetOrderResponse.js";
import type {
  ListToysResponse,
  ListToysResponse__Output,
} from "../../generated/toystore/v1/ListToysResponse.js";
import { OrderStatus } from "../../generated/toystore/v1/OrderStatus.js";
import type { QueryResponse, QueryResponse__Output } from "../../generated/toystore/v1/QueryResponse.js";
import { QueryStatus } from "../../generated/toystore/v1/QueryStatus.js";
import type { ListOutcome, OrderOutcome } from "../../service/operations/index.js";

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
const ORDER_NOT_FOUND: GetOrderResponse = Object.freeze({ status: OrderStatus.ORDER_STATUS_NOT_FOUND });

/**
 * Server side: a Query outcome as the response message. A sold-out answer
 * carries no price, as it never has (the store's report has one: it is left out).
 */
export function encodeQueryResult(result: StockReport): QueryResponse {
  if (result.kind !== "in_stock") return QUERY_EMPTY[result.kind];
  return { status: QueryStatus.QUERY_STATUS_IN_STOCK, stock: result.stock, priceCents: result.priceCents };
}

/** Server side: a Buy outcome as the response message: the sale as the store decided it. */
export function encodeBuyResult(result: SaleResult): BuyResponse {
  if (result.kind !== "bought") return BUY_EMPTY[result.kind];
  return {
    status: BuyStatus.BUY_STATUS_BOUGHT,
    stockLeft: result.stockLeft,
    orderId: result.orderId,
    unitPriceCents: result.unitPriceCents,
    quantity: result.quantity,
  };
}

/** Server side: an order lookup as the response message. */
export function encodeOrderResult(result: OrderOutcome): GetOrderResponse {
  if (result.kind !== "order") return ORDER_NOT_FOUND;
  const { id, toy, quantity, unitPriceCents, time } = result.order;
  return {
    status: OrderStatus.ORDER_STATUS_FOUND,
    order: { orderId: id, toy, quantity, unitPriceCents, time },
  };
}

/** Server side: the catalog as the response message (a Toy already has the message's fields, and only those are read). */
export function encodeListResult(result: ListOutcome): ListToysResponse {
  return { toys: result.toys as Toy[] };
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
  const { stockLeft, orderId, unitPriceCents, quantity } = message;
  // A server from before orders sends no order id (it decodes as ""); one from
  // before quantities sends neither price nor quantity: a sale is at least one
  // unit, so quantity 0 says so (a price of 0 alone could be a free toy).
  if (orderId === "") return { kind: "bought", stockLeft };
  if (quantity === 0) return { kind: "bought", stockLeft, orderId };
  return { kind: "bought", stockLeft, orderId, unitPriceCents, quantity };
}

/** Client side: a decoded GetOrderResponse as the order, undefined when there is none. Throws StoreError("internal") on an unknown status. */
export function decodeGetOrderResponse(message: GetOrderResponse__Output): Order | undefined {
  if (message.status === OrderStatus.ORDER_STATUS_NOT_FOUND) return undefined;
  const order = message.order;
  if (message.status !== OrderStatus.ORDER_STATUS_FOUND || order === null)
    throw malformed("GetOrderResponse", message.status);
  return {
    id: order.orderId,
    toy: order.toy,
    quantity: order.quantity,
    unitPriceCents: order.unitPriceCents,
    time: order.time,
  };
}

/** Client side: a decoded ListToysResponse as the catalog. */
export function decodeListToysResponse(message: ListToysResponse__Output): Toy[] {
  return message.toys.map(({ name, priceCents, stock }) => ({ name, priceCents, stock }));
}

/** The outcome without data that `status` stands for in a message's rows; any other status is the server's fault. */
function emptyOutcome(
  messageName: string,
  rows: Readonly<Record<EmptyOutcome["kind"], { readonly status: unknown }>>,
  status: unknown,
): EmptyOutcome {
  if (status === rows.sold_out.status) return SOLD_OUT;
  if (status === rows.not_found.status) return NOT_FOUND;
  throw malformed(messageName, status);
}

function malformed(messageName: string, status: unknown): StoreError {
  return new StoreError("internal", `server sent a ${messageName} with status ${String(status)}`);
}
