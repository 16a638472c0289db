// The stress run's report: the well-behaved processes' results merged per
// transport (a latency summary with its histogram, as every measuring tool
// writes), what the hostile sessions did, the server's memory, the checks;
// and its printout.

import type { Environment } from "../../src/study/measure/environment.js";
import { decodeHistogram, mergeHistograms } from "../../src/study/measure/latency-histogram.js";
import { addCounts, measured, overallStopReason, type StopReason } from "../../src/study/measure/results.js";
import type { Check } from "./checks.js";
import type { HostileTally, ServerLimits } from "./hostile.js";
import type { StressOptions } from "./options.js";
import type { WellBehavedResult } from "./well-behaved.js";

/** One transport's well-behaved sessions, every process's added up. */
export type WellBehavedSummary = WellBehavedResult & ReturnType<typeof measured>;

/** An RSS reading (one each 250 ms), with the phase of the run it was taken in. */
type Sample = { readonly atMs: number; readonly phase: string; readonly rss: number };

export interface StressReport {
  readonly kind: "toystore-stress";
  readonly version: 1;
  readonly options: StressOptions;
  /** The limits the hostile cases expected (the run set the timeouts; the rest are the defaults). */
  readonly limits: ServerLimits;
  readonly environment: Environment;
  readonly stopReason: StopReason;
  readonly durationMs: number;
  readonly loadMs: number;
  /** Per transport; the latencies cover the warm-up and the load. */
  readonly wellBehaved: readonly WellBehavedSummary[];
  readonly hostile: HostileTally;
  /** Server RSS, bytes: at start, after the warm-up, at its peak, after the quiet pause, and every reading. */
  readonly memory: Record<"started" | "warm" | "peak" | "final", number> & {
    readonly samples: readonly Sample[];
  };
  readonly checks: readonly Check[];
}

/** Adds the processes' results up per transport, in the order the transports first appear. */
export function mergeWellBehaved(results: readonly WellBehavedResult[]): WellBehavedSummary[] {
  return [...new Set(results.map((r) => r.transport))].map((transport) => {
    const mine = results.filter((r) => r.transport === transport);
    const sum = (field: "sessions" | "requests" | "unknownBuys") => mine.reduce((n, r) => n + r[field], 0);
    return {
      transport,
      sessions: sum("sessions"),
      requests: sum("requests"),
      outcomes: addCounts(mine.map((r) => r.outcomes)),
      acked: addCounts(mine.map((r) => r.acked)),
      unknownBuys: sum("unknownBuys"),
      wrong: mine.flatMap((r) => r.wrong),
      errorSamples: mine.flatMap((r) => r.errorSamples),
      ...measured(mergeHistograms(mine.map((r) => decodeHistogram(r.histogram))), {
        elapsedMs: Math.max(...mine.map((r) => r.elapsedMs)),
        errors: addCounts(mine.map((r) => r.errors)),
        stopReason: overallStopReason(mine.map((r) => r.stopReason)),
      }),
    };
  });
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const total = (values: readonly number[]) => values.reduce((sum, n) => sum + n, 0);

/** RSS every `everyMs` of the run, with the phase it was in. */
function memoryTrace(samples: readonly Sample[], everyMs: number): string {
  const first = samples[0]?.atMs ?? 0;
  let next = first;
  return samples
    .filter((s) => {
      if (s.atMs < next) return false;
      next = s.atMs + everyMs;
      return true;
    })
    .map((s) => `${((s.atMs - first) / 1000).toFixed(0)}s ${s.phase} ${(s.rss / MiB).toFixed(0)}`)
    .join(", ");
}

export function printReport(r: StressReport): void {
  const label = (s: WellBehavedSummary) => (s.transport === "grpc" ? "gRPC" : s.transport);
  const per = (what: string, pick: (s: WellBehavedSummary) => number) =>
    `${total(r.wellBehaved.map(pick))} ${what} (${r.wellBehaved.map((s) => `${pick(s)} ${label(s)}`).join(", ")})`;
  const latency = r.wellBehaved.map((s) => {
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const l = s.latency;
    return `${label(s)}: p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, max ${ms(l.max)}, ${s.throughputPerSecond.toFixed(0)} req/s`;
  });
  const cases = Object.entries(r.hostile.cases);
  const width = Math.max(0, ...cases.map(([name]) => name.length));
  const m = r.memory;
  const passed = r.checks.every((c) => c.ok);
  console.log(
    [
      "",
      `toystore stress run: seed ${r.options.seed}, ${seconds(r.durationMs)} in all, ${seconds(r.loadMs)} of mixed load (Node ${r.environment.node}, ${r.environment.platform})`,
      `  server: serve --work-ms ${r.options.workMs}; line timeout ${r.limits.lineTimeoutMs} ms, write-stall timeout ${r.limits.writeStallTimeoutMs} ms`,
      "",
      "What it did",
      `  well-behaved: ${per("sessions", (s) => s.sessions)}, ${per("requests", (s) => s.requests)}, ${total(r.wellBehaved.map((s) => total(Object.values(s.acked))))} buys acknowledged; stopped: ${r.stopReason}`,
      `    latency ${latency.join("; ") || "no requests"}`,
      `  hostile: ${total(cases.map(([, t]) => t.tried))} sessions, ${mib(r.hostile.bytesSent)} sent, ${r.hostile.decoy.sent} decoy buys sent`,
      ...cases.map(
        ([name, t]) =>
          `    ${name.padEnd(width)}  ${String(t.tried).padStart(5)} tried${t.anomalies > 0 ? `, ${t.anomalies} ANOMALIES` : ""}`,
      ),
      `  server memory (RSS): ${mib(m.started)} at start, ${mib(m.warm)} after warm-up, peak ${mib(m.peak)}, final ${mib(m.final)}`,
      `    RSS (MiB) over time: ${memoryTrace(m.samples, 5000)}`,
      "",
      "What it checked",
      ...r.checks.map((c) => `  ${c.ok ? "PASS" : "FAIL"}  ${c.name}\n        ${c.detail}`),
      "",
      passed ? "stress: all checks passed" : "stress: SOME CHECKS FAILED",
    ].join("\n"),
  );
}
