// Order lookup: one recorded sale by its id. Orders never change once
// written, so it takes no lock and spends no simulated work.

import { NOT_FOUND, type Order } from "../../catalog/toy.js";
import { clientError } from "../../errors.js";
import { mapAnswer } from "./map-answer.js";
import type { Operation } from "./operation.js";

export interface OrderRequest {
  readonly op: "order";
  readonly id: string;
}

export type OrderOutcome = { readonly kind: "order"; readonly order: Order } | typeof NOT_FOUND;

/** The longest order id accepted (store ids are decimal numbers). */
export const MAX_ORDER_ID_LENGTH = 64;

const outcomeOf = (order: Order | undefined): OrderOutcome =>
  order === undefined ? NOT_FOUND : { kind: "order", order };

export const order: Operation<OrderRequest, OrderOutcome> = {
  op: "order",
  lock: "none",
  work: false,
  writes: false,
  validate(request) {
    const id = request.id;
    if (id.length === 0) return clientError("bad_request", "empty order id");
    if (id.length > MAX_ORDER_ID_LENGTH)
      return clientError("bad_request", `order id too long (more than ${MAX_ORDER_ID_LENGTH} characters)`);
    return undefined;
  },
  owned: (store, request) => mapAnswer(store.order(request.id), outcomeOf),
  shared: async (store, request) => outcomeOf(await store.order(request.id)),
};
