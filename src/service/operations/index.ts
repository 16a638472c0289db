// Every operation, as data: the table the service runs requests through and
// each transport's table is checked against. Adding an operation is a module
// here and an entry in this table, then one entry per transport; an operation
// only the server runs on itself (the restock timer's refill) has none.

import { type BuyOutcome, type BuyRequest, buy } from "./buy.js";
import { type ListOutcome, type ListRequest, list } from "./list.js";
import type { Operation } from "./operation.js";
import { type OrderOutcome, type OrderRequest, order } from "./order.js";
import { type QueryOutcome, type QueryRequest, query } from "./query.js";
import { type RefillOutcome, type RefillRequest, refill } from "./refill.js";
import { type RestockOutcome, type RestockRequest, restock } from "./restock.js";

export type {
  BuyOutcome,
  BuyRequest,
  ListOutcome,
  ListRequest,
  OrderOutcome,
  OrderRequest,
  QueryOutcome,
  QueryRequest,
  RefillOutcome,
  RefillRequest,
  RestockOutcome,
  RestockRequest,
};

/** A decoded request, the same for every transport; or the server's own (a refill). */
export type StoreRequest =
  | QueryRequest
  | BuyRequest
  | RestockRequest
  | OrderRequest
  | ListRequest
  | RefillRequest;

/** An operation's name, as requests, metrics and logs carry it. */
export type OpName = StoreRequest["op"];

/** The result each operation answers with (its `kind`s never overlap another's but for sold_out and not_found). */
export interface OutcomeOf {
  readonly query: QueryOutcome;
  readonly buy: BuyOutcome;
  readonly restock: RestockOutcome;
  readonly order: OrderOutcome;
  readonly list: ListOutcome;
  readonly refill: RefillOutcome;
}

export type StoreResult = OutcomeOf[OpName];

/** The request of operation K. */
export type RequestOf<K extends OpName> = Extract<StoreRequest, { readonly op: K }>;

export const OPERATIONS: { readonly [K in OpName]: Operation<RequestOf<K>, OutcomeOf[K]> } = {
  query,
  buy,
  restock,
  order,
  list,
  refill,
};

/**
 * The operations the server runs on itself (the restock timer's refill): no
 * transport maps them, so no client can send one, and no transport's metrics
 * list them.
 */
export const INTERNAL_OP_NAMES: readonly OpName[] = Object.freeze(["refill"] as const);

/** Every operation a client can ask for, in the table's order: what the transports map and record. */
export const OP_NAMES: readonly OpName[] = Object.freeze(
  (Object.keys(OPERATIONS) as OpName[]).filter((name) => !INTERNAL_OP_NAMES.includes(name)),
);

/** A request's operation. One function so that the cast lives in one place. */
export function operationOf<R extends StoreRequest>(request: R): Operation<R, OutcomeOf[R["op"]]> {
  return OPERATIONS[request.op] as unknown as Operation<R, OutcomeOf[R["op"]]>;
}
