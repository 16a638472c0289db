// The `toystore load`, `toystore experiment` and `toystore report` commands:
// flags in, options validated by the load modules, results out. The program
// (src/cli/main.ts) registers them with registerLoadCommands. A CLI file by
// nature (it reads SIGINT): it may move to src/cli/ as it is.

import { resolve } from "node:path";
import cliProgress from "cli-progress";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { Op } from "../catalog/toy.js";
import type { Transport } from "../client/store-client.js";
import type { LockKind } from "../concurrency/section-lock.js";
import { describeCell, ExperimentError, type ExperimentProgress, runExperiment } from "../load/experiment.js";
import { EXPERIMENT_DEFAULTS, QUICK_PRESET } from "../load/experiment-options.js";
import { formatLoadResults } from "../load/format-load.js";
import { LOAD_DEFAULTS, type LoadOp } from "../load/load-options.js";
import { formatMs, formatSigned } from "../load/report/tables.js";

// The report writers pull in the charting library and a DOM; load them only
// when a report is written, so that `serve`, `query` and `buy` start light.
const loadReportWriters = () => import("../load/report/write-report.js");

import { runLoad } from "../load/run-load.js";
import { GRPC_SERVER_DEFAULTS } from "../transport/grpc/grpc-options.js";
import { SOCKET_SERVER_DEFAULTS } from "../transport/socket/socket-server.js";
import { CliFailure } from "./cli-failure.js";
import { integerIn, nonNegativeNumber, ratio } from "./parse-options.js";

/** Where the commands write; the program passes its own streams (tests capture them). */
export interface LoadCommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

interface LoadFlags {
  transport: Transport;
  host: string;
  port?: number;
  clients: number;
  requests: number;
  op: LoadOp;
  buyRatio: number;
  toy?: string;
  toys?: string[];
  duration?: number;
  warmup: number;
  prime: number;
  rate?: number;
  maxInFlight: number;
  clientsPerProcess: number;
  inProcess?: boolean;
  timeoutMs?: number;
  seed: number;
  json?: boolean;
}

interface ExperimentFlags {
  transports: Transport[];
  locks: LockKind[];
  ops: Op[];
  clients: number[];
  workMs?: number;
  requests?: number;
  poolSize: number;
  grpcMaxConcurrency: number;
  clientsPerProcess: number;
  prime: number;
  toys?: string[];
  seed: number;
  quick?: boolean;
  out: string;
  progress: boolean;
}

/** Adds `load`, `experiment` and `report` to the program. */
export function registerLoadCommands(
  program: Command,
  io: LoadCommandIo = { stdout: process.stdout, stderr: process.stderr },
): void {
  registerLoad(program, io);
  registerExperiment(program, io);
  registerReport(program, io);
}

