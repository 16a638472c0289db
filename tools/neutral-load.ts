// Runs the neutral load generators (lineload in C, grpcload in Go; see
// /work/shared/tools/README.md) and our own engine behind one shape, so the
// comparison script can use whichever is available.

import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { BenchOp, BenchTransport } from "../src/study/throughput/options.js";
import { runBench } from "../src/study/throughput/run-bench.js";

/** One load run's figures, whatever generated the load. */
export interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly errors: number;
  /** Generator CPU over the window, in cores: near 1 per generator process means it was the limit. */
  readonly generatorCpu: number;
}

export interface LoadShape {
  readonly port: number;
  readonly op: BenchOp;
  /** Socket: connections. gRPC: calls in flight. */
  readonly loops: number;
  /** Socket: pipeline depth. gRPC: HTTP/2 connections. */
  readonly depth: number;
  readonly durationS: number;
  readonly warmupS: number;
}

/** The fields read from lineload's `-q` JSON line. */
interface LineloadJson {
  readonly rps: number;
  readonly p50_us: number;
  readonly p99_us: number;
  readonly errors: number;
  readonly mismatches: number;
  readonly gen_cpu_pct: number;
}

/** The fields read from grpcload's `-json` line. */
interface GrpcloadJson {
  readonly rps: number;
  readonly p50_us: number;
  readonly p99_us: number;
  readonly errors: number;
  readonly gen_cpu_pct: number;
}

/** Beyond warm-up + duration, how long a generator may take before it is killed. */
const RUN_SLACK_MS = 15_000;

/** The first executable among `explicit`, `name` on the PATH, and `fallbacks`; undefined if none. */
export function findExecutable(
  explicit: string | undefined,
  name: string,
  fallbacks: string[],
): string | undefined {
  const candidates = explicit
    ? [explicit]
    : [...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, name)), ...fallbacks];
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * lineload against a line server; `lines` are the requests it cycles through,
 * and every reply must start with `replyPrefix` (others count as errors).
 */
export async function runLineload(
  path: string,
  shape: LoadShape,
  lines: string[],
  replyPrefix: string,
): Promise<LoadFigures> {
  const args = [
    "-p",
    String(shape.port),
    "-c",
    String(shape.loops),
    "-P",
    String(shape.depth),
    "-x",
    replyPrefix,
  ];
  args.push("-d", String(shape.durationS), "-w", String(shape.warmupS), "-q", ...lines);
  const out = parseLastJsonLine<LineloadJson>(await runTool(path, args, shape));
  return {
    requestsPerSecond: Math.round(out.rps),
    p50Us: out.p50_us,
    p99Us: out.p99_us,
    errors: out.errors + out.mismatches,
    generatorCpu: out.gen_cpu_pct / 100,
  };
}

/** grpcload against toystore.v1.ToyStore (Query or Buy; no mixed mode). */
export async function runGrpcload(path: string, shape: LoadShape): Promise<LoadFigures> {
  if (shape.op === "mix") throw new Error("grpcload runs one method: use op query or buy");
  const args = ["-target", `127.0.0.1:${shape.port}`, "-method", shape.op === "query" ? "Query" : "Buy"];
  args.push("-c", String(shape.loops), "-conns", String(shape.depth));
  args.push("-d", String(shape.durationS), "-w", String(shape.warmupS), "-json");
  const out = parseLastJsonLine<GrpcloadJson>(await runTool(path, args, shape));
  return {
    requestsPerSecond: Math.round(out.rps),
    p50Us: Math.round(out.p50_us),
    p99Us: Math.round(out.p99_us),
    errors: out.errors,
    generatorCpu: out.gen_cpu_pct / 100,
  };
}

/** Our own engine, for servers the neutral tools cannot reach or when they are not built. */
export async function runEngine(
  transport: BenchTransport,
  shape: LoadShape,
  processes: number | undefined,
): Promise<LoadFigures> {
  const socket = transport === "socket";
  const result = await runBench({
    transport,
    port: shape.port,
    op: shape.op,
    ...(socket
      ? { connections: shape.loops, pipeline: shape.depth }
      : { concurrency: shape.loops, channels: shape.depth }),
    processes,
    durationMs: Math.round(shape.durationS * 1000),
    warmupMs: Math.round(shape.warmupS * 1000),
  });
  return {
    requestsPerSecond: Math.round(result.throughputPerSecond),
    p50Us: result.latency.p50 * 1000,
    p99Us: result.latency.p99 * 1000,
    errors: result.errors.failed ?? 0,
    generatorCpu: result.processes.reduce((sum, member) => sum + member.cpuShare, 0),
  };
}

// The tools exit non-zero when nothing was answered; their JSON still says what happened.
function runTool(path: string, args: string[], shape: LoadShape): Promise<string> {
  const timeout = (shape.durationS + shape.warmupS) * 1000 + RUN_SLACK_MS;
  return new Promise((resolve, reject) => {
    execFile(path, args, { timeout, encoding: "utf8" }, (error, stdout, stderr) => {
      if (stdout.includes("{")) resolve(stdout);
      else reject(new Error(`${path} failed: ${error?.message ?? ""} ${stderr.trim()}`));
    });
  });
}

function parseLastJsonLine<T>(stdout: string): T {
  const line = stdout
    .trim()
    .split("\n")
    .findLast((text) => text.startsWith("{"));
  if (line === undefined) throw new Error(`no JSON result in: ${stdout.slice(0, 200)}`);
  return JSON.parse(line) as T;
}
