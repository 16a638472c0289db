// The lock policies by key: one lock for every key (mutex, rwlock), a lock per
// key that exists only while used (per-toy), and none (atomic).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLockPolicy } from "./lock-policy.js";

describe("lock policies", () => {
  it("mutex and rwlock: one lock whatever the key", () => {
    for (const kind of ["mutex", "rwlock"] as const) {
      const locks = createLockPolicy(kind);
      assert.equal(locks.keyed, false);
      assert.equal(locks.tryAcquire("a", false), true);
      assert.equal(locks.tryAcquire("b", false), false, `${kind}: another key waits too`);
      locks.release("a", false);
      assert.equal(locks.tryAcquire("b", false), true);
    }
  });

  it("per-toy: different keys never wait for each other; one key is a read-write lock", async () => {
    const locks = createLockPolicy("per-toy");
    assert.equal(locks.keyed, true);
    assert.equal(locks.tryAcquire("robot", false), true);
    assert.equal(locks.tryAcquire("kite", false), true);
    assert.equal(locks.tryAcquire("robot", true), false, "a reader waits for the writer of its toy");
    const order: string[] = [];
    const reader = locks.acquire("robot", true).then(() => order.push("reader"));
    locks.release("robot", false);
    await reader;
    assert.equal(locks.tryAcquire("robot", true), true, "readers share");
    assert.deepEqual(order, ["reader"]);
  });

  it("per-toy: a key's lock is gone once nobody holds or awaits it, so made-up names cannot grow the map", async () => {
    const locks = createLockPolicy("per-toy") as ReturnType<typeof createLockPolicy> & {
      readonly size: number;
    };
    const keys = Array.from({ length: 500 }, (_, i) => `made-up ${i}`);
    await Promise.all(keys.map((key) => locks.acquire(key, false)));
    const queued = keys.map((key) => locks.acquire(key, true));
    assert.equal(locks.size, 500);
    for (const key of keys) locks.release(key, false);
    await Promise.all(queued);
    for (const key of keys) locks.release(key, true);
    assert.equal(locks.size, 0);
    assert.throws(() => locks.release("never held", false), /not held/);
  });

  it("atomic: takes no lock at all", async () => {
    const locks = createLockPolicy("atomic");
    assert.equal(locks.tryAcquire("robot", false), true);
    assert.equal(locks.tryAcquire("robot", false), true);
    await locks.acquire("robot", false);
    locks.release("robot", false);
  });
});
