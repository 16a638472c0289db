// The experiment's matrix (`toystore experiment`): every combination of the
// options' transports, stores, locks, toy choices, ops and client counts, in
// run order, each with the queueing prediction it will be measured against,
// and the label that names a cell in progress lines and errors; with
// --session, the labs' matrix of session cells (one per buy probability,
// and per query-cache setting in the caching study).

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

/** One session cell to run (`experiment --session`): N session clients buying with probability P. No prediction. */
export interface SessionCellPlan {
  readonly transport: Transport;
  readonly store: ExperimentStore;
  readonly lock: LockKind;
  readonly clients: number;
  readonly buyProbability: number;
  /** The caching study's setting: the servers run `serve --query-cache`; absent outside the caching study. */
  readonly queryCache?: boolean;
}

/**
 * The session matrix in run order: transport, store, lock, clients, buy
 * probability, each in the order given, then (the caching study) the cache
 * settings, so that the cells with and without the cache alternate.
 */
export function planSessionCells(options: ExperimentOptions): SessionCellPlan[] {
  const settings = options.queryCache?.map((setting) => ({ queryCache: setting === "on" })) ?? [{}];
  return options.transports.flatMap((transport) =>
    options.stores.flatMap((store) =>
      options.locks.flatMap((lock) =>
        options.clients.flatMap((clients) =>
          options.buyProbabilities.flatMap((buyProbability) =>
            settings.map((setting) => ({ transport, store, lock, clients, buyProbability, ...setting })),
          ),
        ),
      ),
    ),
  );
}

/**
 * "socket rwlock session P = 0.4, 5 clients"; "grpc mutex on sqlite session P = 0, 5 clients";
 * "socket rwlock on postgres session P = 0.2 cache on, 5 clients"
 */
export function describeSessionCell(
  cell: Pick<SessionCellPlan, "transport" | "lock" | "clients" | "buyProbability" | "queryCache"> & {
    store?: ExperimentStore;
  },
): string {
  const label = lockLabel({
    lock: cell.lock,
    ...(cell.store === undefined ? {} : { store: storeLabel(cell.store) }),
  });
  const cache = cell.queryCache === undefined ? "" : ` cache ${cell.queryCache ? "on" : "off"}`;
  return `${cell.transport} ${label} session P = ${cell.buyProbability}${cache}, ${cell.clients} client${cell.clients === 1 ? "" : "s"}`;
}
