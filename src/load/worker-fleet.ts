// The load worker processes of a run, or of a whole experiment: forked on
// demand, reused from run to run (each run still gives every client its own
// process and a fresh connection), and stopped together at the end.

import { type NodeEntry, resolveEntry } from "../measure/entry-point.js";
import { WorkerProcess } from "./worker-process.js";

export class WorkerFleet {
  readonly #entry: NodeEntry;
  readonly #workers: WorkerProcess[] = [];
  #closed = false;

  /** Workers run `entry` (default: load/load-worker, compiled or through tsx; see entry-point.ts). */
  constructor(entry: NodeEntry = resolveEntry("load/load-worker")) {
    this.#entry = entry;
  }

  /** The first `count` workers, forking the missing ones. Throws once the fleet is closed. */
  take(count: number): WorkerProcess[] {
    if (this.#closed) throw new Error("the load worker fleet is closed");
    while (this.#workers.length < count)
      this.#workers.push(new WorkerProcess(this.#entry, this.#workers.length));
    return this.#workers.slice(0, count);
  }

  /**
   * Kills the given workers and forgets them, so the next `take` forks fresh
   * ones: used when a run failed and a worker's state is unknown.
   */
  async discard(workers: readonly WorkerProcess[]): Promise<void> {
    for (const worker of workers) worker.kill();
    await Promise.all(workers.map((worker) => worker.stop()));
    const gone = new Set(workers);
    const kept = this.#workers.filter((worker) => !gone.has(worker));
    this.#workers.length = 0;
    this.#workers.push(...kept);
  }

  /** Closes every worker's channel (they exit on their own) and waits for them. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}
