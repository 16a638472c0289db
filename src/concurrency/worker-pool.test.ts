// Tests for WorkerPool: the concurrency cap, FIFO starts, refusals, draining close, onIdle, stats
// with an injected clock, synchronous completion, and tasks that throw. A model-based property
// checks every observable against a plain-array model after each operation.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type PoolTask, WORKER_POOL_DEFAULTS, WorkerPool } from "./worker-pool.js";

/** Runs every pending microtask (and whatever they queue), then returns. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Behavior = "async" | "sync" | "throws";

/** Counts the tasks between run() and done(), across every task of one test. */
class Tracker {
  inProgress = 0;
  maxInProgress = 0;
  readonly started: number[] = [];
}

/** A task the test finishes by hand ("async"), or that finishes or throws inside run(). */
class ManualTask implements PoolTask {
  started = false;
  #done: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly tracker: Tracker,
    readonly behavior: Behavior = "async",
  ) {}

  get running(): boolean {
    return this.#done !== undefined;
  }

  run(done: () => void): void {
    assert.equal(this.started, false, `task ${this.id} was started twice`);
    this.started = true;
    this.tracker.started.push(this.id);
    this.tracker.inProgress++;
    this.tracker.maxInProgress = Math.max(this.tracker.maxInProgress, this.tracker.inProgress);
    if (this.behavior === "sync") {
      this.tracker.inProgress--;
      done();
    } else if (this.behavior === "throws") {
      this.tracker.inProgress--;
      throw new Error(`task ${this.id} failed`);
    } else {
      this.#done = done;
    }
  }

  finish(): void {
    const done = this.#done;
    assert.ok(done !== undefined, `task ${this.id} is not running`);
    this.#done = undefined;
    this.tracker.inProgress--;
    done();
  }
}

type Op =
  | { readonly kind: "submit"; readonly behavior: Behavior }
  | { readonly kind: "finish"; readonly pick: number }
  | { readonly kind: "close" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .constantFrom<Behavior>("async", "async", "async", "sync", "throws")
      .map((behavior) => ({ kind: "submit" as const, behavior })),
  },
  { weight: 4, arbitrary: fc.nat().map((pick) => ({ kind: "finish" as const, pick })) },
  { weight: 1, arbitrary: fc.constant({ kind: "close" as const }) },
);

/** The pool's intended behavior, written the obvious way with arrays. */
class PoolModel {
  readonly running: ManualTask[] = [];
  readonly queue: ManualTask[] = [];
  readonly started: number[] = [];
  closing = false;
  completed = 0;
  rejected = 0;
  errors = 0;

  constructor(
    readonly size: number,
    readonly maxQueued: number,
  ) {}

  submit(task: ManualTask): string | null {
    if (this.closing) {
      this.rejected++;
      return "shutting_down";
    }
    if (this.running.length < this.size && this.queue.length === 0) {
      this.#start(task);
      return null;
    }
    if (this.queue.length >= this.maxQueued) {
      this.rejected++;
      return "busy";
    }
    this.queue.push(task);
    return null;
  }

  finish(task: ManualTask): void {
    this.running.splice(this.running.indexOf(task), 1);
    this.completed++;
    while (this.running.length < this.size && this.queue.length > 0) this.#start(this.queue.shift()!);
  }

  #start(task: ManualTask): void {
    this.started.push(task.id);
    if (task.behavior === "async") {
      this.running.push(task);
      return;
    }
    this.completed++;
    if (task.behavior === "throws") this.errors++;
  }
}

