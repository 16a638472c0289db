// The plain data a load run and an experiment produce, and the environment
// they ran in. Reports (CSV, Markdown, SVG) are written from this data alone.

import { execFileSync } from "node:child_process";
import os from "node:os";
import type { Op } from "../catalog/toy.js";
import type { Transport } from "../client/store-client.js";
import type { LockKind } from "../concurrency/section-lock.js";
import type { ExperimentOptions } from "./experiment-options.js";
import type { LoadOptions } from "./load-options.js";
import type { LatencySummary } from "./stats.js";

/**
 * Why a run ended: "completed" (every client sent its requests), "duration"
 * (the time bound passed), "aborted" (the caller stopped it), or
 * "connection_lost" (a client's connection broke, so it stopped early).
 */
export type StopReason = "completed" | "duration" | "aborted" | "connection_lost";

/** Counts keyed by an error code (StoreError's `code`) or an outcome kind ("in_stock", "bought", ...). */
export type Counts = Record<string, number>;

/** Where the numbers were taken. */
export interface Environment {
  readonly node: string;
  readonly platform: string;
  readonly osRelease: string;
  readonly arch: string;
  readonly cpuModel: string;
  /** Logical cores the OS reports. */
  readonly cpuCores: number;
  readonly totalMemoryBytes: number;
  /** ISO 8601, when the environment was collected (the run's start). */
  readonly date: string;
  /** HEAD of the checkout the code ran from; null outside a git checkout. */
  readonly gitCommit: string | null;
  /** Whether the checkout had uncommitted changes; null when unknown. */
  readonly gitDirty: boolean | null;
}

/** One client's share of a run. */
export interface ClientResult {
  /** 0-based client number; it also offsets the client's toy-picking seed. */
  readonly client: number;
  /** 0-based number of the OS process that ran it (0 for every client when in-process). */
  readonly process: number;
  /** Latencies recorded (successful requests in the measured phase). */
  readonly count: number;
  /** Exact mean latency of this client, ms: the seed's per-client figure. */
  readonly meanMs: number;
  readonly maxMs: number;
  readonly errors: Counts;
  readonly outcomes: Counts;
  /** Length of the client's measured phase, ms. */
  readonly elapsedMs: number;
  readonly stopReason: StopReason;
}

/** The result of `toystore load`. */
export interface LoadResults {
  readonly kind: "toystore-load";
  readonly version: 1;
  readonly options: LoadOptions;
  readonly environment: Environment;
  /** Latency over every client, ms; the mean is exact (from sums, not histogram buckets). */
  readonly latency: LatencySummary;
  /** Mean of the per-client means, ms (equals latency.mean when every client sent as many requests). */
  readonly meanOfClientMeansMs: number;
  readonly perClient: readonly ClientResult[];
  /** Successful requests per second over the longest client's measured phase. */
  readonly throughputPerSecond: number;
  /** Longest measured phase among the clients, ms. */
  readonly elapsedMs: number;
  readonly errors: Counts;
  readonly outcomes: Counts;
  /** "completed" only if every client completed; otherwise the first other reason met. */
  readonly stopReason: StopReason;
  /** Every latency, microseconds, as an encoded HDR histogram (see stats.ts): percentiles can be recomputed. */
  readonly histogram: string;
}

/** What queueing theory expects of a cell (see prediction.ts). */
export interface CellPrediction {
  /** c: requests the server runs side by side for this cell. */
  readonly parallelism: number;
  /** The exact expected mean for the harness's schedule, ms. */
  readonly meanMs: number;
  /** The steady-state mean S * max(1, N / c), ms: what a long run tends to. */
  readonly steadyStateMs: number;
}

/** One cell of the matrix: a fresh server, N clients, R requests each. */
export interface ExperimentCell {
  readonly transport: Transport;
  readonly lock: LockKind;
  readonly op: Op;
  readonly clients: number;
  readonly requests: number;
  readonly workMs: number;
  /** Latency over every request of the cell, ms (exact mean). */
  readonly measured: LatencySummary;
  /** The seed's figure: each client's mean latency, ms, by client number. */
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

/** The result of `toystore experiment`: what results.json holds. */
export interface ExperimentResults {
  readonly kind: "toystore-experiment";
  readonly version: 1;
  readonly options: ExperimentOptions;
  readonly environment: Environment;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly cells: readonly ExperimentCell[];
}

/** The harness's accuracy target for a prediction: 5 ms or 2.5%, whichever is larger. */
export function toleranceMs(predictedMeanMs: number): number {
  return Math.max(5, predictedMeanMs * 0.025);
}

/**
 * Describes this machine and checkout. Git is asked read-only (rev-parse,
 * status); without git or outside a checkout the commit fields are null.
 */
export function collectEnvironment(cwd: string = process.cwd()): Environment {
  const cpus = os.cpus();
  const gitCommit = git(["rev-parse", "HEAD"], cwd);
  const status = gitCommit === null ? null : git(["status", "--porcelain", "--untracked-files=no"], cwd);
  return {
    node: process.version,
    platform: process.platform,
    osRelease: os.release(),
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cpuCores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    date: new Date().toISOString(),
    gitCommit,
    gitDirty: status === null ? null : status.length > 0,
  };
}

function git(args: readonly string[], cwd: string): string | null {
  try {
    return execFileSync("git", args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5000,
    }).trim();
  } catch {
    return null;
  }
}
