// One suite for every SectionLock (Mutex and RwLock), in the manner of async-mutex's semaphoreSuite:
// exclusive requests exclude everything, requests are granted in arrival order, and a fast-check
// property drives random request mixes through a deterministic scheduler and checks the policy at
// every step.
//
// The scheduler counts time in steps, not milliseconds: a step wakes the holders whose hold has
// ended (they release), lets every microtask run, admits the requests arriving at that step, and
// lets every microtask run again. "Let every microtask run" is one macrotask turn (setImmediate),
// so a run is deterministic and never reads a clock.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Mutex } from "./mutex.js";
import { RwLock } from "./rw-lock.js";
import type { SectionLock } from "./section-lock.js";

/** Runs every pending microtask (and whatever they queue), then returns. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What the suite may read of a lock's own state, the same shape for both implementations. */
interface LockView {
  readonly readers: number;
  readonly writing: boolean;
  readonly waiting: number;
}

interface Implementation<L extends SectionLock> {
  readonly name: string;
  create(): L;
  /** False when the lock treats shared requests as exclusive (the Mutex). */
  readonly sharesReaders: boolean;
  /** The lock's state as it reports it; omitted for the deliberately broken locks below. */
  view?(lock: L): LockView;
}

const mutexImplementation: Implementation<Mutex> = {
  name: "Mutex",
  create: () => new Mutex(),
  sharesReaders: false,
  view: (lock) => ({ readers: 0, writing: lock.locked, waiting: lock.waiting }),
};

const rwLockImplementation: Implementation<RwLock> = {
  name: "RwLock",
  create: () => new RwLock(),
  sharesReaders: true,
  view: (lock) => ({ readers: lock.readers, writing: lock.writing, waiting: lock.waiting }),
};

/** One request in a simulation: its mode, the step it arrives at, and how many steps it holds. */
interface Request {
  readonly shared: boolean;
  readonly arriveAt: number;
  readonly holdSteps: number;
}

const requestsArb: fc.Arbitrary<Request[]> = fc.array(
  fc.record({
    shared: fc.boolean(),
    arriveAt: fc.integer({ min: 0, max: 12 }),
    // Zero means the holder releases in the same microtask run as it enters.
    holdSteps: fc.integer({ min: 0, max: 4 }),
  }),
  { minLength: 1, maxLength: 25 },
);

/**
 * Plays the requests against a fresh lock and throws at the first step where the policy is broken:
 * - an exclusive holder is alone; a shared holder is never beside an exclusive one;
 * - requests are granted in arrival order (both locks are FIFO, readers included);
 * - the lock is work-conserving for its policy: after every step, the oldest waiter is blocked by a
 *   holder it conflicts with (an exclusive waiter by any holder, a shared one by an exclusive
 *   holder), so no request waits without cause and a reader joins readers unless a writer waits;
 * - every request is eventually granted and released (no deadlock, no starvation);
 * - the lock's own counters agree with what the holders observe.
 */
async function simulate<L extends SectionLock>(impl: Implementation<L>, requests: readonly Request[]) {
  const lock = impl.create();
  const byArrival = [...requests].sort((a, b) => a.arriveAt - b.arriveAt);
  const wakeups = new Map<number, (() => void)[]>();
  const waiting: { readonly id: number; readonly exclusive: boolean }[] = [];
  const granted: number[] = [];
  const violations: string[] = [];
  let now = 0;
  let readers = 0;
  let writers = 0;
  let finished = 0;

  const sleepUntil = (step: number): Promise<void> =>
    new Promise((resolve) => {
      const list = wakeups.get(step) ?? [];
      list.push(resolve);
      wakeups.set(step, list);
    });

  const act = async (id: number, request: Request): Promise<void> => {
    const exclusive = !request.shared || !impl.sharesReaders;
    waiting.push({ id, exclusive });
    await lock.acquire(request.shared);
    const head = waiting.shift();
    if (head?.id !== id) violations.push(`step ${now}: request ${id} was granted before request ${head?.id}`);
    if (exclusive && readers + writers > 0) {
      violations.push(
        `step ${now}: exclusive request ${id} entered beside ${readers} readers, ${writers} writers`,
      );
    }
    if (!exclusive && writers > 0) violations.push(`step ${now}: reader ${id} entered while a writer holds`);
    if (exclusive) writers++;
    else readers++;
    granted.push(id);
    if (request.holdSteps > 0) await sleepUntil(now + request.holdSteps);
    if (exclusive) writers--;
    else readers--;
    lock.release(request.shared);
    finished++;
  };

  const lastArrival = byArrival.at(-1)?.arriveAt ?? 0;
  // Generous: even fully serialized, the run ends by then. Passing it means a request never got in.
  const horizon = lastArrival + requests.reduce((sum, r) => sum + r.holdSteps + 1, 0) + 2;
  let next = 0;
  for (now = 0; finished < byArrival.length; now++) {
    assert.ok(now <= horizon, `requests still unserved at step ${now}: ${JSON.stringify(waiting)}`);
    for (const wake of wakeups.get(now) ?? []) wake();
    wakeups.delete(now);
    await flush();
    while (next < byArrival.length && byArrival[next]!.arriveAt === now) {
      const id = next++;
      act(id, byArrival[id]!).catch((error: unknown) => violations.push(`request ${id} failed: ${error}`));
    }
    await flush();

    assert.deepEqual(violations, []);
    const head = waiting[0];
    if (head !== undefined) {
      const blocked = head.exclusive ? readers + writers > 0 : writers > 0;
      assert.ok(blocked, `step ${now}: request ${head.id} waits on a lock it could take`);
    }
    if (impl.view !== undefined) {
      const expected = impl.sharesReaders
        ? { readers, writing: writers > 0, waiting: waiting.length }
        : { readers: 0, writing: writers > 0, waiting: waiting.length };
      assert.deepEqual(impl.view(lock), expected, `step ${now}: the lock's counters disagree`);
    }
  }
  assert.deepEqual(
    granted,
    byArrival.map((_, id) => id),
  );
}