describe("WorkerPool", () => {
  it("matches a plain-array model after every submit, finish and close", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(opArb, { maxLength: 80 }),
        (size, maxQueued, ops) => {
          const tracker = new Tracker();
          const errors: unknown[] = [];
          const pool = new WorkerPool({ size, maxQueued, onTaskError: (error) => errors.push(error) });
          const model = new PoolModel(size, maxQueued);
          const refused: ManualTask[] = [];
          let nextId = 0;
          const check = (): void => {
            const stats = pool.stats();
            assert.equal(stats.busy, model.running.length);
            assert.equal(stats.queued, model.queue.length);
            assert.equal(stats.completed, model.completed);
            assert.equal(stats.rejected, model.rejected);
            assert.equal(pool.closing, model.closing);
            assert.equal(errors.length, model.errors);
            assert.deepEqual(tracker.started, model.started, "tasks start in submission order");
            assert.ok(
              tracker.maxInProgress <= size,
              `${tracker.maxInProgress} tasks in progress, size ${size}`,
            );
          };
          for (const op of ops) {
            if (op.kind === "submit") {
              const task = new ManualTask(nextId++, tracker, op.behavior);
              const answer = pool.submit(task);
              assert.equal(answer, model.submit(task));
              if (answer !== null) refused.push(task);
            } else if (op.kind === "finish") {
              if (model.running.length === 0) continue;
              const task = model.running[op.pick % model.running.length]!;
              model.finish(task);
              task.finish();
            } else {
              model.closing = true;
              void pool.close();
            }
            check();
          }
          // Finish everything: whatever was accepted runs to the end; nothing refused ever ran.
          while (model.running.length > 0) {
            const task = model.running[0]!;
            model.finish(task);
            task.finish();
            check();
          }
          assert.equal(pool.busy, 0);
          assert.equal(pool.queued, 0);
          assert.ok(refused.every((task) => !task.started));
        },
      ),
      { numRuns: 300 },
    );
  });

  describe("options", () => {
    it("defaults to 5 workers and 1024 queued jobs", () => {
      const stats = new WorkerPool().stats();
      assert.equal(stats.size, WORKER_POOL_DEFAULTS.size);
      assert.equal(stats.maxQueued, WORKER_POOL_DEFAULTS.maxQueued);
      assert.deepEqual(WORKER_POOL_DEFAULTS, { size: 5, maxQueued: 1024 });
    });

    it("rejects a size or maxQueued that is not a whole number in range, naming the option and value", () => {
      for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => new WorkerPool({ size }), {
          name: "RangeError",
          message: `WorkerPool: size must be an integer >= 1, got ${size}`,
        });
      }
      for (const maxQueued of [-1, 0.5, Number.NaN]) {
        assert.throws(() => new WorkerPool({ maxQueued }), {
          name: "RangeError",
          message: `WorkerPool: maxQueued must be an integer >= 0, got ${maxQueued}`,
        });
      }
    });
  });

  it("never has more than size tasks in progress, and starts queued tasks in submission order", () => {
    const tracker = new Tracker();
    const pool = new WorkerPool({ size: 3 });
    const tasks = Array.from({ length: 10 }, (_, id) => new ManualTask(id, tracker));
    for (const task of tasks) assert.equal(pool.submit(task), null);
    assert.equal(pool.busy, 3);
    assert.equal(pool.queued, 7);
    assert.deepEqual(tracker.started, [0, 1, 2]);
    // Finish out of order: the freed worker still takes the oldest queued task.
    tasks[2]!.finish();
    tasks[0]!.finish();
    assert.deepEqual(tracker.started, [0, 1, 2, 3, 4]);
    while (tasks.some((task) => task.running)) tasks.find((task) => task.running)!.finish();
    assert.deepEqual(
      tracker.started,
      tasks.map((task) => task.id),
    );
    assert.equal(tracker.maxInProgress, 3);
  });

  it("refuses a task as busy once maxQueued tasks wait, and never runs it", () => {
    const tracker = new Tracker();
    const pool = new WorkerPool({ size: 1, maxQueued: 2 });
    const [running, queuedA, queuedB, refused] = [0, 1, 2, 3].map((id) => new ManualTask(id, tracker));
    assert.equal(pool.submit(running!), null);
    assert.equal(pool.submit(queuedA!), null);
    assert.equal(pool.submit(queuedB!), null);
    assert.equal(pool.submit(refused!), "busy");
    assert.equal(pool.stats().rejected, 1);
    running!.finish();
    queuedA!.finish();
    queuedB!.finish();
    assert.equal(refused!.started, false);
    assert.deepEqual(tracker.started, [0, 1, 2]);
    // Room again: a new task is accepted.
    assert.equal(pool.submit(new ManualTask(4, tracker, "sync")), null);
  });

  it("with maxQueued 0, refuses as busy as soon as every worker is taken", () => {
    const tracker = new Tracker();
    const pool = new WorkerPool({ size: 2, maxQueued: 0 });
    assert.equal(pool.submit(new ManualTask(0, tracker)), null);
    assert.equal(pool.submit(new ManualTask(1, tracker)), null);
    assert.equal(pool.submit(new ManualTask(2, tracker)), "busy");
    assert.deepEqual(tracker.started, [0, 1]);
  });

  describe("close", () => {
    it("refuses new tasks with shutting_down and never runs them, and can be called again", async () => {
      const tracker = new Tracker();
      const pool = new WorkerPool({ size: 1 });
      await pool.close();
      assert.equal(pool.closing, true);
      const task = new ManualTask(0, tracker, "sync");
      assert.equal(pool.submit(task), "shutting_down");
      assert.equal(task.started, false);
      assert.equal(pool.stats().rejected, 1);
      await pool.close();
    });

    it("resolves only after the running and queued tasks have finished, running the queued ones", async () => {
      const tracker = new Tracker();
      const pool = new WorkerPool({ size: 2 });
      const tasks = Array.from({ length: 5 }, (_, id) => new ManualTask(id, tracker));
      for (const task of tasks) pool.submit(task);
      let closed = false;
      const closing = pool.close().then(() => {
        closed = true;
      });
      const second = pool.close();
      assert.equal(pool.submit(new ManualTask(9, tracker)), "shutting_down");
      for (const task of tasks) {
        await flush();
        assert.equal(closed, false, `closed before task ${task.id} finished`);
        // Queued tasks still start after close: it drains, it does not drop.
        assert.equal(task.running, true);
        task.finish();
      }
      await closing;
      await second;
      assert.equal(closed, true);
      assert.deepEqual(tracker.started, [0, 1, 2, 3, 4]);
      assert.equal(pool.stats().completed, 5);
    });
  });

  describe("onIdle", () => {
    it("resolves at once when nothing is queued or running", async () => {
      const pool = new WorkerPool();
      await pool.onIdle();
      pool.submit(new ManualTask(0, new Tracker(), "sync"));
      await pool.onIdle();
    });

    it("resolves every waiter when the last task finishes, and not before", async () => {
      const tracker = new Tracker();
      const pool = new WorkerPool({ size: 1 });
      const first = new ManualTask(0, tracker);
      const second = new ManualTask(1, tracker);
      pool.submit(first);
      pool.submit(second);
      let idleCount = 0;
      const waiters = [pool.onIdle(), pool.onIdle()].map((idle) =>
        idle.then(() => {
          idleCount++;
        }),
      );
      first.finish();
      await flush();
      assert.equal(idleCount, 0, "the queued task is still running");
      second.finish();
      await Promise.all(waiters);
      assert.equal(idleCount, 2);
      // The pool keeps working after being idle, and onIdle waits for the new task.
      const third = new ManualTask(2, tracker);
      pool.submit(third);
      let idleAgain = false;
      const idle = pool.onIdle().then(() => {
        idleAgain = true;
      });
      await flush();
      assert.equal(idleAgain, false);
      third.finish();
      await idle;
      assert.equal(idleAgain, true);
    });
  });

  describe("stats", () => {
    it("counts busy, queued, completed and rejected tasks", () => {
      const tracker = new Tracker();
      const pool = new WorkerPool({ size: 2, maxQueued: 1 });
      const tasks = [0, 1, 2].map((id) => new ManualTask(id, tracker));
      for (const task of tasks) pool.submit(task);
      pool.submit(new ManualTask(3, tracker));
      pool.submit(new ManualTask(4, tracker));
      assert.deepEqual(pick(pool.stats()), { busy: 2, queued: 1, completed: 0, rejected: 2 });
      tasks[0]!.finish();
      assert.deepEqual(pick(pool.stats()), { busy: 2, queued: 0, completed: 1, rejected: 2 });
      tasks[1]!.finish();
      tasks[2]!.finish();
      assert.deepEqual(pick(pool.stats()), { busy: 0, queued: 0, completed: 3, rejected: 2 });
    });

    it("measures queue wait with the injected clock, counting only tasks that had to wait", () => {
      let clock = 100;
      const tracker = new Tracker();
      const pool = new WorkerPool({ size: 1, now: () => clock });
      const direct = new ManualTask(0, tracker);
      const early = new ManualTask(1, tracker);
      const late = new ManualTask(2, tracker);
      pool.submit(direct);
      assert.deepEqual(waits(pool), { waited: 0, meanWaitMs: 0, maxWaitMs: 0 });
      pool.submit(early); // queued at 100
      clock = 104;
      pool.submit(late); // queued at 104
      clock = 110;
      direct.finish(); // early starts after 10 ms
      clock = 116;
      early.finish(); // late starts after 12 ms
      assert.deepEqual(waits(pool), { waited: 2, meanWaitMs: 11, maxWaitMs: 12 });
      late.finish();
      assert.deepEqual(waits(pool), { waited: 2, meanWaitMs: 11, maxWaitMs: 12 });
    });
  });

  it("runs a task that completes synchronously inside run within submit, leaving the worker free", () => {
    const tracker = new Tracker();
    const pool = new WorkerPool({ size: 1, maxQueued: 0 });
    for (let id = 0; id < 3; id++) assert.equal(pool.submit(new ManualTask(id, tracker, "sync")), null);
    assert.deepEqual(pick(pool.stats()), { busy: 0, queued: 0, completed: 3, rejected: 0 });
  });

  it("drains 100,000 queued tasks that complete synchronously without growing the stack", () => {
    const tracker = new Tracker();
    const errors: unknown[] = [];
    const count = 100_000;
    const pool = new WorkerPool({ size: 1, maxQueued: count, onTaskError: (error) => errors.push(error) });
    const blocker = new ManualTask(-1, tracker);
    pool.submit(blocker);
    for (let id = 0; id < count; id++) pool.submit(new ManualTask(id, tracker, "sync"));
    assert.equal(pool.queued, count);
    // Each task calls done inside run, inside the drain: recursion would overflow long before the end.
    blocker.finish();
    assert.deepEqual(errors, []);
    assert.deepEqual(pick(pool.stats()), { busy: 0, queued: 0, completed: count + 1, rejected: 0 });
    assert.equal(tracker.started.length, count + 1);
    assert.ok(tracker.started.every((id, i) => id === i - 1));
  });

  it("queues a task submitted from inside another task's run behind the tasks already waiting", () => {
    const tracker = new Tracker();
    const pool = new WorkerPool({ size: 1 });
    const blocker = new ManualTask(0, tracker);
    const spawned = new ManualTask(3, tracker, "sync");
    const spawner: PoolTask = {
      run(done) {
        tracker.started.push(1);
        done();
        // The worker is free again, but task 2 is older than the one submitted here.
        pool.submit(spawned);
      },
    };
    pool.submit(blocker);
    pool.submit(spawner);
    pool.submit(new ManualTask(2, tracker, "sync"));
    blocker.finish();
    assert.deepEqual(tracker.started, [0, 1, 2, 3]);
    assert.equal(pool.stats().completed, 4);
  });

  describe("a task that throws", () => {
    it("frees its worker, reports the error, and lets the next task run (started directly)", () => {
      const tracker = new Tracker();
      const errors: unknown[] = [];
      const pool = new WorkerPool({ size: 1, maxQueued: 0, onTaskError: (error) => errors.push(error) });
      assert.equal(pool.submit(new ManualTask(0, tracker, "throws")), null);
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /task 0 failed/);
      assert.equal(pool.busy, 0);
      // With maxQueued 0 this would be refused if the worker were still held.
      assert.equal(pool.submit(new ManualTask(1, tracker, "sync")), null);
    });

    it("frees its worker, reports the error, and lets the next task run (started from the queue)", async () => {
      const tracker = new Tracker();
      const errors: unknown[] = [];
      const pool = new WorkerPool({ size: 1, onTaskError: (error) => errors.push(error) });
      const blocker = new ManualTask(0, tracker);
      const after = new ManualTask(2, tracker);
      pool.submit(blocker);
      pool.submit(new ManualTask(1, tracker, "throws"));
      pool.submit(after);
      blocker.finish();
      assert.equal(errors.length, 1);
      assert.deepEqual(tracker.started, [0, 1, 2]);
      assert.equal(after.running, true);
      after.finish();
      await pool.onIdle();
      assert.equal(pool.stats().completed, 3);
    });

    it("is logged with console.error when no onTaskError is given", (t) => {
      const logged = t.mock.method(console, "error", () => {});
      const pool = new WorkerPool({ size: 1 });
      pool.submit(new ManualTask(0, new Tracker(), "throws"));
      assert.equal(logged.mock.callCount(), 1);
      assert.equal(logged.mock.calls[0]?.arguments[0], "WorkerPool: a task threw");
      assert.equal(pool.busy, 0);
    });

    it("after calling done is counted once, so the pool still caps tasks in progress at size", () => {
      const tracker = new Tracker();
      const pool = new WorkerPool({ size: 1, onTaskError: () => {} });
      const doneThenThrow: PoolTask = {
        run(done) {
          done();
          throw new Error("bug after done");
        },
      };
      pool.submit(doneThenThrow);
      assert.equal(pool.busy, 0);
      pool.submit(new ManualTask(0, tracker));
      pool.submit(new ManualTask(1, tracker));
      assert.equal(tracker.maxInProgress, 1, "two tasks in progress in a pool of size 1");
    });

    it("is told apart per task when runs nest: a done that starts a task that throws, then a throw", () => {
      const errors: unknown[] = [];
      const pool = new WorkerPool({ size: 1, onTaskError: (error) => errors.push(error) });
      const throwsBeforeDone: PoolTask = {
        run() {
          throw new Error("before done");
        },
      };
      const outer: PoolTask = {
        run(done) {
          assert.equal(pool.submit(throwsBeforeDone), null); // queued: the one worker is this task's
          done(); // frees the worker: the queued task runs (and throws) inside this call
          throw new Error("after done");
        },
      };
      pool.submit(outer);
      assert.deepEqual(
        errors.map((error) => (error as Error).message),
        ["before done", "after done"],
      );
      assert.equal(pool.busy, 0);
      assert.equal(pool.stats().completed, 2);
      const tracker = new Tracker();
      pool.submit(new ManualTask(0, tracker));
      pool.submit(new ManualTask(1, tracker));
      assert.equal(tracker.maxInProgress, 1);
    });
  });
});

function pick(stats: ReturnType<WorkerPool["stats"]>) {
  return { busy: stats.busy, queued: stats.queued, completed: stats.completed, rejected: stats.rejected };
}

function waits(pool: WorkerPool) {
  const { waited, meanWaitMs, maxWaitMs } = pool.stats();
  return { waited, meanWaitMs, maxWaitMs };
}
