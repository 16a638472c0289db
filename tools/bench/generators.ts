// How each load generator is run, behind one call: our own engine
// (src/study/throughput/, what `toystore bench` runs) for the socket, gRPC and
// HTTP; autocannon (npm) in this process for HTTP; and the Debian tools run as
// child processes (command-generators.ts): wrk for HTTP, redis-benchmark and
// pgbench for the stores' anchors. Each returns the same figures, the
// generator's own CPU among them, so a generator-bound row shows.

import { formatHostPort } from "../../src/net/host-port.js";
import { findExecutable, pgbenchPath, runPgbench, runRedisBenchmark, runWrk } from "./command-generators.js";
import { runEngine } from "./engine.js";
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

/** autocannon in this process (one thread); its CPU is this process's over the run. Latency resolution: 1 ms. */
async function runAutocannon(request: LoadRequest): Promise<LoadFigures> {
  if ((request.row.toys?.length ?? 1) > 1) throw new Error("autocannon rows name one toy (Tux)");
  const { default: autocannon } = await import("autocannon");
  const { path, method } = httpRequestFor(request.row.op);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await autocannon({
    url: `http://${formatHostPort(request.server.host, request.server.port)}${path}`,
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
