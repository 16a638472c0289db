// Restock: set a toy's stock or add to it, and/or set its price (the admin
// API). Exclusive on its toy, as a buy; no simulated work.

import type { Restock } from "../../catalog/catalog-store.js";
import { NOT_FOUND, type Toy } from "../../catalog/toy.js";
import { clientError } from "../../errors.js";
import { mapAnswer } from "./map-answer.js";
import { toyOperation } from "./toy-operation.js";

export interface RestockRequest {
  readonly op: "restock";
  readonly name: string;
  readonly change: Restock;
}

export type RestockOutcome = { readonly kind: "restocked"; readonly toy: Toy } | typeof NOT_FOUND;

const outcomeOf = (toy: Toy | undefined): RestockOutcome =>
  toy === undefined ? NOT_FOUND : { kind: "restocked", toy };

function validStock(n: number | undefined): boolean {
  return n === undefined || (Number.isSafeInteger(n) && n >= 0);
}

export const restock = toyOperation<RestockRequest, RestockOutcome>(
  { op: "restock", lock: "exclusive", work: false, writes: true },
  {
    validateMore(request) {
      const { stock, addStock, priceCents } = request.change;
      if (stock !== undefined && addStock !== undefined)
        return clientError("bad_request", "give stock or addStock, not both");
      if (!validStock(stock) || !validStock(addStock) || !validStock(priceCents))
        return clientError("bad_request", "stock, addStock and price must be non-negative whole amounts");
      return undefined;
    },
    owned(store, request) {
      if (store.restock === undefined) throw clientError("bad_request", "this store cannot restock");
      return mapAnswer(store.restock(request.name, request.change), outcomeOf);
    },
    shared: async (store, request) => outcomeOf(await store.restock(request.name, request.change)),
    stockChange: (result) =>
      result.kind === "restocked" ? { name: result.toy.name, stock: result.toy.stock } : undefined,
  },
);
