// `toystore serve --workers N`: the process becomes a node:cluster primary
// that forks N workers, each running the ordinary serve code with the same
// argv. node:cluster shares every listening port among them (the primary holds
// the listening sockets and hands each accepted connection to a worker in
// turn), so the socket, original-socket, gRPC and HTTP transports need no change.
//
// The primary owns the lifecycle, the workers the requests:
//
// - Start: the first worker starts alone, so that on a fresh database it is
//   the one that fills the store (from --catalog when given); the others start
//   once it is ready and serve what it stored. Each worker tells the primary,
//   over cluster IPC, where it listens; once all of them do, the primary prints
//   the ready lines ("socket listening on HOST:PORT", ...). A worker that exits
//   before then fails the start: the primary stops the others and exits with
//   that worker's code (its message is already on stderr), as `serve` would.
// - Running: a worker that dies is replaced after a back-off (RestartBackoff).
// - Stop: on SIGINT or SIGTERM the primary stops replacing workers, sends each
//   one SIGTERM (each drains as `serve` does), SIGKILLs by PID any still there
//   after --grace-ms plus a margin, logs "stopped" and resolves 0.
//
// This file is the primary; a worker's side is cluster-worker.ts, what they
// tell each other cluster-messages.ts, the restart delays restart-backoff.ts.

import cluster from "node:cluster";
import type { Logger } from "../observability/logger.js";
import { MAX_INT32 } from "../options/schema.js";
import type { StoreSpec } from "../stores/store-spec.js";
import { UsageError } from "./cli-failure.js";
import { isReadyMessage, JOINS_ENV, type Listening } from "./cluster-messages.js";
import { RestartBackoff, type RestartBackoffOptions } from "./restart-backoff.js";

/** --workers' upper bound: more processes than this only contend for the database. */
export const MAX_WORKERS = 64;

/** After --grace-ms, how long a worker may still take to exit: its store's own close is bounded by 5 s. */
const STOP_MARGIN_MS = 5_000;

/** Throws a UsageError unless `workers` processes can share `store`. */
export function checkWorkersShareStore(workers: number, store: StoreSpec): void {
  if (workers > 1 && store.kind !== "postgres") {
    throw new UsageError(
      `--workers ${workers} needs a store several processes share (postgres://...); the memory store and sqlite: files belong to one process`,
    );
  }
}

export interface ClusterOptions {
  readonly workers: number;
  /** serve's --grace-ms: how long each worker drains; the primary waits that plus a margin. */
  readonly graceMs: number;
  readonly backoff?: RestartBackoffOptions;
}

/** A worker the primary started and has not seen exit. */
interface Running {
  readonly pid: number;
  readonly startedAt: number;
  listening: readonly Listening[] | undefined;
}

/**
 * Runs the primary until SIGINT or SIGTERM (resolves 0 once every worker has
 * exited) or until a worker fails the start (resolves with its exit code).
 */
export function serveCluster(options: ClusterOptions, log: Logger): Promise<number> {
  return new Supervisor(options, log).run();
}

class Supervisor {
  readonly #options: ClusterOptions;
  readonly #log: Logger;
  readonly #backoff: RestartBackoff;
  readonly #running = new Map<number, Running>();
  readonly #restarts = new Set<NodeJS.Timeout>();
  /** What the ready lines said; set once every first worker listened. */
  #announced: readonly Listening[] | undefined;
  /** Whether the workers after the first have been started. */
  #joined = false;
  #stopping = false;
  #exitCode = 0;
  /** SIGKILLs the workers still there once the stop has waited long enough. */
  #killTimer: NodeJS.Timeout | undefined;
  #finish: ((code: number) => void) | undefined;
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    if (this.#stopping) return;
    this.#log.info({ signal }, "shutting down: stopping the workers");
    this.#stop(0);
  };

  constructor(options: ClusterOptions, log: Logger) {
    this.#options = options;
    this.#log = log;
    this.#backoff = new RestartBackoff(options.backoff);
  }

