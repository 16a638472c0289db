// Tests for Mutex beyond the shared SectionLock suite: its counters, hand-over without barging,
// the `shared` flag being ignored, and runExclusive.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertFailedSectionsRelease, type RunUnderLock } from "./lock-test-helpers.js";
import { Mutex } from "./mutex.js";

/** Runs every pending microtask (and whatever they queue), then returns. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("Mutex", () => {
  it("starts unlocked with nobody waiting", () => {
    const mutex = new Mutex();
    assert.equal(mutex.kind, "mutex");
    assert.equal(mutex.locked, false);
    assert.equal(mutex.waiting, 0);
  });

  it("reports itself locked while held and counts its waiters", async () => {
    const mutex = new Mutex();
    await mutex.acquire();
    assert.equal(mutex.locked, true);
    const second = mutex.acquire();
    const third = mutex.acquire();
    assert.equal(mutex.waiting, 2);
    mutex.release();
    await second;
    assert.equal(mutex.locked, true, "handed over to the second request");
    assert.equal(mutex.waiting, 1);
    mutex.release();
    await third;
    assert.equal(mutex.waiting, 0);
    mutex.release();
    assert.equal(mutex.locked, false);
  });

  it("fails tryAcquire while held, and while waiters exist even right after a release", () => {
    const mutex = new Mutex();
    assert.equal(mutex.tryAcquire(), true);
    assert.equal(mutex.tryAcquire(), false, "held");
    const waiter = mutex.acquire();
    assert.equal(mutex.tryAcquire(), false, "held with a waiter");
    mutex.release();
    // The waiter has not run yet, but the lock is already its own.
    assert.equal(mutex.tryAcquire(), false, "handed over to the waiter");
    assert.equal(mutex.locked, true);
    return waiter.then(() => mutex.release());
  });

  it("throws when released while unlocked, and the failed release changes nothing", async () => {
    const mutex = new Mutex();
    assert.throws(() => mutex.release(), {
      name: "Error",
      message: "Mutex.release: the mutex is not locked",
    });
    assert.equal(mutex.locked, false);
    await mutex.acquire();
    mutex.release();
    assert.throws(() => mutex.release(), /not locked/);
    assert.equal(mutex.tryAcquire(), true);
  });

  it("ignores the shared flag: two shared requests still exclude each other", async () => {
    const mutex = new Mutex();
    assert.equal(mutex.tryAcquire(true), true);
    assert.equal(mutex.tryAcquire(true), false);
    let secondEntered = false;
    const second = mutex.acquire(true).then(() => {
      secondEntered = true;
    });
    await flush();
    assert.equal(secondEntered, false);
    mutex.release(true);
    await second;
    assert.equal(secondEntered, true);
    mutex.release(true);
    assert.equal(mutex.locked, false);
  });

  describe("runExclusive", () => {
    it("returns the function's value, synchronous or awaited, and leaves the mutex free", async () => {
      const mutex = new Mutex();
      assert.equal(await mutex.runExclusive(() => 7), 7);
      assert.equal(await mutex.runExclusive(async () => "done"), "done");
      assert.equal(mutex.locked, false);
    });

    it("releases the mutex when the function throws", async () => {
      const mutex = new Mutex();
      const run: RunUnderLock = (section) => mutex.runExclusive(section);
      await assertFailedSectionsRelease(run, run, () => assert.equal(mutex.locked, false));
    });

    it("passes the mutex on to the next waiter after a throw", async () => {
      const mutex = new Mutex();
      const order: string[] = [];
      const failing = mutex.runExclusive(async () => {
        order.push("failing");
        await flush();
        throw new Error("boom");
      });
      const next = mutex.runExclusive(() => {
        order.push("next");
        return "ran";
      });
      await assert.rejects(failing, /boom/);
      assert.equal(await next, "ran");
      assert.deepEqual(order, ["failing", "next"]);
      assert.equal(mutex.locked, false);
    });

    it("runs functions one at a time, in call order, across awaits", async () => {
      const mutex = new Mutex();
      let inside = 0;
      let maxInside = 0;
      const order: number[] = [];
      await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          mutex.runExclusive(async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            order.push(n);
            await flush();
            inside--;
          }),
        ),
      );
      assert.equal(maxInside, 1);
      assert.deepEqual(
        order,
        Array.from({ length: 10 }, (_, n) => n),
      );
    });
  });
});
