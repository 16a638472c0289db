// runBench: forks the worker processes, starts them together, merges their
// reports into one BenchResult (plain JSON; printing is format.ts's job).
//
// Why processes (child_process.fork) rather than worker_threads: each worker
// gets its own V8 heap and garbage collector and the OS schedules it like any
// other process, so a GC pause or a slow worker never stalls its siblings,
// and a crash stays inside one worker. Threads would share nothing we need
// (workers exchange one message each way), and the issue asks for processes.

import { type ChildProcess, fork } from "node:child_process";
import { type NodeEntry, resolveEntry } from "../measure/entry-point.js";
import { collectEnvironment, type Environment } from "../measure/environment.js";
import {
  decodeHistogram,
  type LatencySummary,
  mergeHistograms,
  summarizeMicros,
} from "../measure/latency-histogram.js";
import { withTimeout } from "../measure/with-timeout.js";
import { type BenchOptions, planWorkers, type ResolvedBenchOptions, resolveBenchOptions } from "./options.js";
import type { WorkerReport } from "./recorder.js";
import type { FromWorker, ToWorker } from "./worker.js";

/** Time for every worker to open its connections. */
const READY_TIMEOUT_MS = 20_000;
/** Slack after warm-up + duration before a silent worker counts as failed. */
const REPORT_SLACK_MS = 10_000;
/** How long a worker may take to exit after its report before it is killed. */
const EXIT_GRACE_MS = 2_000;

export interface WorkerSummary {
  readonly requests: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  /** CPU the worker used over the window, in cores: near 1 means the generator was saturated. */
  readonly cpuShare: number;
  readonly lostConnections: number;
}

/** One benchmark run, as plain data: what was asked, where, and what came out. */
export interface BenchResult {
  readonly tool: "toystore-bench";
  readonly options: ResolvedBenchOptions;
  readonly environment: Environment;
  readonly startedAt: string;
  /** "duration" normally; "connections-lost" when every connection or channel failed. */
  readonly stopReason: "duration" | "connections-lost";
  readonly measuredMs: number;
  /** Replies received in the window, error replies included. */
  readonly requests: number;
  /** Error replies ("ERR ..." lines, failed gRPC calls), plus requests lost with a dropped connection. */
  readonly errors: number;
  readonly requestsPerSecond: number;
  /** Latency of every reply counted in `requests`, microseconds. */
  readonly latencyUs: Pick<LatencySummary, "p50" | "p90" | "p99" | "p999" | "max" | "mean">;
  readonly workers: readonly WorkerSummary[];
}

/** Runs one benchmark against a server already listening at options.host:port. */
export async function runBench(input: BenchOptions): Promise<BenchResult> {
  const options = resolveBenchOptions(input);
  const environment = collectEnvironment();
  const plans = planWorkers(options);
  const entry = resolveEntry("throughput/worker");
  const workers = plans.map((plan) => startWorker(entry, { type: "plan", plan }));
  try {
    await withTimeout(
      Promise.all(workers.map((worker) => worker.ready)),
      READY_TIMEOUT_MS,
      `bench workers did not connect to ${options.host}:${options.port} within ${READY_TIMEOUT_MS} ms`,
    );
    const startedAt = new Date().toISOString();
    for (const worker of workers) worker.child.send({ type: "start" } satisfies ToWorker);
    const reports = await withTimeout(
      Promise.all(workers.map((worker) => worker.report)),
      options.warmupMs + options.durationMs + REPORT_SLACK_MS,
      "bench workers did not report in time",
    );
    return mergeReports(options, environment, startedAt, reports);
  } finally {
    await Promise.all(workers.map((worker) => stopWorker(worker.child)));
  }
}

interface WorkerHandle {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly report: Promise<WorkerReport>;
}

function startWorker(entry: NodeEntry, planMessage: ToWorker): WorkerHandle {
  const child = fork(entry.file, [], {
    // Set explicitly: a forked child would otherwise inherit ours (e.g. the test runner's).
    execArgv: [...entry.execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = deferred<void>();
  const report = deferred<WorkerReport>();
  // Settling twice is a no-op, so a failure after the report changes nothing.
  const fail = (error: Error): void => {
    ready.reject(error);
    report.reject(error);
  };
  child.on("message", (message: FromWorker) => {
    if (message.type === "ready") ready.resolve();
    else if (message.type === "report") report.resolve(message.report);
    else fail(new Error(`bench worker failed: ${message.message}`));
  });
  child.once("error", fail);
  child.once("exit", (code, signal) =>
    fail(new Error(`bench worker exited (${signal ?? code}) before reporting`)),
  );
  child.send(planMessage);
  return { child, ready: ready.promise, report: report.promise };
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failure before anyone awaits must not count as unhandled; awaiting still sees it.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Waits for the worker to exit by itself, then ends it by its PID. */
async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const timer = setTimeout(() => child.kill("SIGKILL"), EXIT_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Adds the workers' histograms and counts; rates add up because the windows run side by side. */
export function mergeReports(
  options: ResolvedBenchOptions,
  environment: Environment,
  startedAt: string,
  reports: readonly WorkerReport[],
): BenchResult {
  const histogram = mergeHistograms(reports.map((report) => decodeHistogram(report.histogram)));
  const latency = summarizeMicros(histogram);
  const workers = reports.map((report) => ({
    requests: report.requests,
    errors: report.errors,
    requestsPerSecond: report.measuredMs > 0 ? (report.requests * 1000) / report.measuredMs : 0,
    cpuShare: round(report.cpuShare, 3),
    lostConnections: report.lostConnections,
  }));
  const loops =
    options.transport === "socket" ? options.connections : Math.min(options.channels, options.concurrency);
  const lost = workers.reduce((sum, worker) => sum + worker.lostConnections, 0);
  return {
    tool: "toystore-bench",
    options,
    environment,
    startedAt,
    stopReason: lost >= loops ? "connections-lost" : "duration",
    measuredMs: round(Math.max(...reports.map((report) => report.measuredMs)), 1),
    requests: latency.count,
    errors: workers.reduce((sum, worker) => sum + worker.errors, 0),
    requestsPerSecond: Math.round(workers.reduce((sum, worker) => sum + worker.requestsPerSecond, 0)),
    latencyUs: {
      p50: latency.p50,
      p90: latency.p90,
      p99: latency.p99,
      p999: latency.p999,
      max: latency.max,
      mean: round(latency.mean, 1),
    },
    workers: workers.map((worker) => ({
      ...worker,
      requestsPerSecond: Math.round(worker.requestsPerSecond),
    })),
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
