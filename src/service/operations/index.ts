// Every operation, as data: the table the service runs requests through and
// each transport's table is checked against. Adding an operation is a module
// here and an entry in this table, then one entry per transport.

import { type BuyOutcome, type BuyRequest, buy } from "./buy.js";
import { type ListOutcome, type ListRequest, list } from "./list.js";
import type { Operation } from "./operation.js";
import { type OrderOutcome, type OrderRequest, order } from "./order.js";
import { type QueryOutcome, type QueryRequest, query } from "./query.js";
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
  RestockOutcome,
  RestockRequest,
};

/** A decoded request, the same for every transport. */
export type StoreRequest = QueryRequest | BuyRequest | RestockRequest | OrderRequest | ListRequest;

/** An operation's name, as requests, metrics and logs carry it. */
export type OpName = StoreRequest["op"];

/** The result each operation answers with (its `kind`s never overlap another's but for sold_out and not_found). */
export interface OutcomeOf {
  readonly query: QueryOutcome;
  readonly buy: BuyOutcome;
  readonly restock: RestockOutcome;
  readonly order: OrderOutcome;
  readonly list: ListOutcome;
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
};

/** Every operation's name, in the table's order. */
export const OP_NAMES: readonly OpName[] = Object.freeze(Object.keys(OPERATIONS) as OpName[]);

/** A request's operation. One function so that the cast lives in one place. */
export function operationOf<R extends StoreRequest>(request: R): Operation<R, OutcomeOf[R["op"]]> {
  return OPERATIONS[request.op] as unknown as Operation<R, OutcomeOf[R["op"]]>;
}