function describeSectionLock<L extends SectionLock>(impl: Implementation<L>): void {
  describe(`${impl.name} as a SectionLock`, () => {
    it("grants an exclusive request on a free lock at once, and refuses a second one", () => {
      const lock = impl.create();
      assert.equal(lock.tryAcquire(false), true);
      assert.equal(lock.tryAcquire(false), false);
      assert.equal(lock.tryAcquire(true), false);
      lock.release(false);
      assert.equal(lock.tryAcquire(false), true);
    });

    it("throws when an exclusive hold is released that was never taken, and stays usable", () => {
      const lock = impl.create();
      assert.throws(() => lock.release(false), /not locked|no write lock/);
      assert.equal(lock.tryAcquire(false), true);
    });

    it("keeps exclusive holders alone across awaits", async () => {
      const lock = impl.create();
      let holders = 0;
      let maxHolders = 0;
      let runs = 0;
      const critical = async (turns: number): Promise<void> => {
        await lock.acquire(false);
        holders++;
        maxHolders = Math.max(maxHolders, holders);
        // The critical section spans macrotask turns, which is what a lock exists for.
        for (let i = 0; i < turns; i++) await flush();
        holders--;
        runs++;
        lock.release(false);
      };
      await Promise.all(Array.from({ length: 20 }, (_, i) => critical(i % 3)));
      assert.equal(maxHolders, 1);
      assert.equal(runs, 20);
      assert.equal(lock.tryAcquire(false), true, "the lock is free after the last release");
    });

    it("serves exclusive waiters in arrival order", async () => {
      const lock = impl.create();
      await lock.acquire(false);
      const order: number[] = [];
      const waiters = [0, 1, 2, 3, 4].map((n) =>
        lock.acquire(false).then(() => {
          order.push(n);
          lock.release(false);
        }),
      );
      await flush();
      assert.deepEqual(order, [], "nobody enters while the first holder holds");
      lock.release(false);
      await Promise.all(waiters);
      assert.deepEqual(order, [0, 1, 2, 3, 4]);
    });

    it("hands the lock to the oldest waiter on release, so tryAcquire cannot barge in", async () => {
      const lock = impl.create();
      assert.equal(lock.tryAcquire(false), true);
      let waiterEntered = false;
      const waiter = lock.acquire(false).then(() => {
        waiterEntered = true;
      });
      assert.equal(lock.tryAcquire(false), false, "a waiter exists");
      lock.release(false);
      // Released, but already promised to the waiter, whose continuation has not run yet.
      assert.equal(lock.tryAcquire(false), false);
      assert.equal(lock.tryAcquire(true), false);
      await waiter;
      assert.equal(waiterEntered, true);
      lock.release(false);
      assert.equal(lock.tryAcquire(false), true);
    });

    it("follows its policy for any mix of requests, arrivals and holding times", async () => {
      await fc.assert(
        fc.asyncProperty(requestsArb, (requests) => simulate(impl, requests)),
        { numRuns: 150 },
      );
    });
  });
}

describeSectionLock(mutexImplementation);
describeSectionLock(rwLockImplementation);

/** A naive read-write lock that admits readers whenever no writer holds: writers can starve. */
class ReaderPreferringLock implements SectionLock {
  readonly kind = "rwlock" as const;
  #readers = 0;
  #writer = false;
  readonly #waiters: { shared: boolean; grant: () => void }[] = [];

  tryAcquire(shared: boolean): boolean {
    if (this.#writer) return false;
    if (shared) {
      this.#readers++;
      return true;
    }
    if (this.#readers > 0 || this.#waiters.length > 0) return false;
    this.#writer = true;
    return true;
  }

  acquire(shared: boolean): Promise<void> {
    if (this.tryAcquire(shared)) return Promise.resolve();
    return new Promise((grant) => this.#waiters.push({ shared, grant }));
  }

  release(shared: boolean): void {
    if (shared) this.#readers--;
    else this.#writer = false;
    while (this.#waiters.length > 0 && !this.#writer) {
      const head = this.#waiters[0]!;
      if (!head.shared && this.#readers > 0) return;
      this.#waiters.shift();
      if (head.shared) this.#readers++;
      else this.#writer = true;
      head.grant();
    }
  }
}

/** No lock at all: every request is granted at once. */
const noLock: SectionLock = {
  kind: "mutex",
  tryAcquire: () => true,
  acquire: () => Promise.resolve(),
  release: () => {},
};

describe("the SectionLock simulation", () => {
  it("catches a lock that lets readers overtake a queued writer", async () => {
    const result = await fc.check(
      fc.asyncProperty(requestsArb, (requests) =>
        simulate(
          { name: "reader-preferring", create: () => new ReaderPreferringLock(), sharesReaders: true },
          requests,
        ),
      ),
      { numRuns: 300 },
    );
    assert.equal(result.failed, true);
    assert.match(String(result.errorInstance), /granted before request/);
  });

  it("catches a lock that does not exclude", async () => {
    const result = await fc.check(
      fc.asyncProperty(requestsArb, (requests) =>
        simulate({ name: "no lock", create: () => noLock, sharesReaders: true }, requests),
      ),
      { numRuns: 300 },
    );
    assert.equal(result.failed, true);
    assert.match(String(result.errorInstance), /entered beside|entered while a writer holds/);
  });
});
