// One cell of the labs' experiment (`experiment --session`), run: a fresh
// store and server as every cell gets (run-cell.ts), N session clients
// buying with the cell's probability, and their figures set down as the
// results' SessionCell.

import type { SessionCellPlan } from "./cell-plan.js";
import { type CellStores, storeLabel } from "./cell-stores.js";
import type { ExperimentOptions } from "./experiment-options.js";
import type { LoadResults, SessionCell } from "./results.js";
import { type CellHooks, onCellServers } from "./run-cell.js";
import { type LoadFleet, runLoad } from "./run-load.js";

/**
 * Runs one session cell on a fresh store and server (the built-in catalog,
 * as the labs' store starts), and stops and removes them whatever happens.
 * Throws when the server does not start or the load cannot run.
 */
export function runSessionCell(
  plan: SessionCellPlan,
  options: ExperimentOptions,
  fleet: LoadFleet,
  stores: CellStores,
  hooks: CellHooks,
): Promise<LoadResults> {
  return onCellServers(plan, undefined, options, fleet, stores, hooks, (target, loadHooks) =>
    runLoad(
      {
        ...target,
        session: true,
        buyProbability: plan.buyProbability,
        clients: plan.clients,
        requests: options.requests,
        toys: options.toys,
        seed: options.seed,
        clientsPerProcess: options.clientsPerProcess,
        primeRequests: options.primeRequests,
      },
      loadHooks,
    ),
  );
}

/** What a session cell reads of its load's results. */
export type SessionCellLoad = Pick<
  LoadResults,
  "latency" | "throughputPerSecond" | "errors" | "stopReason" | "elapsedMs" | "session"
>;

/** A session cell's results. Throws if the load ran no session (a bug, not a measurement). */
export function toSessionCell(
  plan: SessionCellPlan,
  options: ExperimentOptions,
  load: SessionCellLoad,
): SessionCell {
  const { session } = load;
  if (session === undefined) throw new Error("a session cell's load reported no session figures");
  return {
    transport: plan.transport,
    lock: plan.lock,
    store: storeLabel(plan.store),
    clients: plan.clients,
    requests: options.requests,
    workMs: options.workMs,
    buyProbability: plan.buyProbability,
    query: session.query,
    buy: session.buy,
    measured: load.latency,
    throughputPerSecond: load.throughputPerSecond,
    errors: load.errors,
    orders: session.orders,
    stopReason: load.stopReason,
    elapsedMs: load.elapsedMs,
  };
}
