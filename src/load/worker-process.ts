// The parent's handle on one forked load worker: send it messages, await its
// replies in order, and make sure it is gone at the end.

import { type ChildProcess, fork } from "node:child_process";
import type { NodeEntry } from "../measure/entry-point.js";
import type { ParentMessage, WorkerMessage } from "./worker-protocol.js";

/** A worker failed to connect, crashed, or exited before answering. */
export class WorkerError extends Error {
  override readonly name = "WorkerError";
  /** The error code the worker reported (e.g. "unavailable"), or "worker_exited". */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #inbox: WorkerMessage[] = [];
  #waiter: { resolve: (message: WorkerMessage) => void; reject: (error: Error) => void } | null = null;
  #exitError: WorkerError | null = null;
  readonly #exited: Promise<void>;

  /** Forks `entry` with a fresh IPC channel; stdout and stderr go to ours, so a crash is visible. */
  constructor(
    entry: NodeEntry,
    readonly index: number,
  ) {
    this.#child = fork(entry.file, [], {
      // Set explicitly: a forked child would otherwise inherit ours (e.g. the test runner's).
      execArgv: [...entry.execArgv],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "json",
    });
    this.#child.on("message", (message: WorkerMessage) => this.#deliver(message));
    this.#exited = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        const finish = () => {
          this.#exitError = new WorkerError(
            "worker_exited",
            `load worker ${index} exited (code ${code}, signal ${signal}) before answering`,
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

  send(message: ParentMessage): void {
    if (this.#child.connected) this.#child.send(message);
  }

  /**
   * The next message of the given type. Rejects with a WorkerError if the
   * worker reports "failed", sends something else, or exits first.
   */
  async expect<T extends WorkerMessage["type"]>(type: T): Promise<Extract<WorkerMessage, { type: T }>> {
    const message = await this.#next();
    if (message.type === "failed")
      throw new WorkerError(message.code, `load worker ${this.index}: ${message.message}`);
    if (message.type !== type) {
      throw new WorkerError("internal", `load worker ${this.index}: expected ${type}, got ${message.type}`);
    }
    return message as Extract<WorkerMessage, { type: T }>;
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

  #next(): Promise<WorkerMessage> {
    const queued = this.#inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#exitError !== null) return Promise.reject(this.#exitError);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  #deliver(message: WorkerMessage): void {
    const waiter = this.#waiter;
    if (waiter === null) {
      this.#inbox.push(message);
      return;
    }
    this.#waiter = null;
    waiter.resolve(message);
  }
}
