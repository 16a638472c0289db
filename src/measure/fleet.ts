// The worker processes of every measuring tool (the load generator, the
// throughput engine, the stress run): forked on demand, handed a plan each,
// held at a start barrier until every one is ready, and asked for their
// results. Workers are reused from run to run (an experiment runs every cell
// on the same processes) and stopped together at the end.
//
//   parent -> worker   plan      what to run (the tool's own plan type)
//   worker -> parent   ready     connected, waiting at the barrier
//   parent -> worker   start     the barrier opens: go
//   worker -> parent   result    the tool's own result type, plain data
//   parent -> worker   stop      end early (the run was aborted)
//   worker -> parent   failed    could not prepare or run; a code and a message
//
// Processes rather than worker_threads: each worker gets its own V8 heap and
// garbage collector and is scheduled by the OS like any other process, so a GC
// pause never stalls a sibling and a crash stays inside one worker.

import { type ChildProcess, fork } from "node:child_process";
import type { NodeEntry } from "./entry-point.js";
import { withTimeout } from "./with-timeout.js";

export type ToWorker<Plan> =
  | { readonly type: "plan"; readonly plan: Plan }
  | { readonly type: "start" }
  | { readonly type: "stop" };

export type FromWorker<Result> =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly result: Result }
  | { readonly type: "failed"; readonly code: string; readonly message: string };

/** A worker failed to prepare, crashed, or exited before answering. */
export class WorkerError extends Error {
  override readonly name = "WorkerError";
  /** The error code the worker reported (e.g. "unavailable"), or "worker_exited". */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The parent's handle on one forked worker: send it messages, await its replies in order. */
export class WorkerProcess<Plan, Result> {
  readonly #child: ChildProcess;
  readonly #label: string;
  readonly #inbox: FromWorker<Result>[] = [];
  #waiter: { resolve: (message: FromWorker<Result>) => void; reject: (error: Error) => void } | null = null;
  #exitError: WorkerError | null = null;
  readonly #exited: Promise<void>;

  /** Forks `entry` with a fresh IPC channel; stdout and stderr go to ours, so a crash is visible. */
  constructor(entry: NodeEntry, label: string) {
    this.#label = label;
    this.#child = fork(entry.file, [], {
      // Set explicitly: a forked child would otherwise inherit ours (e.g. the test runner's).
      execArgv: [...entry.execArgv],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "json",
    });
    this.#child.on("message", (message: FromWorker<Result>) => this.#deliver(message));
    this.#exited = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        const finish = () => {
          this.#exitError = new WorkerError(
            "worker_exited",
            `${label} exited (code ${code}, signal ${signal}) before answering`,
          );
          this.#waiter?.reject(this.#exitError);
          this.#waiter = null;
          resolve();
        };
        // A reply may still sit in the IPC pipe when "exit" arrives: the channel's
        // "disconnect" comes once it is drained. ("close" would wait for both, but
        // is not emitted on Node 20 when the parent closed the channel first.)
        if (this.#child.connected) this.#child.once("disconnect", finish);
        else finish();
      });
    });
    this.#child.on("error", () => {
      // A failed spawn or send is followed by "exit" (or was one): handled there.
    });
  }

  /** The worker's process id. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  send(message: ToWorker<Plan>): void {
    if (this.#child.connected) this.#child.send(message);
  }

  /** The next message, which must be of `type`; rejects with a WorkerError on "failed", anything else, or an exit. */
  async expect<T extends FromWorker<Result>["type"]>(
    type: T,
  ): Promise<Extract<FromWorker<Result>, { type: T }>> {
    const message = await this.#next();
    if (message.type === "failed") throw new WorkerError(message.code, `${this.#label}: ${message.message}`);
    if (message.type !== type) {
      throw new WorkerError("internal", `${this.#label}: expected ${type}, got ${message.type}`);
    }
    return message as Extract<FromWorker<Result>, { type: T }>;
  }

  /** Closes the channel (the worker then exits on its own), waits up to `graceMs`, then kills it. Idempotent. */
  async stop(graceMs = 5000): Promise<void> {
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    if (this.#child.connected) this.#child.disconnect();
    await this.#exited;
    clearTimeout(timer);
  }

  /** Kills the worker at once. */
  kill(): void {
    this.#child.kill("SIGKILL");
  }

  #next(): Promise<FromWorker<Result>> {
    const queued = this.#inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#exitError !== null) return Promise.reject(this.#exitError);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  #deliver(message: FromWorker<Result>): void {
    const waiter = this.#waiter;
    if (waiter === null) {
      this.#inbox.push(message);
      return;
    }
    this.#waiter = null;
    waiter.resolve(message);
  }
}

