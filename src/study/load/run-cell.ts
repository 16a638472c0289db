// One cell of the experiment, run: a fresh store, its server (or servers, one
// per placement), the load of runLoad on the experiment's reused client
// fleet, everything stopped and removed again, and the measurement set next
// to the cell's prediction as the results' ExperimentCell.

import type { NodeEntry } from "../measure/entry-point.js";
import type { ServerProcess } from "../measure/server.js";
import {
  type CatalogEntry,
  type ServeFlagValues,
  startToystore,
  unlimitedCatalog,
} from "../measure/toystore-launch.js";
import type { CellPlan } from "./cell-plan.js";
import { type CellStores, storeLabel } from "./cell-stores.js";
import type { ExperimentOptions } from "./experiment-options.js";
import type { LoadOptionsInput } from "./load-options.js";
import { type ExperimentCell, type LoadResults, toleranceMs } from "./results.js";
import { type LoadFleet, type RunLoadHooks, runLoad } from "./run-load.js";

/**
 * Another host for a cell's server: it is started under `commandPrefix`
 * (e.g. `ip netns exec NS`, a host of netns.ts), listens on `host`, and the
 * clients (still forked here) connect to it there.
 */
export interface CellServerPlacement {
  readonly commandPrefix: readonly string[];
  readonly host: string;
}

/** How each cell runs: where its servers are, what they run, and when to stop. */
export interface CellHooks {
  /** Stops after the current cell's clients finish the request in flight; the results so far are returned. */
  readonly signal?: AbortSignal;
  /** How to start the server; default `toystore serve` from dist/ (or src/ through tsx). */
  readonly serverEntry?: NodeEntry;
  /** Module whose `connect` the load processes use; default the project's client factory. */
  readonly connectModule?: string;
  /**
   * Where each cell's servers run: one server per placement, all on the
   * cell's store, the clients spread over them. Default one server on this
   * host, on 127.0.0.1. More than one needs a store they can share (postgres).
   */
  readonly servers?: readonly CellServerPlacement[];
}

/**
 * With several servers, a request may wait in the lock's queue behind every
 * other client's: it must never be taken for a silent server and resent.
 */
const NEVER_FAIL_OVER_MS = 2 ** 31 - 1;

/**
 * The toys a cell's clients ask for, and the catalog its server gets: the
 * default catalog for "uniform" (the Toy Store study's own), else toys of the
 * cell's own whose stock no cell exhausts ("same": one toy for everyone;
 * "distinct": one toy per client).
 */
function cellToys(plan: CellPlan, options: ExperimentOptions) {
  if (plan.toyChoice === "uniform") return { toys: options.toys, toyChoice: "uniform" as const };
  const count = plan.toyChoice === "same" ? 1 : plan.clients;
  const toys = Array.from({ length: count }, (_, i) => `Toy ${i + 1}`);
  return {
    toys,
    toyChoice: "per-client" as const,
    catalog: unlimitedCatalog(toys),
  };
}

/** What the cell's servers are: the cell's transport, store and lock. */
export type CellServerPlan = Pick<CellPlan, "transport" | "store" | "lock">;

/** What a cell's servers get besides the experiment's settings. */
export interface CellServerSetup {
  /** The catalog the first server fills the new store with; default the built-in one. */
  readonly catalog?: readonly CatalogEntry[];
  /** Also serve HTTP (for GET /api/stats), on a free port, whatever the cell's transport. */
  readonly http?: boolean;
  /** More `serve` flags by option name (`{ queryCacheSize: 8 }`). */
  readonly flags?: ServeFlagValues;
  /** `serve` flags that take no value (`--query-cache`). */
  readonly switches?: readonly string[];
}

/** The load of a cell, run against its servers with the experiment's fleet and hooks. */
export type CellLoadRun<T = LoadResults> = (
  target: Pick<LoadOptionsInput, "transport" | "host" | "port" | "servers" | "failoverMs">,
  hooks: RunLoadHooks,
  servers: readonly ServerProcess[],
) => Promise<T>;

/**
 * Runs one cell on a fresh store and fresh servers, and stops and removes
 * them whatever happens. Throws when a server does not start or the load
 * cannot run.
 */
export async function runCell(
  plan: CellPlan,
  options: ExperimentOptions,
  fleet: LoadFleet,
  stores: CellStores,
  hooks: CellHooks,
): Promise<LoadResults> {
  const { catalog, ...toys } = cellToys(plan, options);
  return onCellServers(
    plan,
    catalog === undefined ? {} : { catalog },
    options,
    fleet,
    stores,
    hooks,
    (target, loadHooks) =>
      runLoad(
        {
          ...target,
          clients: plan.clients,
          requests: options.requests,
          op: plan.op,
          ...toys,
          seed: options.seed,
          clientsPerProcess: options.clientsPerProcess,
          primeRequests: options.primeRequests,
        },
        loadHooks,
      ),
  );
}

