// A fixed number of workers taking jobs from a bounded FIFO queue.
//
// The workers are not threads: a "worker" is a slot that may hold one job in
// progress. A job runs on the event loop and may wait (for the lock, for the
// simulated work); the pool caps how many jobs are in progress at once, which
// is what a fixed thread pool does in the original design. Jobs beyond the cap
// wait in arrival order; beyond `maxQueued` they are refused, so a flood of
// requests costs a "busy" reply, not unbounded memory.

import { FifoQueue } from "./fifo-queue.js";

/**
 * A unit of work. The pool calls `run(done)` when a worker takes it (at once,
 * inside `submit`, if a worker is idle). The task must call `done` exactly once,
 * when it has finished, synchronously or later, and must not throw. `done` is
 * one function shared by all tasks, so a task costs the pool no closure; the
 * price is that the pool cannot tell which task calls it, so a task that calls
 * it twice corrupts the count of busy workers. A task that throws is finished
 * for it, unless it had called `done` before throwing.
 */
export interface PoolTask {
  run(done: () => void): void;
}

/** Why `submit` refused a task. */
export type SubmitRefusal = "busy" | "shutting_down";

export interface WorkerPoolOptions {
  /** Jobs in progress at once. Default 5 (the original design's socket pool). */
  readonly size?: number;
  /** Jobs waiting for a worker before new ones are refused as busy. Default 1024. */
  readonly maxQueued?: number;
  /** Monotonic clock in milliseconds, injectable for tests. */
  readonly now?: () => number;
  /** Called when a task's run() throws (a bug in the task); the worker is freed. Default: console.error. */
  readonly onTaskError?: (error: unknown) => void;
}

export const WORKER_POOL_DEFAULTS = { size: 5, maxQueued: 1024 } as const;

export interface WorkerPoolStats {
  readonly size: number;
  readonly busy: number;
  readonly queued: number;
  readonly maxQueued: number;
  readonly completed: number;
  readonly rejected: number;
  /** Jobs that had to wait in the queue, and how long they waited (ms). */
  readonly waited: number;
  readonly meanWaitMs: number;
  readonly maxWaitMs: number;
}

interface Queued {
  readonly task: PoolTask;
  readonly enqueuedAt: number;
}

export class WorkerPool {
  readonly size: number;
  readonly maxQueued: number;
  readonly #now: () => number;
  readonly #queue = new FifoQueue<Queued>();
  #busy = 0;
  #closing = false;
  #completed = 0;
  #rejected = 0;
  #waited = 0;
  #totalWaitMs = 0;
  #maxWaitMs = 0;
  #draining = false;
  #idleWaiters: (() => void)[] = [];
  readonly #onTaskError: (error: unknown) => void;
  // Bound once: every task receives this same function as its `done`.
  readonly #done = (): void => {
    this.#doneInRun = true;
    this.#finish();
  };
  /** Whether the task whose run() is innermost on the stack has called done (saved and restored around nested runs). */
  #doneInRun = false;

  constructor(options: WorkerPoolOptions = {}) {
    const size = options.size ?? WORKER_POOL_DEFAULTS.size;
    const maxQueued = options.maxQueued ?? WORKER_POOL_DEFAULTS.maxQueued;
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new RangeError(`WorkerPool: size must be an integer >= 1, got ${size}`);
    }
    if (!Number.isSafeInteger(maxQueued) || maxQueued < 0) {
      throw new RangeError(`WorkerPool: maxQueued must be an integer >= 0, got ${maxQueued}`);
    }
    this.size = size;
    this.maxQueued = maxQueued;
    this.#now = options.now ?? performance.now.bind(performance);
    this.#onTaskError = options.onTaskError ?? ((error) => console.error("WorkerPool: a task threw", error));
  }

  /** Workers holding a job now. */
  get busy(): number {
    return this.#busy;
  }

  /** Jobs waiting for a worker. */
  get queued(): number {
    return this.#queue.length;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Runs the task now if a worker is idle, else queues it. Returns null when
   * accepted, or why it was refused (the task is then never run).
   */
  submit(task: PoolTask): SubmitRefusal | null {
    if (this.#closing) {
      this.#rejected++;
      return "shutting_down";
    }
    if (this.#busy < this.size && this.#queue.length === 0) {
      this.#busy++;
      this.#start(task);
      return null;
    }
    if (this.#queue.length >= this.maxQueued) {
      this.#rejected++;
      return "busy";
    }
    this.#queue.push({ task, enqueuedAt: this.#now() });
    return null;
  }

  stats(): WorkerPoolStats {
    return {
      size: this.size,
      busy: this.#busy,
      queued: this.#queue.length,
      maxQueued: this.maxQueued,
      completed: this.#completed,
      rejected: this.#rejected,
      waited: this.#waited,
      meanWaitMs: this.#waited === 0 ? 0 : this.#totalWaitMs / this.#waited,
      maxWaitMs: this.#maxWaitMs,
    };
  }

  /** Resolves when no job is queued or in progress. */
  onIdle(): Promise<void> {
    if (this.#busy === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops taking jobs (submit answers "shutting_down") and resolves once the
   * queued and running jobs have finished. Idempotent.
   */
  close(): Promise<void> {
    this.#closing = true;
    return this.onIdle();
  }

  #start(task: PoolTask): void {
    // Runs nest (a done inside run() starts the next task), so the flag is saved and restored.
    const outer = this.#doneInRun;
    this.#doneInRun = false;
    try {
      task.run(this.#done);
    } catch (error) {
      // A task that throws before calling done would hold its worker forever;
      // one that threw after calling it is finished already.
      if (!this.#doneInRun) this.#finish();
      this.#onTaskError(error);
    } finally {
      this.#doneInRun = outer;
    }
  }

  #finish(): void {
    this.#completed++;
    this.#busy--;
    this.#drain();
  }

  // A loop, not recursion: a run of queued tasks that finish synchronously
  // must not grow the stack. The flag makes nested calls (a task's done, called
  // inside the loop) return at once and leave the work to the outer loop.
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#busy < this.size && this.#queue.length > 0) {
        const next = this.#queue.shift()!;
        const waitMs = this.#now() - next.enqueuedAt;
        this.#waited++;
        this.#totalWaitMs += waitMs;
        if (waitMs > this.#maxWaitMs) this.#maxWaitMs = waitMs;
        this.#busy++;
        this.#start(next.task);
      }
    } finally {
      this.#draining = false;
    }
    if (this.#busy === 0 && this.#queue.length === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
