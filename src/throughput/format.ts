// Renders a BenchResult as a few readable lines; reads the result only.

import type { BenchResult } from "./run-bench.js";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** The human summary `toystore bench` prints (use the JSON for anything else). */
export function formatBenchResult(result: BenchResult): string {
  const { options: o, latencyUs: l } = result;
  const shape =
    o.transport === "socket"
      ? `connections=${o.connections} pipeline=${o.pipeline}`
      : `concurrency=${o.concurrency} channels=${Math.min(o.channels, o.concurrency)}`;
  const cpu = result.workers.map((worker) => `${Math.round(worker.cpuShare * 100)}%`).join(" ");
  return [
    `${o.transport} ${o.op} "${o.name}" at ${o.host}:${o.port}  ${shape}  workers=${result.workers.length}` +
      `  ${(result.measuredMs / 1000).toFixed(1)} s (+${(o.warmupMs / 1000).toFixed(1)} s warm-up)`,
    `  requests ${integer.format(result.requests)}   req/s ${integer.format(result.requestsPerSecond)}` +
      `   errors ${integer.format(result.errors)}${result.stopReason === "duration" ? "" : `   stopped: ${result.stopReason}`}`,
    `  latency us  p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  p99.9 ${l.p999}  max ${l.max}  (mean ${l.mean})`,
    `  generator cpu per worker: ${cpu} of one core (near 100% means the generator, not the server, was the limit)`,
  ].join("\n");
}
