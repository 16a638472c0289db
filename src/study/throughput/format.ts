// Renders a BenchResult as a few readable lines; reads the result only.

import { formatHostPort } from "../../net/host-port.js";
import { formatMeasurement } from "../measure/results.js";
import type { BenchResult } from "./run-bench.js";

/** host:port, or every server's, comma-separated. */
function where(o: BenchResult["options"]): string {
  return (o.servers ?? [o]).map((server) => formatHostPort(server.host, server.port)).join(",");
}

/** The human summary `toystore bench` prints (use the JSON for anything else). */
export function formatBenchResult(result: BenchResult): string {
  const { options: o } = result;
  const shape =
    o.transport === "grpc"
      ? `concurrency=${o.concurrency} channels=${Math.min(o.channels, o.concurrency)}`
      : `connections=${o.connections} pipeline=${o.pipeline}` +
        // Results written before the HTTP engine existed carry no httpEngine.
        (o.transport === "http" && o.httpEngine !== undefined ? ` engine=${o.httpEngine}` : "");
  const cpu = result.processes.map((member) => `${Math.round(member.cpuShare * 100)}%`).join(" ");
  return [
    `${o.transport} ${o.op} "${o.name}" at ${where(o)}  ${shape}  processes=${result.processes.length}` +
      `  (+${(o.warmupMs / 1000).toFixed(1)} s warm-up)`,
    ...formatMeasurement(result),
    `generator cpu per process   ${cpu} of one core (near 100% means the generator, not the server, was the limit)`,
  ].join("\n");
}
