// Tests for RwLock's read-write policy, scenario by scenario: readers share, a writer holds alone,
// a queued writer stops new readers, neither side starves, and readers behind a writer enter as one
// batch. The random mixes are in section-lock.test.ts.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertFailedSectionsRelease } from "./lock-test-helpers.js";
import { RwLock } from "./rw-lock.js";

/** Runs every pending microtask (and whatever they queue), then returns. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function flushTimes(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await flush();
}

/** Takes the lock, records the entry, holds it for `turns` macrotask turns, releases. */
async function hold(
  lock: RwLock,
  shared: boolean,
  name: string,
  turns: number,
  log: string[],
): Promise<void> {
  await lock.acquire(shared);
  log.push(name);
  await flushTimes(turns);
  lock.release(shared);
}

describe("RwLock", () => {
  it("starts free, with no readers, no writer and nobody waiting", () => {
    const lock = new RwLock();
    assert.equal(lock.kind, "rwlock");
    assert.equal(lock.readers, 0);
    assert.equal(lock.writing, false);
    assert.equal(lock.waiting, 0);
  });

  it("lets any number of readers hold the lock at once", async () => {
    const lock = new RwLock();
    await Promise.all(Array.from({ length: 8 }, () => lock.acquire(true)));
    assert.equal(lock.readers, 8);
    assert.equal(lock.tryAcquire(true), true, "one more reader joins at once");
    assert.equal(lock.readers, 9);
    assert.equal(lock.waiting, 0);
    for (let i = 0; i < 9; i++) lock.release(true);
    assert.equal(lock.readers, 0);
  });

  it("keeps readers overlapping when they hold the lock across awaits", async () => {
    const lock = new RwLock();
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        lock.withRead(async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await flush();
          inside--;
        }),
      ),
    );
    assert.equal(maxInside, 6);
  });

  it("makes a writer wait for every reader inside, then hold the lock alone", async () => {
    const lock = new RwLock();
    for (let i = 0; i < 3; i++) assert.equal(lock.tryAcquire(true), true);
    assert.equal(lock.tryAcquire(false), false, "readers hold");
    let writerIn = false;
    const writer = lock.acquire(false).then(() => {
      writerIn = true;
    });
    lock.release(true);
    lock.release(true);
    await flush();
    assert.equal(writerIn, false, "one reader is still inside");
    lock.release(true);
    await writer;
    assert.equal(lock.writing, true);
    assert.equal(lock.readers, 0);
    assert.equal(lock.tryAcquire(true), false, "no reader beside a writer");
    assert.equal(lock.tryAcquire(false), false, "no second writer");
    lock.release(false);
    assert.equal(lock.writing, false);
  });

  it("lets no reader or writer in while a writer holds, and lets them in after it leaves", async () => {
    const lock = new RwLock();
    const log: string[] = [];
    await lock.acquire(false);
    const others = [hold(lock, true, "reader", 0, log), hold(lock, false, "writer", 0, log)];
    await flushTimes(3);
    assert.deepEqual(log, []);
    assert.equal(lock.waiting, 2);
    lock.release(false);
    await Promise.all(others);
    assert.deepEqual(log, ["reader", "writer"]);
  });

  it("stops new readers once a writer waits: tryAcquire(true) fails and acquire(true) queues behind it", async () => {
    const lock = new RwLock();
    const log: string[] = [];
    lock.tryAcquire(true);
    lock.tryAcquire(true);
    const writer = hold(lock, false, "writer", 1, log);
    assert.equal(lock.waiting, 1);
    assert.equal(lock.tryAcquire(true), false, "a writer is waiting");
    const lateReader = hold(lock, true, "late reader", 0, log);
    await flush();
    assert.deepEqual(log, [], "the late reader did not join the readers inside");
    assert.equal(lock.readers, 2);
    lock.release(true);
    lock.release(true);
    await Promise.all([writer, lateReader]);
    assert.deepEqual(log, ["writer", "late reader"]);
  });

  it("grants every reader queued behind a writer together, up to the next queued writer", async () => {
    const lock = new RwLock();
    await lock.acquire(false);
    const entered: string[] = [];
    const enter = (name: string, shared: boolean) =>
      lock.acquire(shared).then(() => {
        entered.push(name);
      });
    const waits = [
      enter("r1", true),
      enter("r2", true),
      enter("r3", true),
      enter("r4", true),
      enter("w2", false),
      enter("r5", true),
    ];
    lock.release(false);
    // The whole batch is granted inside the one release call, before any of them has run.
    assert.equal(lock.readers, 4);
    assert.equal(lock.waiting, 2);
    await Promise.all(waits.slice(0, 4));
    assert.deepEqual(entered, ["r1", "r2", "r3", "r4"]);
    for (let i = 0; i < 3; i++) lock.release(true);
    await flush();
    assert.deepEqual(entered, ["r1", "r2", "r3", "r4"], "w2 waits for the last reader of the batch");
    lock.release(true);
    await waits[4];
    assert.deepEqual(entered, ["r1", "r2", "r3", "r4", "w2"]);
    assert.equal(lock.waiting, 1, "r5 waits behind w2");
    lock.release(false);
    await waits[5];
    assert.deepEqual(entered, ["r1", "r2", "r3", "r4", "w2", "r5"]);
    lock.release(true);
    assert.equal(lock.readers, 0);
  });

  it("does not starve a writer under a continuous stream of overlapping readers", async () => {
    const lock = new RwLock();
    const log: string[] = [];
    const initial = [
      hold(lock, true, "r0", 2, log),
      hold(lock, true, "r1", 3, log),
      hold(lock, true, "r2", 4, log),
    ];
    await flush();
    const writer = hold(lock, false, "writer", 1, log);
    // A new reader every turn, each holding for two turns: the read lock would never fall free if
    // arriving readers could join the ones inside.
    const stream: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      stream.push(hold(lock, true, `s${i}`, 2, log));
      await flush();
    }
    await Promise.all([...initial, writer, ...stream]);
    assert.deepEqual(log.slice(0, 4), ["r0", "r1", "r2", "writer"]);
    assert.equal(log.length, 54);
  });

  it("does not starve a reader under a continuous stream of writers", async () => {
    const lock = new RwLock();
    const log: string[] = [];
    const first = hold(lock, false, "w0", 1, log);
    const reader = hold(lock, true, "reader", 1, log);
    const writers = Array.from({ length: 20 }, (_, i) => hold(lock, false, `w${i + 1}`, 1, log));
    await Promise.all([first, reader, ...writers]);
    assert.deepEqual(log, ["w0", "reader", ...Array.from({ length: 20 }, (_, i) => `w${i + 1}`)]);
  });

  it("lets readers interleaved with writers in at their turn: each reader right after the writer ahead of it", async () => {
    const lock = new RwLock();
    const log: string[] = [];
    const names = ["w0", "r0", "w1", "r1", "r2", "w2", "r3"];
    await Promise.all(names.map((name) => hold(lock, name.startsWith("r"), name, 1, log)));
    assert.deepEqual(log, names);
  });

  describe("release", () => {
    it("throws for a read lock nobody holds, and for a write lock nobody holds", () => {
      const lock = new RwLock();
      assert.throws(() => lock.release(true), { message: "RwLock.release: no read lock is held" });
      assert.throws(() => lock.release(false), { message: "RwLock.release: no write lock is held" });
    });

    it("throws when a read release is attempted while a writer holds, and the writer keeps the lock", () => {
      const lock = new RwLock();
      lock.tryAcquire(false);
      assert.throws(() => lock.release(true), /no read lock/);
      assert.equal(lock.writing, true);
      assert.equal(lock.tryAcquire(true), false);
    });

    it("throws when a write release is attempted while readers hold, and the readers keep the lock", () => {
      const lock = new RwLock();
      lock.tryAcquire(true);
      lock.tryAcquire(true);
      assert.throws(() => lock.release(false), /no write lock/);
      assert.equal(lock.readers, 2);
      assert.equal(lock.tryAcquire(false), false);
    });
  });

  describe("withRead and withWrite", () => {
    it("return the function's value and leave the lock free", async () => {
      const lock = new RwLock();
      assert.equal(await lock.withRead(() => 1), 1);
      assert.equal(await lock.withWrite(async () => 2), 2);
      assert.equal(lock.readers, 0);
      assert.equal(lock.writing, false);
    });

    it("release the lock when the function throws, synchronously or not", async () => {
      const lock = new RwLock();
      await assertFailedSectionsRelease(
        (section) => lock.withRead(section),
        (section) => lock.withWrite(section),
        () => {
          assert.equal(lock.readers, 0);
          assert.equal(lock.writing, false);
        },
      );
      assert.equal(lock.tryAcquire(false), true);
    });

    it("keep a writer's section apart from readers' sections", async () => {
      const lock = new RwLock();
      const log: string[] = [];
      const section = (name: string) => async () => {
        log.push(`${name} in`);
        await flush();
        log.push(`${name} out`);
      };
      await Promise.all([
        lock.withRead(section("r1")),
        lock.withRead(section("r2")),
        lock.withWrite(section("w")),
        lock.withRead(section("r3")),
      ]);
      assert.deepEqual(log, ["r1 in", "r2 in", "r1 out", "r2 out", "w in", "w out", "r3 in", "r3 out"]);
    });
  });
});
