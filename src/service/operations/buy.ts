// Buy: `quantity` units of a toy, all or nothing, recorded as one order. The
// study's write: it takes its lock exclusively and spends the simulated work.

import { MAX_QUANTITY, type SaleResult } from "../../catalog/toy.js";
import { clientError, type StoreError } from "../../errors.js";
import { validateRequestKey } from "../validate-name.js";
import { toyOperation } from "./toy-operation.js";

export interface BuyRequest {
  readonly op: "buy";
  readonly name: string;
  /** Units to buy, 1 to MAX_QUANTITY; every transport's plain buy asks for 1. */
  readonly quantity: number;
  /**
   * The client's idempotency key: a buy retried with the same key (on any
   * server of one store) answers the first one's outcome and sells nothing more.
   */
  readonly requestKey?: string | undefined;
}

export type BuyOutcome = SaleResult;

/** A bad_request error unless `quantity` is a whole number from 1 to MAX_QUANTITY. */
export function validateQuantity(quantity: number): StoreError | undefined {
  if (Number.isSafeInteger(quantity) && quantity >= 1 && quantity <= MAX_QUANTITY) return undefined;
  return clientError("bad_request", `quantity must be a whole number from 1 to ${MAX_QUANTITY}`);
}

export const buy = toyOperation<BuyRequest, BuyOutcome>(
  { op: "buy", lock: "exclusive", work: true, writes: true },
  {
    validateMore(request) {
      if (request.quantity !== 1) {
        const bad = validateQuantity(request.quantity);
        if (bad !== undefined) return bad;
      }
      return request.requestKey === undefined ? undefined : validateRequestKey(request.requestKey);
    },
    owned: (store, request) => store.buy(request.name, request.quantity),
    shared: (store, request, section) =>
      store.buy(request.name, section, request.quantity, request.requestKey),
    stockChange: (result) =>
      result.kind === "bought" ? { name: result.toy, stock: result.stockLeft } : undefined,
  },
);
