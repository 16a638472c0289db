// The plain data a load run and an experiment produce (measure/results.ts
// has what every tool shares). Reports (CSV, Markdown, SVG) are written from
// this data alone.

import type { Transport } from "../../client/store-client.js";
import type { LockKind } from "../../concurrency/section-lock.js";
import type { Environment } from "../measure/environment.js";
import type { LatencySummary } from "../measure/latency-histogram.js";
import type { Counts, Measurement, StopReason } from "../measure/results.js";
import type { ExperimentOptions } from "./experiment-options.js";
import type { LoadOptions, Op } from "./load-options.js";
import type { CellPrediction, ToyChoice } from "./prediction.js";

/** One client's share of a run. */
export interface ClientResult {
  /** 0-based client number; it also offsets the client's toy-picking seed. */
  readonly client: number;
  /** 0-based number of the OS process that ran it (0 for every client when in-process). */
  readonly process: number;
  /** Latencies recorded (successful requests in the measured phase). */
  readonly count: number;
  /** Exact mean latency of this client, ms: the Toy Store study's per-client figure. */
  readonly meanMs: number;
  readonly maxMs: number;
  readonly errors: Counts;
  readonly outcomes: Counts;
  /** Length of the client's measured phase, ms. */
  readonly elapsedMs: number;
  readonly stopReason: StopReason;
}

/** The result of `toystore load`: the common measurement, plus each client's share. */
export interface LoadResults extends Measurement<"toystore-load", LoadOptions> {
  /** Mean of the per-client means, ms (equals latency.mean when every client sent as many requests). */
  readonly meanOfClientMeansMs: number;
  readonly perClient: readonly ClientResult[];
  readonly outcomes: Counts;
  /** How often clients moved to another server (--servers); absent in results written before it. */
  readonly failovers?: number;
  /** A session run's (`load --session`) own figures; absent otherwise. `latency` above covers every request. */
  readonly session?: SessionResults;
}

/** One request type's share of a session run: its latency and what it was answered. */
export interface OpResults {
  /** Latency of this request type alone, ms (exact mean). */
  readonly latency: LatencySummary;
  /** Its latencies, microseconds, as an encoded HDR histogram. */
  readonly histogram: string;
  readonly outcomes: Counts;
  readonly errors: Counts;
}

/** What went wrong with one order a session was told about, when it was read back. */
export interface OrderProblem {
  /** The client that bought it. */
  readonly client: number;
  /** null: the buy was answered "bought" without an order id. */
  readonly orderId: string | null;
  /** What the client asked for, and was told it bought. */
  readonly toy: string;
  readonly quantity: number;
  /**
   * "mismatch": the store's order names another toy or quantity; "missing":
   * the store has no such order; "unreadable": the lookup failed (see code);
   * "no_order_id": there was no id to look up.
   */
  readonly problem: "mismatch" | "missing" | "unreadable" | "no_order_id";
  /** The store's order, for a mismatch. */
  readonly found?: { readonly toy: string; readonly quantity: number };
  /** The lookup's error code, for "unreadable". */
  readonly code?: string;
}

/** The orders a session run was told about, read back once it was over (not timed). */
export interface OrderCheck {
  /** Buys answered "bought": the orders to check. */
  readonly recorded: number;
  /** Read back with the toy and quantity the client bought. */
  readonly verified: number;
  /** Not read back because the run was stopped (Ctrl-C); not a failure. */
  readonly unchecked: number;
  /** Orders that did not check out, by OrderProblem's `problem`. */
  readonly failed: Counts;
  /** The first few problems, by client. */
  readonly problems: readonly OrderProblem[];
}

/** A session run's figures: latency per request type, and the orders checked. */
export interface SessionResults {
  readonly buyProbability: number;
  readonly query: OpResults;
  readonly buy: OpResults;
  readonly orders: OrderCheck;
}

