// Prints a stress run's report: what it did, then what it checked.

import type { Environment } from "../../src/measure/environment.js";
import type { Check } from "./checks.js";
import type { ServerLimits } from "./hostile.js";
import type { HostileTally } from "./hostile-runner.js";
import type { StressOptions } from "./options.js";
import type { ValidTally } from "./well-behaved.js";

export interface MemoryTrace {
  readonly samples: { atMs: number; phase: string; rss: number }[];
}

export interface StressReport {
  readonly kind: "toystore-stress";
  readonly options: StressOptions;
  readonly limits: ServerLimits;
  /** The limit flags the run passed to `serve` (the others were at their defaults). */
  readonly environment: Environment;
  readonly durationMs: number;
  readonly loadMs: number;
  readonly valid: ValidTally;
  readonly hostile: HostileTally;
  readonly memory: {
    readonly started: number;
    readonly warm: number;
    readonly peak: number;
    readonly final: number;
    readonly trace: MemoryTrace;
  };
  readonly checks: readonly Check[];
}

const MiB = 1024 * 1024;

/** "p50 / p99 / max" of a list of milliseconds. */
function latencySummary(ms: number[]): string {
  if (ms.length === 0) return "no requests";
  const sorted = Float64Array.from(ms).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`;
}

/** RSS every `everyMs` of the run, with the phase it was in. */
function memoryTrace(trace: MemoryTrace, everyMs: number): string {
  const first = trace.samples[0]?.atMs ?? 0;
  const picked: string[] = [];
  let next = first;
  for (const s of trace.samples) {
    if (s.atMs < next) continue;
    picked.push(`${((s.atMs - first) / 1000).toFixed(0)}s ${s.phase} ${(s.rss / MiB).toFixed(0)}`);
    next = s.atMs + everyMs;
  }
  return picked.join(", ");
}
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

export function printReport(r: StressReport): void {
  const v = r.valid;
  const sessions = v.sessions.socket + v.sessions.grpc;
  const requests = v.requests.socket + v.requests.grpc;
  let acked = 0;
  for (const n of v.acked.values()) acked += n;
  let hostileTried = 0;
  for (const t of r.hostile.cases.values()) hostileTried += t.tried;
  const out: string[] = [];
  out.push("");
  out.push(
    `toystore stress run: seed ${r.options.seed}, ${(r.durationMs / 1000).toFixed(1)} s in all, ${(r.loadMs / 1000).toFixed(1)} s of mixed load (Node ${r.environment.node}, ${r.environment.platform})`,
  );
  out.push(
    `  server: serve --work-ms ${r.options.workMs}; line timeout ${r.limits.lineTimeoutMs} ms, write-stall timeout ${r.limits.writeStallTimeoutMs} ms`,
  );
  out.push("");
  out.push("What it did");
  out.push(
    `  well-behaved: ${sessions} sessions (${v.sessions.socket} socket, ${v.sessions.grpc} gRPC), ${requests} requests (${v.requests.socket} socket, ${v.requests.grpc} gRPC), ${acked} buys acknowledged`,
  );
  out.push(
    `    latency socket: ${latencySummary(v.latencies.socket)}; gRPC: ${latencySummary(v.latencies.grpc)}`,
  );
  out.push(
    `  hostile: ${hostileTried} sessions, ${mib(r.hostile.bytesSent)} sent, ${r.hostile.decoy.sent} decoy buys sent`,
  );
  const width = Math.max(...[...r.hostile.cases.keys()].map((k) => k.length));
  for (const [name, t] of r.hostile.cases) {
    out.push(
      `    ${name.padEnd(width)}  ${String(t.tried).padStart(5)} tried${t.anomalies > 0 ? `, ${t.anomalies} ANOMALIES` : ""}`,
    );
  }
  out.push(
    `  server memory (RSS): ${mib(r.memory.started)} at start, ${mib(r.memory.warm)} after warm-up, peak ${mib(r.memory.peak)}, final ${mib(r.memory.final)}`,
  );
  out.push(`    RSS (MiB) over time: ${memoryTrace(r.memory.trace, 5000)}`);
  out.push("");
  out.push("What it checked");
  for (const c of r.checks) out.push(`  ${c.ok ? "PASS" : "FAIL"}  ${c.name}\n        ${c.detail}`);
  out.push("");
  out.push(r.checks.every((c) => c.ok) ? "stress: all checks passed" : "stress: SOME CHECKS FAILED");
  console.log(out.join("\n"));
}
