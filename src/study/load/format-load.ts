// The human summary of a load run, as `toystore load` prints it.

import { formatHostPort } from "../../net/host-port.js";
import { formatCounts, formatMeasurement } from "../measure/results.js";
import type { LoadResults } from "./results.js";

/** A few lines: what ran, the latency statistics, per-client means, throughput, errors and why it stopped. */
export function formatLoadResults(results: LoadResults): string {
  const { options: o } = results;
  const bound =
    o.durationMs === null
      ? `${o.requests} ${o.op} requests each`
      : `${o.op} requests for ${o.durationMs / 1000} s`;
  const mode = o.ratePerSecond === null ? "closed loop" : `open loop at ${o.ratePerSecond} req/s`;
  const processes = o.inProcess
    ? "in one process"
    : o.clientsPerProcess === 1
      ? "one process per client"
      : `${o.clientsPerProcess} clients per process`;
  const where =
    o.servers === undefined
      ? formatHostPort(o.host, o.port)
      : `${o.servers.map((s) => formatHostPort(s.host, s.port)).join(", ")}; ${results.failovers ?? 0} failovers`;
  return [
    `${o.clients} client${o.clients === 1 ? "" : "s"} x ${bound} over ${o.transport} (${where}), ${mode}, ${processes}`,
    ...formatMeasurement(results),
    `per-client mean ms   ${results.perClient.map((c) => c.meanMs.toFixed(1)).join("  ")}`,
    `outcomes   ${formatCounts(results.outcomes)}`,
    "",
  ].join("\n");
}