export interface FleetRunHooks {
  /** Ends the run early: every worker is sent "stop" and reports what it has. */
  readonly signal?: AbortSignal;
  /** Called when every worker is ready, just before the barrier opens. */
  readonly onStart?: () => void;
  /** How long the workers may take to start and prepare, ms. Default 60 000. */
  readonly readyTimeoutMs?: number;
  /** How long after the start the results may take, ms. Default: no limit (the plans bound their runs). */
  readonly resultTimeoutMs?: number;
}

export class WorkerFleet<Plan, Result> {
  readonly #entry: NodeEntry;
  readonly #name: string;
  readonly #workers: WorkerProcess<Plan, Result>[] = [];
  #closed = false;

  /** Workers run `entry`; `name` labels their errors ("load worker 2: ..."). */
  constructor(entry: NodeEntry, name: string) {
    this.#entry = entry;
    this.#name = name;
  }

  /** The first `count` workers, forking the missing ones. Throws once the fleet is closed. */
  take(count: number): WorkerProcess<Plan, Result>[] {
    if (this.#closed) throw new Error(`the ${this.#name} fleet is closed`);
    while (this.#workers.length < count) {
      this.#workers.push(new WorkerProcess(this.#entry, `${this.#name} ${this.#workers.length}`));
    }
    return this.#workers.slice(0, count);
  }

  /**
   * One run: plan k goes to worker k; once all are ready the barrier opens and
   * their results come back in plan order. If any worker fails, this run's
   * workers are killed and forgotten (the next run forks fresh ones) and the
   * first error is thrown.
   */
  async run(plans: readonly Plan[], hooks: FleetRunHooks = {}): Promise<Result[]> {
    const workers = this.take(plans.length);
    const stop = () => {
      for (const worker of workers) worker.send({ type: "stop" });
    };
    hooks.signal?.addEventListener("abort", stop, { once: true });
    try {
      plans.forEach((plan, k) => {
        workers[k]!.send({ type: "plan", plan });
      });
      const readyTimeoutMs = hooks.readyTimeoutMs ?? 60_000;
      await withTimeout(
        Promise.all(workers.map((worker) => worker.expect("ready"))),
        readyTimeoutMs,
        `${this.#name}s were not ready in time (${readyTimeoutMs} ms)`,
      );
      // The barrier: results are awaited only after every "start" is sent, so no worker waits on another.
      hooks.onStart?.();
      for (const worker of workers) worker.send({ type: "start" });
      const results = Promise.all(workers.map(async (worker) => (await worker.expect("result")).result));
      return await (hooks.resultTimeoutMs === undefined
        ? results
        : withTimeout(results, hooks.resultTimeoutMs, `${this.#name}s did not report in time`));
    } catch (error) {
      await this.#discard(workers);
      throw error;
    } finally {
      hooks.signal?.removeEventListener("abort", stop);
    }
  }

  /** Closes every worker's channel (they exit on their own) and waits for them. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((worker) => worker.stop()));
  }

  async #discard(workers: readonly WorkerProcess<Plan, Result>[]): Promise<void> {
    for (const worker of workers) worker.kill();
    await Promise.all(workers.map((worker) => worker.stop()));
    const gone = new Set(workers);
    const kept = this.#workers.filter((worker) => !gone.has(worker));
    this.#workers.length = 0;
    this.#workers.push(...kept);
  }
}

/** Runs `plans` on a fleet of their own, closed at the end. */
export async function runOnFleet<Plan, Result>(
  entry: NodeEntry,
  name: string,
  plans: readonly Plan[],
  hooks: FleetRunHooks = {},
): Promise<Result[]> {
  const fleet = new WorkerFleet<Plan, Result>(entry, name);
  try {
    return await fleet.run(plans, hooks);
  } finally {
    await fleet.close();
  }
}