/**
 * Starts the cell's servers on a new store (one per placement of
 * `hooks.servers`, else `options.serversPerCell` here), runs `load` against
 * them (it may read them too before they stop), and stops and removes them
 * whatever happens. Throws when a server does not start or the load cannot run.
 */
export async function onCellServers<T>(
  plan: CellServerPlan,
  setup: CellServerSetup,
  options: ExperimentOptions,
  fleet: LoadFleet,
  stores: CellStores,
  hooks: CellHooks,
  load: CellLoadRun<T>,
): Promise<T> {
  const store = await stores.create(plan.store);
  const servers: ServerProcess[] = [];
  const placements: readonly (CellServerPlacement | undefined)[] =
    hooks.servers ?? Array.from({ length: options.serversPerCell }, () => undefined);
  const { catalog } = setup;
  try {
    // One after the other: the first fills the new store from the catalog, the others find it filled.
    for (const placement of placements) {
      servers.push(
        await startToystore({
          transports:
            setup.http === true && plan.transport !== "http" ? [plan.transport, "http"] : [plan.transport],
          ...(catalog === undefined || servers.length > 0 ? {} : { catalog }),
          ...(placement === undefined ? {} : { commandPrefix: placement.commandPrefix }),
          flags: {
            ...(store.flag === undefined ? {} : { store: store.flag }),
            ...(placement === undefined ? {} : { host: placement.host }),
            lock: plan.lock,
            workMs: options.workMs,
            poolSize: options.socketPoolSize,
            grpcMaxConcurrency: options.grpcMaxConcurrency,
            // Only to an HTTP cell's server, so the socket and gRPC cells' arguments stay as they were.
            ...(plan.transport === "http" ? { httpMaxConcurrency: options.httpMaxConcurrency } : {}),
            ...setup.flags,
          },
          ...(setup.switches === undefined ? {} : { switches: setup.switches }),
          ...(hooks.serverEntry === undefined ? {} : { entry: hooks.serverEntry }),
        }),
      );
    }
    // The cell's transport's port: with HTTP served besides, a server's first ready line may be either.
    const endpoints = servers.map((server) => ({
      host: server.host,
      port: server.ports[plan.transport] ?? server.port,
    }));
    return await load(
      {
        transport: plan.transport,
        ...endpoints[0]!,
        // Client i on server i mod their number, as the prediction assumes.
        ...(endpoints.length > 1 ? { servers: endpoints, failoverMs: NEVER_FAIL_OVER_MS } : {}),
      },
      {
        fleet,
        ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
        ...(hooks.connectModule === undefined ? {} : { connectModule: hooks.connectModule }),
      },
      servers,
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await store.remove();
  }
}

/** What a cell reads of its load's results. */
export type CellLoad = Pick<
  LoadResults,
  "latency" | "throughputPerSecond" | "errors" | "outcomes" | "stopReason" | "elapsedMs" | "histogram"
> & { readonly perClient: readonly { readonly meanMs: number }[] };

/** A cell's results: the measurement, the prediction, and how far apart they are. */
export function toCell(plan: CellPlan, options: ExperimentOptions, load: CellLoad): ExperimentCell {
  const differenceMs = load.latency.mean - plan.predicted.meanMs;
  return {
    transport: plan.transport,
    lock: plan.lock,
    op: plan.op,
    toyChoice: plan.toyChoice,
    store: storeLabel(plan.store),
    clients: plan.clients,
    requests: options.requests,
    workMs: options.workMs,
    measured: load.latency,
    perClientMeansMs: load.perClient.map((client) => client.meanMs),
    throughputPerSecond: load.throughputPerSecond,
    errors: load.errors,
    outcomes: load.outcomes,
    predicted: plan.predicted,
    differenceMs,
    differencePercent: plan.predicted.meanMs === 0 ? 0 : (100 * differenceMs) / plan.predicted.meanMs,
    // Only a complete cell ran the schedule the prediction describes.
    withinTolerance:
      load.stopReason === "completed" &&
      load.latency.count > 0 &&
      Math.abs(differenceMs) <= toleranceMs(plan.predicted.meanMs),
    stopReason: load.stopReason,
    elapsedMs: load.elapsedMs,
    histogram: load.histogram,
  };
}
