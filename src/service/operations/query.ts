// Query: a toy's price and stock. The study's read: it shares its lock and
// spends the simulated work.

import type { StockReport } from "../../catalog/toy.js";
import { validateName } from "../validate-name.js";
import type { Operation } from "./operation.js";

export interface QueryRequest {
  readonly op: "query";
  readonly name: string;
}

export type QueryOutcome = StockReport;

export const query: Operation<QueryRequest, QueryOutcome> = {
  op: "query",
  lock: "shared",
  toyOf: (request) => request.name,
  work: true,
  writes: false,
  validate: (request, limits) => validateName(request.name, limits.maxNameLength),
  owned: (store, request) => store.query(request.name),
  shared: (store, request, section) => store.query(request.name, section),
};
