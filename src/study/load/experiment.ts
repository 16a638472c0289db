// The experiment runner (`toystore experiment`): the Toy Store study as a matrix
// of cells (cell-plan.ts), each run on a fresh server started here (or fresh
// servers on other hosts, see CellHooks.servers) by run-cell.ts, measured by
// runLoad and set next to the queueing prediction. This file runs the cells
// in order and owns the progress, the abort and the results document.

import { collectEnvironment } from "../measure/environment.js";
import { describeCell, planCells } from "./cell-plan.js";
import { CellStores, storeLabel } from "./cell-stores.js";
import { type ExperimentOptionsInput, resolveExperimentOptions } from "./experiment-options.js";
import type { ExperimentCell, ExperimentResults, LoadResults } from "./results.js";
import { type CellHooks, runCell, toCell } from "./run-cell.js";
import { createLoadFleet } from "./run-load.js";

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

/** How the cells run (CellHooks), and who hears of each one's start and end. */
export interface ExperimentHooks extends CellHooks {
  readonly onProgress?: (progress: ExperimentProgress) => void;
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
