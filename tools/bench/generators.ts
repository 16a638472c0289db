// How each load generator is run, behind one call: our own engine
// (src/study/throughput/, what `toystore bench` runs) for the socket, gRPC and
// HTTP; autocannon (npm) in this process for HTTP; and the Debian tools run as
// child processes (command-generators.ts): wrk for HTTP, redis-benchmark and
// pgbench for the stores' anchors. Each returns the same figures, the
// generator's own CPU among them, so a generator-bound row shows.

import {
  decodeHistogram,
  mergeHistograms,
  summarizeMicros,
} from "../../src/study/measure/latency-histogram.js";
import type { BenchResult } from "../../src/study/throughput/run-bench.js";
import { runBench } from "../../src/study/throughput/run-bench.js";
import { findExecutable, pgbenchPath, runPgbench, runRedisBenchmark, runWrk } from "./command-generators.js";
import { httpRequestFor, type LoadFigures, type LoadRequest } from "./load-request.js";
import type { GeneratorName } from "./suite.js";

/** Runs one load and returns its figures; rejects when the generator fails. */
export function runGenerator(request: LoadRequest): Promise<LoadFigures> {
  switch (request.row.generator) {
    case "engine":
      return runEngine(request);
    case "autocannon":
      return runAutocannon(request);
    case "wrk":
      return runWrk(request);
    case "redis-benchmark":
      return runRedisBenchmark(request);
    case "pgbench":
      return runPgbench(request);
  }
}

/** Why a generator cannot run here (not installed), with the package that brings it; undefined when it can. */
export function generatorMissing(name: GeneratorName): string | undefined {
  const debian = (tool: string, pkg: string) =>
    findExecutable(tool) === undefined ? `${tool} is not installed: apt-get install ${pkg}` : undefined;
  switch (name) {
    case "engine":
    case "autocannon":
      return undefined;
    case "wrk":
      return debian("wrk", "wrk");
    case "redis-benchmark":
      return debian("redis-benchmark", "redis-tools");
    case "pgbench":
      return pgbenchPath() === undefined
        ? "pgbench is not installed: apt-get install postgresql-contrib"
        : undefined;
  }
}

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

/**
 * Our engine. It names one toy per run, so a row over several toys runs one
 * engine per toy side by side, each with its share of the connections, and
 * merges their histograms; their windows start within a fork's time of each
 * other (a few tens of ms), which the warm-up before covers.
 */
async function runEngine(request: LoadRequest): Promise<LoadFigures> {
  const { shape, row, server } = request;
  const parts = spreadConnections(row.toys ?? ["Tux"], shape.connections);
  const grpc = request.transport === "grpc";
  const results = await Promise.all(
    parts.map((part) =>
      runBench({
        transport: request.transport,
        host: server.host,
        port: server.port,
        op: row.op,
        name: part.name,
        ...(grpc
          ? { concurrency: part.connections, channels: Math.min(shape.channels ?? 1, part.connections) }
          : { connections: part.connections, pipeline: shape.pipeline ?? 1 }),
        // Several engines side by side: one process each, or they would outnumber the cores.
        ...(parts.length > 1
          ? { processes: 1 }
          : request.processes === undefined
            ? {}
            : { processes: request.processes }),
        durationMs: Math.round(request.durationS * 1000),
        // The runner warms up with a run of its own, so the server's CPU is read around this window alone.
        warmupMs: 0,
      }),
    ),
  );
  return mergeEngineResults(results);
}

/** The engines' results as one: histograms merged, rates and CPU added (their windows ran side by side). */
export function mergeEngineResults(results: readonly BenchResult[]): LoadFigures {
  const histogram = mergeHistograms(results.map((result) => decodeHistogram(result.histogram)));
  const latency = summarizeMicros(histogram);
  const processes = results.flatMap((result) => result.processes);
  return {
    requestsPerSecond: Math.round(results.reduce((sum, result) => sum + result.throughputPerSecond, 0)),
    requests: latency.count,
    p50Us: latency.p50,
    p99Us: latency.p99,
    meanUs: Math.round(latency.mean),
    errors: results.reduce((sum, result) => sum + (result.errors.failed ?? 0), 0),
    generatorCpu: processes.reduce((sum, member) => sum + member.cpuShare, 0),
    generatorProcesses: processes.length,
  };
}

/** autocannon in this process (one thread); its CPU is this process's over the run. Latency resolution: 1 ms. */
async function runAutocannon(request: LoadRequest): Promise<LoadFigures> {
  if ((request.row.toys?.length ?? 1) > 1) throw new Error("autocannon rows name one toy (Tux)");
  const { default: autocannon } = await import("autocannon");
  const { path, method } = httpRequestFor(request.row.op);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await autocannon({
    url: `http://${request.server.host}:${request.server.port}${path}`,
    method,
    connections: request.shape.connections,
    pipelining: request.shape.pipeline ?? 1,
    duration: request.durationS,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - startedAt;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    requests: result.requests.total,
    p50Us: result.latency.p50 * 1000,
    p99Us: result.latency.p99 * 1000,
    meanUs: Math.round(result.latency.mean * 1000),
    errors: result.errors + result.timeouts + result.non2xx,
    generatorCpu: (cpu.user + cpu.system) / 1000 / wallMs,
    generatorProcesses: 1,
  };
}
