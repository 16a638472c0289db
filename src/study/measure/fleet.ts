// The process processes of every measuring tool (the load generator, the
// throughput engine, the stress run): forked on demand, handed a plan each,
// held at a start barrier until every one is ready, and asked for their
// results. Processes are reused from run to run (an experiment runs every cell
// on the same processes) and stopped together at the end.
//
//   parent -> process   plan      what to run (the tool's own plan type)
//   process -> parent   ready     connected, waiting at the barrier
//   parent -> process   start     the barrier opens: go
//   process -> parent   result    the tool's own result type, plain data
//   parent -> process   stop      end early (the run was aborted)
//   process -> parent   failed    could not prepare or run; a code and a message
//
// Processes rather than worker_threads: each process gets its own V8 heap and
// garbage collector and is scheduled by the OS like any other process, so a GC
// pause never stalls a sibling and a crash stays inside one process.

import { type ChildProcess, fork } from "node:child_process";
import type { NodeEntry } from "./entry-point.js";
import { withTimeout } from "./with-timeout.js";

export type ToProcess<Plan> =
  | { readonly type: "plan"; readonly plan: Plan }
  | { readonly type: "start" }
  | { readonly type: "stop" };

export type FromProcess<Result> =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly result: Result }
  | { readonly type: "failed"; readonly code: string; readonly message: string };

/** A process failed to prepare, crashed, or exited before answering. */
export class FleetError extends Error {
  override readonly name = "FleetError";
  /** The error code the process reported (e.g. "unavailable"), or "process_exited". */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The parent's handle on one forked process: send it messages, await its replies in order. */
export class FleetProcess<Plan, Result> {
  readonly #child: ChildProcess;
  readonly #label: string;
  readonly #inbox: FromProcess<Result>[] = [];
  #waiter: { resolve: (message: FromProcess<Result>) => void; reject: (error: Error) => void } | null = null;
  #exitError: FleetError | null = null;
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
    this.#child.on("message", (message: FromProcess<Result>) => this.#deliver(message));
    this.#exited = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        const finish = () => {
          this.#exitError = new FleetError(
            "process_exited",
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

  /** The process's process id. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  send(message: ToProcess<Plan>): void {
    if (this.#child.connected) this.#child.send(message);
  }

  /** The next message, which must be of `type`; rejects with a FleetError on "failed", anything else, or an exit. */
  async expect<T extends FromProcess<Result>["type"]>(
    type: T,
  ): Promise<Extract<FromProcess<Result>, { type: T }>> {
    const message = await this.#next();
    if (message.type === "failed") throw new FleetError(message.code, `${this.#label}: ${message.message}`);
    if (message.type !== type) {
      throw new FleetError("internal", `${this.#label}: expected ${type}, got ${message.type}`);
    }
    return message as Extract<FromProcess<Result>, { type: T }>;
  }

  /** Closes the channel (the process then exits on its own), waits up to `graceMs`, then kills it. Idempotent. */
  async stop(graceMs = 5000): Promise<void> {
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    if (this.#child.connected) this.#child.disconnect();
    await this.#exited;
    clearTimeout(timer);
  }

  /** Kills the process at once. */
  kill(): void {
    this.#child.kill("SIGKILL");
  }

  #next(): Promise<FromProcess<Result>> {
    const queued = this.#inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#exitError !== null) return Promise.reject(this.#exitError);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  #deliver(message: FromProcess<Result>): void {
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
  /** Ends the run early: every process is sent "stop" and reports what it has. */
  readonly signal?: AbortSignal;
  /** Called when every process is ready, just before the barrier opens. */
  readonly onStart?: () => void;
  /** How long the processes may take to start and prepare, ms. Default 60 000. */
  readonly readyTimeoutMs?: number;
  /** How long after the start the results may take, ms. Default: no limit (the plans bound their runs). */
  readonly resultTimeoutMs?: number;
}

export class ProcessFleet<Plan, Result> {
  readonly #entry: NodeEntry;
  readonly #name: string;
  readonly #members: FleetProcess<Plan, Result>[] = [];
  #closed = false;

  /** Processes run `entry`; `name` labels their errors ("load process 2: ..."). */
  constructor(entry: NodeEntry, name: string) {
    this.#entry = entry;
    this.#name = name;
  }

  /** The first `count` processes, forking the missing ones. Throws once the fleet is closed. */
  take(count: number): FleetProcess<Plan, Result>[] {
    if (this.#closed) throw new Error(`the ${this.#name} fleet is closed`);
    while (this.#members.length < count) {
      this.#members.push(new FleetProcess(this.#entry, `${this.#name} ${this.#members.length}`));
    }
    return this.#members.slice(0, count);
  }

  /**
   * One run: plan k goes to process k; once all are ready the barrier opens and
   * their results come back in plan order. If any process fails, this run's
   * processes are killed and forgotten (the next run forks fresh ones) and the
   * first error is thrown.
   */
  async run(plans: readonly Plan[], hooks: FleetRunHooks = {}): Promise<Result[]> {
    const processes = this.take(plans.length);
    const stop = () => {
      for (const process of processes) process.send({ type: "stop" });
    };
    hooks.signal?.addEventListener("abort", stop, { once: true });
    try {
      plans.forEach((plan, k) => {
        processes[k]!.send({ type: "plan", plan });
      });
      const readyTimeoutMs = hooks.readyTimeoutMs ?? 60_000;
      await withTimeout(
        Promise.all(processes.map((process) => process.expect("ready"))),
        readyTimeoutMs,
        `${this.#name}s were not ready in time (${readyTimeoutMs} ms)`,
      );
      // The barrier: results are awaited only after every "start" is sent, so no process waits on another.
      hooks.onStart?.();
      for (const process of processes) process.send({ type: "start" });
      const results = Promise.all(processes.map(async (process) => (await process.expect("result")).result));
      return await (hooks.resultTimeoutMs === undefined
        ? results
        : withTimeout(results, hooks.resultTimeoutMs, `${this.#name}s did not report in time`));
    } catch (error) {
      await this.#discard(processes);
      throw error;
    } finally {
      hooks.signal?.removeEventListener("abort", stop);
    }
  }

  /** Closes every process's channel (they exit on their own) and waits for them. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const processes = this.#members.splice(0);
    await Promise.all(processes.map((process) => process.stop()));
  }

  async #discard(processes: readonly FleetProcess<Plan, Result>[]): Promise<void> {
    for (const process of processes) process.kill();
    await Promise.all(processes.map((process) => process.stop()));
    const gone = new Set(processes);
    const kept = this.#members.filter((process) => !gone.has(process));
    this.#members.length = 0;
    this.#members.push(...kept);
  }
}

/** Runs `plans` on a fleet of their own, closed at the end. */
export async function runOnFleet<Plan, Result>(
  entry: NodeEntry,
  name: string,
  plans: readonly Plan[],
  hooks: FleetRunHooks = {},
): Promise<Result[]> {
  const fleet = new ProcessFleet<Plan, Result>(entry, name);
  try {
    return await fleet.run(plans, hooks);
  } finally {
    await fleet.close();
  }
}