  run(): Promise<number> {
    return new Promise((resolve) => {
      this.#finish = resolve;
      // Kept until the end: a second Ctrl-C must not kill the primary and orphan the draining workers.
      process.on("SIGINT", this.#onSignal);
      process.on("SIGTERM", this.#onSignal);
      this.#fork(false);
    });
  }

  #fork(joins: boolean): void {
    const worker = cluster.fork({ [JOINS_ENV]: joins ? "1" : "0" });
    const pid = worker.process.pid!;
    const running: Running = { pid, startedAt: performance.now(), listening: undefined };
    this.#running.set(pid, running);
    this.#log.info({ worker: pid }, "worker started");
    worker.on("message", (message: unknown) => {
      if (isReadyMessage(message)) this.#onReady(running, message.listening);
    });
    worker.on("error", (error) => this.#log.warn({ err: error, worker: pid }, "worker IPC failed"));
    worker.once("exit", (code, signal) => this.#onExit(running, code, signal));
  }

  #onReady(running: Running, listening: readonly Listening[]): void {
    running.listening = listening;
    if (this.#stopping) return;
    if (this.#announced === undefined) {
      if (!this.#joined) {
        // The first worker is ready and the store filled: the others join it.
        this.#joined = true;
        for (let i = 1; i < this.#options.workers; i++) this.#fork(true);
      }
      if (this.#running.size < this.#options.workers) return;
      if ([...this.#running.values()].some((r) => r.listening === undefined)) return;
      this.#announced = listening;
      for (const { transport, address } of listening) this.#log.info(`${transport} listening on ${address}`);
      return;
    }
    // A replacement: the ports stay as announced while another worker holds them.
    if (!sameAddresses(listening, this.#announced))
      this.#log.warn(
        { worker: running.pid, listening, announced: this.#announced },
        "a replacement worker listens elsewhere than the ready lines said",
      );
  }

  #onExit(running: Running, code: number | null, signal: string | null): void {
    this.#running.delete(running.pid);
    const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
    if (this.#stopping) {
      this.#log.debug({ worker: running.pid, code, signal }, "worker exited");
      if (this.#running.size === 0) this.#stopped();
      return;
    }
    if (this.#announced === undefined) {
      this.#log.error(
        { worker: running.pid, code, signal },
        `worker ${running.pid} exited (${how}) before the server was ready; stopping`,
      );
      this.#stop(code === null || code === 0 ? 1 : code);
      return;
    }
    const delay = this.#backoff.delayAfter(performance.now() - running.startedAt);
    this.#log.warn(
      { worker: running.pid, code, signal, delayMs: delay },
      `worker ${running.pid} died (${how}); starting another in ${delay} ms`,
    );
    const timer = setTimeout(() => {
      this.#restarts.delete(timer);
      this.#fork(true);
    }, delay);
    this.#restarts.add(timer);
  }

  #stop(exitCode: number): void {
    this.#stopping = true;
    this.#exitCode = exitCode;
    for (const timer of this.#restarts) clearTimeout(timer);
    this.#restarts.clear();
    if (this.#running.size === 0) {
      this.#stopped();
      return;
    }
    for (const { pid } of this.#running.values()) signalPid(pid, "SIGTERM");
    const waitMs = Math.min(this.#options.graceMs + STOP_MARGIN_MS, MAX_INT32);
    this.#killTimer = setTimeout(() => {
      for (const { pid } of this.#running.values()) {
        this.#log.warn({ worker: pid }, `worker ${pid} did not stop within ${waitMs} ms; killing it`);
        signalPid(pid, "SIGKILL");
      }
    }, waitMs);
  }

  #stopped(): void {
    clearTimeout(this.#killTimer);
    process.off("SIGINT", this.#onSignal);
    process.off("SIGTERM", this.#onSignal);
    if (this.#exitCode === 0) this.#log.info("stopped");
    this.#finish?.(this.#exitCode);
  }
}

/** Sends a signal to one process by its PID; one already gone is not an error. */
function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

function sameAddresses(a: readonly Listening[], b: readonly Listening[]): boolean {
  return a.length === b.length && a.every((l, i) => l.transport === b[i]?.transport && l.port === b[i]?.port);
}