function registerLoad(program: Command, io: LoadCommandIo): void {
  program
    .command("load")
    .description(
      "run N clients, each on its own connection and process, against a running server; print latency statistics",
    )
    .addOption(
      new Option("--transport <transport>", "transport to load")
        .choices(["socket", "grpc"])
        .default("socket"),
    )
    .option("--host <host>", "server address", LOAD_DEFAULTS.host)
    .option(
      "--port <port>",
      `server port (default: ${SOCKET_SERVER_DEFAULTS.port} for socket, ${GRPC_SERVER_DEFAULTS.port} for grpc)`,
      integerIn(1, 65535),
    )
    .option("-c, --clients <n>", "concurrent clients", integerIn(1), LOAD_DEFAULTS.clients)
    .option(
      "-n, --requests <n>",
      "sequential requests per client (ignored with --duration)",
      integerIn(1),
      LOAD_DEFAULTS.requests,
    )
    .addOption(
      new Option("--op <op>", "what clients send").choices(["query", "buy", "mix"]).default(LOAD_DEFAULTS.op),
    )
    .option("--buy-ratio <r>", "fraction of buys with --op mix", ratio, LOAD_DEFAULTS.buyRatio)
    .option("--toy <name>", "always ask for this toy (default: uniform over the default catalog)")
    .option("--toys <names>", "comma-separated toys to pick from uniformly", list)
    .option("--duration <s>", "measure for this many seconds instead of a request count", positiveNumber)
    .option(
      "--warmup <s>",
      "send for this many seconds after the start, before measuring",
      nonNegativeNumber,
      0,
    )
    .option(
      "--prime <n>",
      "untimed queries per client before the start barrier (warms cold code)",
      integerIn(0),
      0,
    )
    .option(
      "--rate <r>",
      "open loop: total requests per second over all clients, latency from the intended send time",
      positiveNumber,
    )
    .option(
      "--max-in-flight <n>",
      "open loop: requests in flight per client at most",
      integerIn(1),
      LOAD_DEFAULTS.maxInFlight,
    )
    .option(
      "--clients-per-process <n>",
      "clients multiplexed per OS process (1: one process each)",
      integerIn(1),
      1,
    )
    .option("--in-process", "run every client in this process (debugging; not for measurements)")
    .option("--timeout-ms <ms>", "deadline per request", integerIn(1))
    .option("--seed <n>", "seed of the toy and op choices", integerIn(0), LOAD_DEFAULTS.seed)
    .option("--json", "print the results as JSON instead of text")
    .action(async (flags: LoadFlags) => {
      const abort = abortOnSigint();
      try {
        const results = await runLoad(
          {
            transport: flags.transport,
            host: flags.host,
            port:
              flags.port ??
              (flags.transport === "socket" ? SOCKET_SERVER_DEFAULTS.port : GRPC_SERVER_DEFAULTS.port),
            clients: flags.clients,
            requests: flags.requests,
            durationMs: flags.duration === undefined ? null : flags.duration * 1000,
            warmupMs: flags.warmup * 1000,
            primeRequests: flags.prime,
            op: flags.op,
            buyRatio: flags.buyRatio,
            toys: flags.toy !== undefined ? [flags.toy] : flags.toys,
            ratePerSecond: flags.rate ?? null,
            maxInFlight: flags.maxInFlight,
            clientsPerProcess: flags.clientsPerProcess,
            inProcess: flags.inProcess === true,
            timeoutMs: flags.timeoutMs ?? null,
            seed: flags.seed,
          },
          { signal: abort.signal },
        );
        io.stdout.write(
          flags.json === true ? `${JSON.stringify(results, null, 2)}\n` : formatLoadResults(results),
        );
      } catch (error) {
        throw failure(error);
      } finally {
        abort.dispose();
      }
    });
}

function registerExperiment(program: Command, io: LoadCommandIo): void {
  const d = EXPERIMENT_DEFAULTS;
  program
    .command("experiment")
    .description(
      "reproduce the seed's study: every transport x lock x op x client count on a fresh server, measured next to the queueing prediction; writes results.json, results.csv, report.md, report.html and an SVG chart",
    )
    .option("--transports <list>", "comma-separated: socket, grpc", choiceList(["socket", "grpc"]), [
      ...d.transports,
    ])
    .option("--locks <list>", "comma-separated: mutex, rwlock", choiceList(["mutex", "rwlock"]), [...d.locks])
    .option("--ops <list>", "comma-separated: query, buy", choiceList(["query", "buy"]), [...d.ops])
    .option("--clients <list>", "comma-separated client counts", integerList, [...d.clients])
    .option(
      "--work-ms <ms>",
      `simulated work per request, inside the lock (default: ${d.workMs}; ${QUICK_PRESET.workMs} with --quick)`,
      nonNegativeNumber,
    )
    .option(
      "--requests <n>",
      `sequential requests per client (default: ${d.requests}; ${QUICK_PRESET.requests} with --quick)`,
      integerIn(1),
    )
    .option("--pool-size <n>", "socket server's worker pool", integerIn(1), d.socketPoolSize)
    .option(
      "--grpc-max-concurrency <n>",
      "gRPC server's concurrent handlers",
      integerIn(1),
      d.grpcMaxConcurrency,
    )
    .option(
      "--clients-per-process <n>",
      "clients multiplexed per OS process (1: one process each)",
      integerIn(1),
      d.clientsPerProcess,
    )
    .option(
      "--prime <n>",
      "untimed queries per client before the start barrier (warms cold code)",
      integerIn(0),
      d.primeRequests,
    )
    .option("--toys <names>", "comma-separated toys to pick from (default: the default catalog)", list)
    .option("--seed <n>", "seed of the toy choices", integerIn(0), d.seed)
    .option(
      "--quick",
      `a small run: ${QUICK_PRESET.workMs} ms of work, ${QUICK_PRESET.requests} requests per client`,
    )
    .option("--out <dir>", "folder for the results and report", "results")
    .option("--no-progress", "do not draw the progress bar")
    .action(async (flags: ExperimentFlags) => {
      const abort = abortOnSigint();
      const progress = flags.progress ? createProgressBar(io.stderr) : undefined;
      const out = resolve(flags.out);
      try {
        const results = await runExperiment(
          {
            transports: flags.transports,
            locks: flags.locks,
            ops: flags.ops,
            clients: flags.clients,
            workMs: flags.workMs,
            requests: flags.requests,
            socketPoolSize: flags.poolSize,
            grpcMaxConcurrency: flags.grpcMaxConcurrency,
            clientsPerProcess: flags.clientsPerProcess,
            primeRequests: flags.prime,
            toys: flags.toys,
            seed: flags.seed,
            quick: flags.quick === true,
          },
          { signal: abort.signal, onProgress: (p) => progress?.update(p) },
        );
        progress?.stop();
        await (await loadReportWriters()).writeReport(results, out);
        io.stdout.write(summarizeExperiment(results.cells, out, abort.signal.aborted));
      } catch (error) {
        progress?.stop();
        if (error instanceof ExperimentError && error.partial.cells.length > 0) {
          await (await loadReportWriters()).writeReport(error.partial, out);
          io.stderr.write(`the cells before the failure are in ${out}\n`);
        }
        throw failure(error);
      } finally {
        abort.dispose();
      }
    });
}

