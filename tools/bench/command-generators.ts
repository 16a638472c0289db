// The generators that are Debian programs, run as child processes: wrk
// (HTTP), redis-benchmark (Redis) and pgbench (PostgreSQL). Each one's
// arguments and the parsing of what it prints; its CPU is read from this
// process's exited-children times (process-cpu.ts), since it is our child.

import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { formatHostPort } from "../../src/net/host-port.js";
import { postgresBinaries } from "../../src/study/measure/postgres-binaries.js";
import { httpRequestFor, type LoadFigures, type LoadRequest } from "./load-request.js";
import { exitedChildrenCpuMs } from "./process-cpu.js";

/** Beyond its expected length, how long a generator may run before it is killed. */
const RUN_SLACK_MS = 30_000;
/** redis-benchmark counts requests, not time: with no rate known yet, it is sized for this one. */
const GUESSED_REDIS_RPS = 20_000;

/** The first executable `name` on the PATH; undefined if none. */
export function findExecutable(name: string): string | undefined {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** pgbench: beside the cluster's initdb (Debian's versioned folder), else on the PATH; undefined when neither. */
export function pgbenchPath(): string | undefined {
  const binaries = postgresBinaries();
  const beside = "bin" in binaries ? join(binaries.bin, "pgbench") : undefined;
  if (beside !== undefined) {
    try {
      accessSync(beside, constants.X_OK);
      return beside;
    } catch {
      // Not there: the PATH's, if any.
    }
  }
  return findExecutable("pgbench");
}

/** Runs a program; resolves with its stdout, rejects quoting stderr when it fails. */
function runProgram(program: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout: timeoutMs, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${program} failed: ${(stderr.trim() || error.message).split("\n").at(-1)}`));
    });
  });
}

/** Runs the program and adds its CPU over the run (in cores) to what `parse` reads from its output. */
async function measured(
  program: string,
  args: readonly string[],
  timeoutMs: number,
  parse: (stdout: string) => Omit<LoadFigures, "generatorCpu" | "generatorProcesses">,
): Promise<LoadFigures> {
  const cpuBefore = await exitedChildrenCpuMs();
  const startedAt = performance.now();
  const stdout = await runProgram(program, args, timeoutMs);
  const wallMs = performance.now() - startedAt;
  const cpuAfter = await exitedChildrenCpuMs();
  const figures = parse(stdout);
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / wallMs;
  return { ...figures, ...(cpu === undefined ? {} : { generatorCpu: cpu }), generatorProcesses: 1 };
}

/** Whole seconds, at least one: wrk and pgbench take no fractions. */
const wholeSeconds = (seconds: number) => Math.max(1, Math.round(seconds));

/** A wrk duration ("580.00us", "1.23ms", "2.01s") in µs. */
function wrkMicros(value: string, unit: string): number {
  const scale = unit === "us" ? 1 : unit === "ms" ? 1000 : unit === "s" ? 1_000_000 : Number.NaN;
  return Number(value) * scale;
}

/** Reads wrk's report (run with --latency). Throws when it holds no request rate. */
export function parseWrk(stdout: string): Omit<LoadFigures, "generatorCpu" | "generatorProcesses"> {
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const total = /(\d+) requests in/.exec(stdout);
  if (rate === null || total === null)
    throw new Error(`wrk printed no request rate: ${stdout.slice(0, 300)}`);
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(stdout);
    return match === null ? undefined : wrkMicros(match[1]!, match[2]!);
  };
  const mean = /^\s*Latency\s+([\d.]+)(us|ms|s)/m.exec(stdout);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const p50Us = percentile("50");
  const p99Us = percentile("99");
  return {
    requestsPerSecond: Math.round(Number(rate[1])),
    requests: Number(total[1]),
    ...(p50Us === undefined ? {} : { p50Us }),
    ...(p99Us === undefined ? {} : { p99Us }),
    ...(mean === null ? {} : { meanUs: Math.round(wrkMicros(mean[1]!, mean[2]!)) }),
    errors: Number(non2xx?.[1] ?? 0) + (socketErrors?.slice(1).reduce((sum, n) => sum + Number(n), 0) ?? 0),
  };
}

/** wrk, one thread, against our HTTP server or the baseline; a Lua line sets the method. No pipelining. */
export async function runWrk(request: LoadRequest): Promise<LoadFigures> {
  if ((request.shape.pipeline ?? 1) > 1)
    throw new Error("wrk pipelines only through Lua scripts: give it pipeline 1");
  const { path, method } = httpRequestFor(request.row.op);
  const script = join(request.scratch, `wrk-${method.toLowerCase()}.lua`);
  await writeFile(script, `wrk.method = "${method}"\n`);
  const seconds = wholeSeconds(request.durationS);
  const args = ["-t1", `-c${request.shape.connections}`, `-d${seconds}s`, "--latency", "-s", script];
  args.push(`http://${formatHostPort(request.server.host, request.server.port)}${path}`);
  return measured("wrk", args, seconds * 1000 + RUN_SLACK_MS, parseWrk);
}

