// Our own load generator, the engine behind `toystore bench`
// (src/study/throughput/), as the runner drives it: a closed loop per
// connection (socket, HTTP) or call (gRPC), in cores - 1 generator processes.
//
// The engine names one toy per run. A row over several toys (buys spread
// over 8) gets one plan per toy, each with its share of the connections, all
// run on one fleet behind one start barrier, so their windows coincide; their
// reports are merged here as runBench merges its own.

import { resolveEntry } from "../../src/study/measure/entry-point.js";
import { runOnFleet } from "../../src/study/measure/fleet.js";
import {
  decodeHistogram,
  mergeHistograms,
  summarizeMicros,
} from "../../src/study/measure/latency-histogram.js";
import { type BenchOptions, planProcesses, resolveBenchOptions } from "../../src/study/throughput/options.js";
import type { ThroughputReport } from "../../src/study/throughput/recorder.js";
import { runBench } from "../../src/study/throughput/run-bench.js";
import type { LoadFigures, LoadRequest } from "./load-request.js";

/** Time for every generator process to open its connections (runBench's own). */
const READY_TIMEOUT_MS = 20_000;
/** Slack after the window before a silent process counts as failed (runBench's own). */
const REPORT_SLACK_MS = 10_000;

/** The toys of a row, each with its share of the connections (a toy with none is left out). */
export function spreadConnections(
  toys: readonly string[],
  connections: number,
): { name: string; connections: number }[] {
  return toys
    .map((name, i) => ({
      name,
      connections: Math.floor(connections / toys.length) + (i < connections % toys.length ? 1 : 0),
    }))
    .filter((part) => part.connections > 0);
}

/** Runs the engine for one row: runBench for one toy, one fleet of per-toy plans for several. */
export async function runEngine(request: LoadRequest): Promise<LoadFigures> {
  const { shape, row, server } = request;
  const grpc = request.transport === "grpc";
  const options = (name: string, loops: number, processes: number | undefined): BenchOptions => ({
    transport: request.transport,
    host: server.host,
    port: server.port,
    op: row.op,
    name,
    ...(grpc
      ? { concurrency: loops, channels: Math.min(shape.channels ?? 1, loops) }
      : { connections: loops, pipeline: shape.pipeline ?? 1 }),
    ...(processes === undefined ? {} : { processes }),
    durationMs: Math.round(request.durationS * 1000),
    // The runner warms up with a run of its own, so the server's CPU is read around this window alone.
    warmupMs: 0,
  });
  const toys = row.toys ?? ["Tux"];
  if (toys.length === 1) {
    const result = await runBench(options(toys[0]!, shape.connections, request.processes));
    return {
      requestsPerSecond: Math.round(result.throughputPerSecond),
      requests: result.latency.count,
      p50Us: result.latency.p50 * 1000,
      p99Us: result.latency.p99 * 1000,
      meanUs: Math.round(result.latency.mean * 1000),
      errors: result.errors.failed ?? 0,
      generatorCpu: result.processes.reduce((sum, member) => sum + member.cpuShare, 0),
      generatorProcesses: result.processes.length,
    };
  }
  // One process per toy: a plan names one toy, and a process runs one plan.
  const plans = spreadConnections(toys, shape.connections).flatMap((part) =>
    planProcesses(resolveBenchOptions(options(part.name, part.connections, 1))),
  );
  const reports = await runOnFleet<(typeof plans)[number], ThroughputReport>(
    resolveEntry("study/throughput/throughput-process"),
    "bench process",
    plans,
    { readyTimeoutMs: READY_TIMEOUT_MS, resultTimeoutMs: request.durationS * 1000 + REPORT_SLACK_MS },
  );
  return mergeReports(reports);
}

/** The processes' reports as one row's figures: histograms merged, rates and CPU added (their windows coincide). */
export function mergeReports(reports: readonly ThroughputReport[]): LoadFigures {
  const latency = summarizeMicros(
    mergeHistograms(reports.map((report) => decodeHistogram(report.histogram))),
  );
  const rate = reports.reduce(
    (sum, report) => sum + (report.measuredMs > 0 ? (report.requests * 1000) / report.measuredMs : 0),
    0,
  );
  return {
    requestsPerSecond: Math.round(rate),
    requests: latency.count,
    p50Us: latency.p50,
    p99Us: latency.p99,
    meanUs: Math.round(latency.mean),
    errors: reports.reduce((sum, report) => sum + report.errors, 0),
    generatorCpu: reports.reduce((sum, report) => sum + report.cpuShare, 0),
    generatorProcesses: reports.length,
  };
}
