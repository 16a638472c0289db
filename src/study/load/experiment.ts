// The experiment runner (`toystore experiment`): the Toy Store study as a matrix
// of cells, each run on a fresh server started here (or fresh servers on other
// hosts, see ExperimentHooks.servers), measured by runLoad and set next to the
// queueing prediction.

import type { Op } from "../../catalog/toy.js";
import type { Transport } from "../../client/store-client.js";
import type { LockKind } from "../../concurrency/section-lock.js";
import type { NodeEntry } from "../measure/entry-point.js";
import { collectEnvironment } from "../measure/environment.js";
import { type ServerProcess, startToystore, unlimitedCatalog } from "../measure/server.js";
import { CellStores, type ExperimentStore, storeLabel } from "./cell-stores.js";
import {
  type ExperimentOptions,
  type ExperimentOptionsInput,
  resolveExperimentOptions,
} from "./experiment-options.js";
import { forecastCell, type ToyChoice } from "./prediction.js";
import {
  type CellPrediction,
  type ExperimentCell,
  type ExperimentResults,
  type LoadResults,
  lockLabel,
  toleranceMs,
} from "./results.js";
import { createLoadFleet, type LoadFleet, runLoad } from "./run-load.js";

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

/** Reported before and after each cell. */
export interface ExperimentProgress {
  readonly phase: "start" | "done";
  /** 0-based number of the cell starting or done. */
  readonly cellIndex: number;
  readonly cellCount: number;
  /** e.g. "socket rwlock query, 5 clients". */
  readonly label: string;
  /** Fraction of the expected total time done, in [0, 1]; cells are weighted by their predicted length. */
  readonly fraction: number;
  /** Estimated time left, ms; null until a cell has finished. */
  readonly etaMs: number | null;
  /** The finished cell (phase "done" only). */
  readonly cell?: ExperimentCell;
}

export interface ExperimentHooks {
  readonly onProgress?: (progress: ExperimentProgress) => void;
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
 * Another host for a cell's server: it is started under `commandPrefix`
 * (e.g. `ip netns exec NS`, a host of netns.ts), listens on `host`, and the
 * clients (still forked here) connect to it there.
 */
export interface CellServerPlacement {
  readonly commandPrefix: readonly string[];
  readonly host: string;
}

/** A cell failed (its server did not start, or its clients could not connect); `partial` holds the cells before it. */
export class ExperimentError extends Error {
  override readonly name = "ExperimentError";
  constructor(
    message: string,
    readonly partial: ExperimentResults,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Start-up cost of a cell we do not model (server start, client processes), for the ETA only. */
const CELL_OVERHEAD_MS = 1500;

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

/**
 * Runs every cell on its own fresh server and returns the results: each cell
 * measured, predicted, and compared. Cells run one after the other, never
 * overlapping, so that a cell never shares the machine with another.
 * Throws ExperimentError (carrying the cells done) if a cell cannot run.
 */
export async function runExperiment(
  input: ExperimentOptionsInput = {},
  hooks: ExperimentHooks = {},
): Promise<ExperimentResults> {
  const options = resolveExperimentOptions(input);
  const placements = hooks.servers;
  if (placements !== undefined && placements.length === 0)
    throw new RangeError("servers: at least one placement");
  if (placements !== undefined && placements.length > 1) {
    const owned = options.stores.filter((store) => storeLabel(store) !== "postgres");
    if (owned.length > 0)
      throw new RangeError(
        `${placements.length} servers per cell need a store they share (postgres); ${owned.join(", ")} belongs to one process`,
      );
  }
  const environment = collectEnvironment();
  const plans = planCells(options, placements?.length ?? 1);
  const cells: ExperimentCell[] = [];
  const results = (): ExperimentResults => ({
    kind: "toystore-experiment",
    version: 1,
    options,
    environment,
    ...(placements === undefined ? {} : { serverHosts: placements.map((placement) => placement.host) }),
    startedAt: environment.date,
    finishedAt: new Date().toISOString(),
    cells: [...cells],
  });

  const weights = plans.map((plan) => options.requests * plan.predicted.meanMs + CELL_OVERHEAD_MS);
  const totalWeight = weights.reduce((sum, w) => sum + w, 0);
  let doneWeight = 0;
  const began = performance.now();
  const progress = (phase: "start" | "done", index: number, cell?: ExperimentCell) => {
    const elapsed = performance.now() - began;
    const etaMs = doneWeight === 0 ? null : ((totalWeight - doneWeight) * elapsed) / doneWeight;
    hooks.onProgress?.({
      phase,
      cellIndex: index,
      cellCount: plans.length,
      label: describeCell(plans[index]!),
      fraction: doneWeight / totalWeight,
      etaMs,
      ...(cell === undefined ? {} : { cell }),
    });
  };

  // The client processes are forked once and reused by every cell: forking
  // ten processes per cell cost more than the cells themselves in --quick.
  // Each cell still gives each client its own process and a new connection.
  const fleet = createLoadFleet();
  const stores = new CellStores();
  try {
    for (const [index, plan] of plans.entries()) {
      if (hooks.signal?.aborted) break;
      progress("start", index);
      let load: LoadResults;
      try {
        load = await runCell(plan, options, fleet, stores, hooks);
      } catch (error) {
        throw new ExperimentError(
          `cell ${describeCell(plan)} failed: ${(error as Error).message}`,
          results(),
          {
            cause: error,
          },
        );
      }
      const cell = toCell(plan, options, load);
      cells.push(cell);
      doneWeight += weights[index]!;
      progress("done", index, cell);
    }
  } finally {
    await fleet.close();
    await stores.close();
  }
  return results();
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

/**
 * With several servers, a request may wait in the lock's queue behind every
 * other client's: it must never be taken for a silent server and resent.
 */
const NEVER_FAIL_OVER_MS = 2 ** 31 - 1;

async function runCell(
  plan: CellPlan,
  options: ExperimentOptions,
  fleet: LoadFleet,
  stores: CellStores,
  hooks: ExperimentHooks,
): Promise<LoadResults> {
  const { catalog, ...toys } = cellToys(plan, options);
  const store = await stores.create(plan.store);
  const servers: ServerProcess[] = [];
  try {
    // One after the other: the first fills the new store from the catalog, the others find it filled.
    for (const placement of hooks.servers ?? [undefined]) {
      servers.push(
        await startToystore({
          transports: [plan.transport],
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
          },
          ...(hooks.serverEntry === undefined ? {} : { entry: hooks.serverEntry }),
        }),
      );
    }
    const endpoints = servers.map((server) => ({ host: server.host, port: server.port }));
    return await runLoad(
      {
        transport: plan.transport,
        ...endpoints[0]!,
        // Client i on server i mod their number, as the prediction assumes.
        ...(endpoints.length > 1 ? { servers: endpoints, failoverMs: NEVER_FAIL_OVER_MS } : {}),
        clients: plan.clients,
        requests: options.requests,
        op: plan.op,
        ...toys,
        seed: options.seed,
        clientsPerProcess: options.clientsPerProcess,
        primeRequests: options.primeRequests,
      },
      {
        fleet,
        ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
        ...(hooks.connectModule === undefined ? {} : { connectModule: hooks.connectModule }),
      },
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await store.remove();
  }
}

function toCell(plan: CellPlan, options: ExperimentOptions, load: LoadResults): ExperimentCell {
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