/** One cell of the matrix: a fresh server, N clients, R requests each. */
export interface ExperimentCell {
  readonly transport: Transport;
  readonly lock: LockKind;
  readonly op: Op;
  /** How the clients picked toys ("uniform" in results written before there was a choice). */
  readonly toyChoice: ToyChoice;
  /** The store the cell's server ran on ("memory" in results written before there was a choice). */
  readonly store: "memory" | "sqlite" | "postgres";
  readonly clients: number;
  readonly requests: number;
  readonly workMs: number;
  /** Latency over every request of the cell, ms (exact mean). */
  readonly measured: LatencySummary;
  /** The Toy Store study's figure: each client's mean latency, ms, by client number. */
  readonly perClientMeansMs: readonly number[];
  readonly throughputPerSecond: number;
  readonly errors: Counts;
  readonly outcomes: Counts;
  readonly predicted: CellPrediction;
  /** measured.mean - predicted.meanMs, ms: what the transport, the harness and the timers add. */
  readonly differenceMs: number;
  /** differenceMs as a percentage of the prediction (0 when the prediction is 0). */
  readonly differencePercent: number;
  /** Whether the cell completed and |differenceMs| <= max(5 ms, 2.5% of the prediction), the harness's accuracy target. */
  readonly withinTolerance: boolean;
  readonly stopReason: StopReason;
  /** Wall time of the cell's measured phase, ms (server start-up excluded). */
  readonly elapsedMs: number;
  /** Every latency of the cell, microseconds, as an encoded HDR histogram. */
  readonly histogram: string;
}

/** One cell of the labs' experiment (`experiment --session`): a fresh server, N session clients buying with probability P. */
export interface SessionCell {
  readonly transport: Transport;
  readonly lock: LockKind;
  readonly store: "memory" | "sqlite" | "postgres";
  readonly clients: number;
  /** Session steps per client: each a query, and maybe a buy. */
  readonly requests: number;
  readonly workMs: number;
  readonly buyProbability: number;
  /** Latency of the queries alone, and of the buys alone, with their outcomes and errors. */
  readonly query: OpResults;
  readonly buy: OpResults;
  /** Every request of the cell, ms. */
  readonly measured: LatencySummary;
  readonly throughputPerSecond: number;
  readonly errors: Counts;
  /** The orders the clients read back after the run. */
  readonly orders: OrderCheck;
  readonly stopReason: StopReason;
  readonly elapsedMs: number;
  /** Servers the cell ran on its store (client i on server i mod their number); absent: one. */
  readonly servers?: number;
  /** The caching study's setting: whether the servers ran `serve --query-cache`; absent outside the caching study. */
  readonly queryCache?: boolean;
  /** The caching study: each server's /api/stats figures, read once the cell's clients were done, in server order. */
  readonly serverStats?: readonly ServerCachingStats[];
}

/** Percentiles of announcement delays, ms; null before any. */
export interface DelayFigures {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** One server's cache and announcement figures, as its GET /api/stats gave them at the end of a cell. */
export interface ServerCachingStats {
  /** The query cache's counters; null when the server reported none (cache off, or a server without one). */
  readonly cache: { readonly hits: number; readonly misses: number; readonly entries: number } | null;
  /**
   * Stock changes announced to this server (by every server, itself
   * included), and how long each took from the announcing statement's clock
   * to its arrival here; `fromOthers` the same for other servers' changes
   * alone (the window in which a cache here may miss their sales: the
   * staleness window). null when the server reported none.
   */
  readonly announcements: {
    readonly received: number;
    readonly delayMs: DelayFigures;
    /** null when the server did not tell its own changes from others' apart. */
    readonly fromOthers: { readonly received: number; readonly delayMs: DelayFigures } | null;
  } | null;
}

/** The result of `toystore experiment`: what results.json holds. */
export interface ExperimentResults {
  readonly kind: "toystore-experiment";
  readonly version: 1;
  readonly options: ExperimentOptions;
  readonly environment: Environment;
  /** Where each cell's servers listened when they ran on other hosts than the clients (the cluster experiment), one address per server; absent: one server on this host's loopback. */
  readonly serverHosts?: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The Toy Store study's cells; empty in a session experiment. */
  readonly cells: readonly ExperimentCell[];
  /** A session experiment's cells (options.session); absent otherwise. */
  readonly sessionCells?: readonly SessionCell[];
}

/**
 * The lock as reports name it: "rwlock", with the toy choice when it matters,
 * "per-toy (distinct toys)", and the store unless it is memory, "atomic on sqlite".
 */
export function lockLabel(cell: {
  readonly lock: LockKind;
  readonly toyChoice?: ToyChoice;
  readonly store?: string;
}): string {
  const toys =
    cell.toyChoice === undefined || cell.toyChoice === "uniform"
      ? ""
      : ` (${cell.toyChoice === "same" ? "same toy" : "distinct toys"})`;
  const store = cell.store === undefined || cell.store === "memory" ? "" : ` on ${cell.store}`;
  return `${cell.lock}${toys}${store}`;
}

/** The harness's accuracy target for a prediction: 5 ms or 2.5%, whichever is larger. */
export function toleranceMs(predictedMeanMs: number): number {
  return Math.max(5, predictedMeanMs * 0.025);
}
