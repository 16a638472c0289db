// Refill: every sold-out toy (stock 0) put back to a stock, the restock
// timer's round (../restock-timer.ts). The server's own operation: no
// transport maps it, so no client can send one. It takes the catalog's lock
// exclusively (any toy's stock may change; under per-toy, the catalog's own
// key, which no toy shares) and spends no simulated work. Each toy put back is
// told to the stock watchers, as a sale is, so event streams show it live.

import type { RefillResult } from "../../catalog/catalog-store.js";
import { clientError, type StoreError } from "../../errors.js";
import type { Operation } from "./operation.js";

export interface RefillRequest {
  readonly op: "refill";
  /** The stock a sold-out toy is put back to: a whole number from 1. */
  readonly to: number;
  /**
   * The rounds' period, in ms: a store shared by several servers runs at most
   * one round per period across all of them (the others answer not_due).
   */
  readonly periodMs: number;
}

export type RefillOutcome = RefillResult;

/** A bad_request error unless `to` is a stock a toy may hold (a whole number from 1) and the period whole ms from 1. */
function validateRefill(request: RefillRequest): StoreError | undefined {
  if (!Number.isSafeInteger(request.to) || request.to < 1)
    return clientError(
      "bad_request",
      `a refill's stock must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`,
    );
  if (!Number.isSafeInteger(request.periodMs) || request.periodMs < 1)
    return clientError("bad_request", "a refill's period must be a whole number of ms from 1");
  return undefined;
}

export const refill: Operation<RefillRequest, RefillOutcome> = {
  op: "refill",
  lock: "exclusive",
  work: false,
  writes: true,
  validate: validateRefill,
  owned(store, request) {
    if (store.refill === undefined) throw clientError("bad_request", "this store cannot refill");
    return store.refill(request.to);
  },
  async shared(store, request, section) {
    if (store.refill === undefined) throw clientError("bad_request", "this store cannot refill");
    return await store.refill(request.to, request.periodMs, section);
  },
  // A toy carries its name and stock: each one put back is a stock change.
  stockChange: (result) => (result.kind === "refilled" ? result.toys : undefined),
};
