// The experiment's matrix (`toystore experiment`): every combination of the
// options' transports, stores, locks, toy choices, ops and client counts, in
// run order, each with the queueing prediction it will be measured against,
// and the label that names a cell in progress lines and errors.

import type { Transport } from "../../client/store-client.js";
import type { LockKind } from "../../concurrency/section-lock.js";
import { type ExperimentStore, storeLabel } from "./cell-stores.js";
import type { ExperimentOptions } from "./experiment-options.js";
import type { Op } from "./load-options.js";
import { type CellPrediction, forecastCell, type ToyChoice } from "./prediction.js";
import { lockLabel } from "./results.js";

/** One cell to run, with what theory expects of it. */
export interface CellPlan {
  readonly transport: Transport;
  readonly store: ExperimentStore;
  readonly lock: LockKind;
  readonly op: Op;
  readonly toyChoice: ToyChoice;
  readonly clients: number;
  readonly predicted: CellPrediction;
}

/**
 * The matrix in run order: transport, store, lock, toy choice, op, clients,
 * each in the order given; predicted for `servers` servers per cell.
 */
export function planCells(options: ExperimentOptions, servers = 1): CellPlan[] {
  const cells: CellPlan[] = [];
  for (const transport of options.transports) {
    for (const store of options.stores) {
      for (const lock of options.locks) {
        for (const toyChoice of options.toyChoices) {
          for (const op of options.ops) {
            for (const clients of options.clients) {
              const predicted = forecastCell({
                transport,
                lock,
                op,
                toyChoice,
                ...options,
                clients,
                requests: options.requests,
                serviceMs: options.workMs,
                servers,
              });
              cells.push({ transport, store, lock, op, toyChoice, clients, predicted });
            }
          }
        }
      }
    }
  }
  return cells;
}

/** "socket rwlock query, 5 clients"; "socket per-toy (distinct toys) on sqlite buy, 5 clients" */
export function describeCell(
  cell: Pick<CellPlan, "transport" | "lock" | "op" | "clients"> & {
    toyChoice?: ToyChoice;
    store?: ExperimentStore;
  },
): string {
  const label = lockLabel({
    ...cell,
    ...(cell.store === undefined ? {} : { store: storeLabel(cell.store) }),
  });
  return `${cell.transport} ${label} ${cell.op}, ${cell.clients} client${cell.clients === 1 ? "" : "s"}`;
}
