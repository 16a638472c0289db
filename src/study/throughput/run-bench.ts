// runBench: runs the plans on the fleet's processes, started together
// at the barrier, and merges their reports into one BenchResult (plain JSON;
// printing is format.ts's job).

import { resolveEntry } from "../measure/entry-point.js";
import { collectEnvironment, type Environment } from "../measure/environment.js";
import { runOnFleet } from "../measure/fleet.js";
import { decodeHistogram, mergeHistograms } from "../measure/latency-histogram.js";
import { type Measurement, measured } from "../measure/results.js";
import {
  type BenchOptions,
  planProcesses,
  type ResolvedBenchOptions,
  resolveBenchOptions,
  type ThroughputPlan,
} from "./options.js";
import type { ThroughputReport } from "./recorder.js";

/** Time for every process to open its connections. */
const READY_TIMEOUT_MS = 20_000;
/** Slack after warm-up + duration before a silent process counts as failed. */
const REPORT_SLACK_MS = 10_000;

export interface ProcessSummary {
  readonly requests: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  /** CPU the process used over the window, in cores: near 1 means the generator was saturated. */
  readonly cpuShare: number;
  readonly lostConnections: number;
}

/**
 * One benchmark run, as plain data. Latency and throughput count every reply,
 * error replies included (a benchmark measures the server's work); `errors`
 * counts the failed ones again ("failed": ERR lines, failed gRPC calls, HTTP
 * error statuses other than 404 and 409, and requests lost with a dropped
 * connection).
 */
export interface BenchResult extends Measurement<"toystore-bench", ResolvedBenchOptions> {
  /** ISO 8601, when the barrier opened. */
  readonly startedAt: string;
  readonly processes: readonly ProcessSummary[];
}

/** Runs one benchmark against a server already listening at options.host:port. */
export async function runBench(input: BenchOptions): Promise<BenchResult> {
  const options = resolveBenchOptions(input);
  const environment = collectEnvironment();
  let startedAt = "";
  const reports = await runOnFleet<ThroughputPlan, ThroughputReport>(
    resolveEntry("study/throughput/throughput-process"),
    "bench process",
    planProcesses(options),
    {
      readyTimeoutMs: READY_TIMEOUT_MS,
      resultTimeoutMs: options.warmupMs + options.durationMs + REPORT_SLACK_MS,
      onStart: () => {
        startedAt = new Date().toISOString();
      },
    },
  );
  return mergeReports(options, environment, startedAt, reports);
}

/** Adds the processes' histograms and counts; rates add up because the windows run side by side. */
function mergeReports(
  options: ResolvedBenchOptions,
  environment: Environment,
  startedAt: string,
  reports: readonly ThroughputReport[],
): BenchResult {
  const histogram = mergeHistograms(reports.map((report) => decodeHistogram(report.histogram)));
  const processes = reports.map((report) => ({
    requests: report.requests,
    errors: report.errors,
    requestsPerSecond: report.measuredMs > 0 ? (report.requests * 1000) / report.measuredMs : 0,
    cpuShare: round(report.cpuShare, 3),
    lostConnections: report.lostConnections,
  }));
  const loops =
    options.transport === "grpc" ? Math.min(options.channels, options.concurrency) : options.connections;
  const lost = processes.reduce((sum, member) => sum + member.lostConnections, 0);
  const errors = processes.reduce((sum, member) => sum + member.errors, 0);
  return {
    kind: "toystore-bench",
    version: 1,
    options,
    environment,
    startedAt,
    ...measured(histogram, {
      elapsedMs: round(Math.max(...reports.map((report) => report.measuredMs)), 1),
      errors: errors === 0 ? {} : { failed: errors },
      stopReason: lost >= loops ? "connection_lost" : "duration",
    }),
    processes: processes.map((member) => ({
      ...member,
      requestsPerSecond: Math.round(member.requestsPerSecond),
    })),
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