function registerReport(program: Command, io: LoadCommandIo): void {
  program
    .command("report <dir>")
    .description("rewrite results.csv, report.md, report.html and the chart from <dir>/results.json")
    .action(async (dir: string) => {
      try {
        const { readResults, writeReport } = await loadReportWriters();
        const results = await readResults(resolve(dir, "results.json"));
        await writeReport(results, resolve(dir));
        io.stdout.write(`report written to ${resolve(dir)}\n`);
      } catch (error) {
        throw failure(error);
      }
    });
}

/** One line per cell: measured against predicted; then where the report is. */
function summarizeExperiment(
  cells: Awaited<ReturnType<typeof runExperiment>>["cells"],
  out: string,
  aborted: boolean,
): string {
  const lines = cells.map(
    (cell) =>
      `${describeCell(cell).padEnd(34)} mean ${formatMs(cell.measured.mean).padStart(8)} ms   predicted ${formatMs(cell.predicted.meanMs).padStart(8)} ms   diff ${formatSigned(cell.differenceMs).padStart(7)} ms   p99 ${formatMs(cell.measured.p99).padStart(8)} ms`,
  );
  if (aborted) lines.push("interrupted: the report holds the cells measured so far");
  lines.push(`report written to ${out}`);
  return `${lines.join("\n")}\n`;
}

/** The bar: overall percentage weighted by predicted cell length, the cell running, and the ETA. */
function createProgressBar(stream: NodeJS.WritableStream): {
  update(p: ExperimentProgress): void;
  stop(): void;
} {
  const bar = new cliProgress.SingleBar(
    {
      format: "{bar} {percentage}% | cell {cell}/{cells} {label} | ETA {etaText}",
      noTTYOutput: true,
      stream,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = {
        cell: p.cellIndex + 1,
        cells: p.cellCount,
        label: p.label,
        etaText: p.etaMs === null ? "..." : formatDuration(p.etaMs),
      };
      const value = Math.round(p.fraction * 100);
      if (!started) {
        bar.start(100, value, payload);
        started = true;
      } else {
        bar.update(value, payload);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

/** First Ctrl-C: finish the requests in flight and report what was measured. A second one exits at once. */
function abortOnSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onSigint) };
}

/** Errors become one-line messages: the program prints a CliFailure on stderr and exits 1. */
function failure(error: unknown): CliFailure {
  if (error instanceof CliFailure) return error;
  return new CliFailure(error instanceof Error ? error.message : String(error), { cause: error });
}

function positiveNumber(value: string): number {
  const n = nonNegativeNumber(value);
  if (n === 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

function list(value: string): string[] {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) throw new InvalidArgumentError(`expected a comma-separated list, got "${value}"`);
  return items;
}

function integerList(value: string): number[] {
  return list(value).map(integerIn(1));
}

function choiceList<T extends string>(choices: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = list(value);
    const bad = items.find((item) => !choices.includes(item as T));
    if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not one of ${choices.join(", ")}`);
    return items as T[];
  };
}
