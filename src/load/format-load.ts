// The human summary of a load run, as `toystore load` prints it.

import type { Counts, LoadResults } from "./results.js";

/** A few lines: what ran, the latency statistics, per-client means, throughput, errors and why it stopped. */
export function formatLoadResults(results: LoadResults): string {
  const { options: o, latency: l } = results;
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
  const ms = (value: number) => value.toFixed(1);
  return [
    `${o.clients} client${o.clients === 1 ? "" : "s"} x ${bound} over ${o.transport} (${o.host}:${o.port}), ${mode}, ${processes}`,
    `latency ms   mean ${ms(l.mean)}   p50 ${ms(l.p50)}   p90 ${ms(l.p90)}   p99 ${ms(l.p99)}   max ${ms(l.max)}   (${l.count} requests)`,
    `per-client mean ms   ${results.perClient.map((c) => ms(c.meanMs)).join("  ")}`,
    `throughput   ${results.throughputPerSecond.toFixed(1)} req/s over ${(results.elapsedMs / 1000).toFixed(2)} s`,
    `outcomes   ${formatCounts(results.outcomes)}`,
    `errors   ${formatCounts(results.errors)}`,
    `stopped   ${results.stopReason}`,
    "",
  ].join("\n");
}

function formatCounts(counts: Counts): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "none" : entries.map(([key, n]) => `${key} ${n}`).join(", ");
}
