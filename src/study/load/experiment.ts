// The experiment runner (`toystore experiment`): the Toy Store study as a matrix
// of cells (cell-plan.ts), each run on a fresh server started here (or fresh
// servers on other hosts, see CellHooks.servers) by run-cell.ts, measured by
// runLoad and set next to the queueing prediction; or, with --session, the
// labs' cells of session clients (session-cell.ts), one per buy probability.
// This file runs the cells in order and owns the progress, the abort and the
// results document.

import { collectEnvironment } from "../measure/environment.js";
import { describeCell, describeSessionCell, planCells, planSessionCells } from "./cell-plan.js";
import { CellStores, storeLabel } from "./cell-stores.js";
import {
  type ExperimentOptions,
  type ExperimentOptionsInput,
  resolveExperimentOptions,
} from "./experiment-options.js";
import type { ExperimentCell, ExperimentResults, SessionCell } from "./results.js";
import { type CellHooks, runCell, toCell } from "./run-cell.js";
import { createLoadFleet, type LoadFleet } from "./run-load.js";
import { runSessionCell, toSessionCell } from "./session-cell.js";

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
  /** The finished cell (phase "done" only, and not in a session experiment). */
  readonly cell?: ExperimentCell;
  /** The finished session cell (phase "done" only, in a session experiment). */
  readonly sessionCell?: SessionCell;
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
  if (placements !== undefined && options.serversPerCell !== 1)
    throw new RangeError(
      "--servers-per-cell: these cells' servers are placed on hosts of their own, one per placement",
    );
  if (placements !== undefined && placements.length > 1) {
    const owned = options.stores.filter((store) => storeLabel(store) !== "postgres");
    if (owned.length > 0)
      throw new RangeError(
        `${placements.length} servers per cell need a store they share (postgres); ${owned.join(", ")} belongs to one process`,
      );
  }
  const environment = collectEnvironment();
  const cells: ExperimentCell[] = [];
  const sessionCells: SessionCell[] = [];
  const results = (): ExperimentResults => ({
    kind: "toystore-experiment",
    version: 1,
    options,
    environment,
    ...(placements === undefined ? {} : { serverHosts: placements.map((placement) => placement.host) }),
    startedAt: environment.date,
    finishedAt: new Date().toISOString(),
    cells: [...cells],
    ...(options.session ? { sessionCells: [...sessionCells] } : {}),
  });
  const jobs = options.session
    ? sessionJobs(options, hooks, sessionCells)
    : studyJobs(options, hooks, placements?.length ?? options.serversPerCell, cells);

  const totalWeight = jobs.reduce((sum, job) => sum + job.weight, 0);
  let doneWeight = 0;
  const began = performance.now();
  const progress = (phase: "start" | "done", index: number, done?: CellDone) => {
    const elapsed = performance.now() - began;
    const etaMs = doneWeight === 0 ? null : ((totalWeight - doneWeight) * elapsed) / doneWeight;
    hooks.onProgress?.({
      phase,
      cellIndex: index,
      cellCount: jobs.length,
      label: jobs[index]!.label,
      fraction: doneWeight / totalWeight,
      etaMs,
      ...done,
    });
  };

  // The client processes are forked once and reused by every cell: forking
  // ten processes per cell cost more than the cells themselves in --quick.
  // Each cell still gives each client its own process and a new connection.
  const fleet = createLoadFleet();
  const stores = new CellStores();
  try {
    for (const [index, job] of jobs.entries()) {
      if (hooks.signal?.aborted) break;
      progress("start", index);
      let done: CellDone;
      try {
        done = await job.run(fleet, stores);
      } catch (error) {
        throw new ExperimentError(`cell ${job.label} failed: ${(error as Error).message}`, results(), {
          cause: error,
        });
      }
      doneWeight += job.weight;
      progress("done", index, done);
    }
  } finally {
    await fleet.close();
    await stores.close();
  }
  return results();
}

/** What a finished cell adds to its progress report. */
type CellDone = Pick<ExperimentProgress, "cell" | "sessionCell">;

/** A cell to run, of either experiment: its label, its expected length (for the ETA), and how to run it. */
interface CellJob {
  readonly label: string;
  /** Expected length, ms; only the ratios matter. */
  readonly weight: number;
  /** Runs the cell, adds its results to the experiment's, and returns them for the progress report. */
  run(fleet: LoadFleet, stores: CellStores): Promise<CellDone>;
}

/** The Toy Store study's cells, each weighted by its predicted length. */
function studyJobs(
  options: ExperimentOptions,
  hooks: CellHooks,
  servers: number,
  cells: ExperimentCell[],
): CellJob[] {
  return planCells(options, servers).map((plan) => ({
    label: describeCell(plan),
    weight: options.requests * plan.predicted.meanMs + CELL_OVERHEAD_MS,
    run: async (fleet, stores) => {
      const cell = toCell(plan, options, await runCell(plan, options, fleet, stores, hooks));
      cells.push(cell);
      return { cell };
    },
  }));
}

/** The labs' session cells, weighted by the requests they are expected to send (no prediction: a rough ETA). */
function sessionJobs(options: ExperimentOptions, hooks: CellHooks, cells: SessionCell[]): CellJob[] {
  return planSessionCells(options).map((plan) => ({
    label: describeSessionCell(plan),
    weight: options.requests * options.workMs * (1 + plan.buyProbability) + CELL_OVERHEAD_MS,
    run: async (fleet, stores) => {
      const { load, ...run } = await runSessionCell(plan, options, fleet, stores, hooks);
      const sessionCell = toSessionCell(plan, options, load, run);
      cells.push(sessionCell);
      return { sessionCell };
    },
  }));
}