/** Reads redis-benchmark's --csv report: a header line, then one line per test. */
export function parseRedisBenchmark(
  stdout: string,
): Omit<LoadFigures, "generatorCpu" | "generatorProcesses"> {
  const rows = stdout
    .trim()
    .split("\n")
    .map((line) => line.split(",").map((cell) => cell.replace(/^"|"$/g, "")));
  const header = rows.find((row) => row[0] === "test");
  const data = rows.find((row) => row !== header && row.length === header?.length);
  if (header === undefined || data === undefined)
    throw new Error(`redis-benchmark printed no result: ${stdout.slice(0, 300)}`);
  const column = (name: string) => {
    const at = header.indexOf(name);
    return at < 0 ? undefined : Number(data[at]);
  };
  const micros = (name: string) => {
    const ms = column(name);
    return ms === undefined
      ? {}
      : {
          [name.startsWith("p50") ? "p50Us" : name.startsWith("p99") ? "p99Us" : "meanUs"]: Math.round(
            ms * 1000,
          ),
        };
  };
  const rps = column("rps");
  if (rps === undefined || !Number.isFinite(rps))
    throw new Error(`redis-benchmark printed no rps: ${stdout.slice(0, 300)}`);
  return {
    requestsPerSecond: Math.round(rps),
    requests: 0,
    ...micros("p50_latency_ms"),
    ...micros("p99_latency_ms"),
    ...micros("avg_latency_ms"),
    errors: 0,
  };
}

/**
 * redis-benchmark (one thread) running one test (`get`: a missing key, a
 * one-line reply; `incr`: a write). It counts requests rather than time, so
 * the run is sized from the warm-up's rate to last about the duration.
 */
export async function runRedisBenchmark(request: LoadRequest): Promise<LoadFigures> {
  const { shape, row, server } = request;
  const rate = request.expectedRps ?? GUESSED_REDIS_RPS;
  const count = Math.max(1000, Math.round(rate * request.durationS));
  const args = ["-h", server.host, "-p", String(server.port), "-c", String(shape.connections)];
  args.push("-P", String(shape.pipeline ?? 1), "-n", String(count), "-t", row.redisTest ?? "get", "--csv");
  // Ten times the expected length: a slower run is still measured, a hung one is not waited for.
  const figures = await measured(
    "redis-benchmark",
    args,
    request.durationS * 10_000 + RUN_SLACK_MS,
    parseRedisBenchmark,
  );
  return { ...figures, requests: count };
}

/** Reads pgbench's report. Throws when it holds no rate. */
export function parsePgbench(stdout: string): Omit<LoadFigures, "generatorCpu" | "generatorProcesses"> {
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
  const processed = /number of transactions actually processed: (\d+)/.exec(stdout);
  const latency = /latency average = ([\d.]+) ms/.exec(stdout);
  const failed = /number of failed transactions: (\d+)/.exec(stdout);
  if (tps === null || processed === null) throw new Error(`pgbench printed no tps: ${stdout.slice(0, 300)}`);
  return {
    requestsPerSecond: Math.round(Number(tps[1])),
    requests: Number(processed[1]),
    ...(latency === null ? {} : { meanUs: Math.round(Number(latency[1]) * 1000) }),
    errors: Number(failed?.[1] ?? 0),
  };
}

/** pgbench, prepared statements, one thread, `connections` clients, against the run's cluster. */
export async function runPgbench(request: LoadRequest): Promise<LoadFigures> {
  const { postgres } = request.server;
  if (postgres === undefined || request.pgbenchScript === undefined)
    throw new Error("pgbench runs against the suite's PostgreSQL server, with a script");
  const script = join(request.scratch, `pgbench-${request.row.pgbench}.sql`);
  await writeFile(script, request.pgbenchScript);
  const seconds = wholeSeconds(request.durationS);
  const args = [...postgres.clientArgs, ...["-n", "-M", "prepared", "-j", "1"]];
  args.push("-c", String(request.shape.connections), "-T", String(seconds), "-f", script, postgres.database);
  return measured(pgbenchPath() ?? "pgbench", args, seconds * 1000 + RUN_SLACK_MS, parsePgbench);
}
