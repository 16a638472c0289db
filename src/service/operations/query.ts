// Query: a toy's price and stock. The study's read: it shares its lock and
// spends the simulated work.

import type { StockReport } from "../../catalog/toy.js";
import { toyOperation } from "./toy-operation.js";

export interface QueryRequest {
  readonly op: "query";
  readonly name: string;
}

export type QueryOutcome = StockReport;

export const query = toyOperation<QueryRequest, QueryOutcome>(
  { op: "query", lock: "shared", work: true, writes: false },
  {
    owned: (store, request) => store.query(request.name),
    shared: (store, request, section) => store.query(request.name, section),
  },
);
