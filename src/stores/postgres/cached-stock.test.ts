import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CachedStock } from "./cached-stock.js";
import type { Stocked } from "./statements.js";

const at = (version: number, stock: number): Stocked => ({ stock, priceCents: 100, version });

/** A database read that answers `value` and counts itself. */
function reader(value: () => Stocked | undefined): {
  read: () => Promise<Stocked | undefined>;
  reads: number;
} {
  const counted = {
    reads: 0,
    read: async () => {
      counted.reads++;
      return value();
    },
  };
  return counted;
}

describe("CachedStock", () => {
  it("is not served, and keeps nothing, until the store listens", async () => {
    const cache = new CachedStock(4);
    const db = reader(() => at(1, 5));
    const told: boolean[] = [];
    cache.onLookup = (hit) => told.push(hit);
    assert.deepEqual(await cache.lookup("a", db.read), at(1, 5));
    assert.deepEqual(await cache.lookup("a", db.read), at(1, 5));
    assert.equal(db.reads, 2);
    assert.equal(cache.entries, 0);
    cache.resync();
    await cache.lookup("a", db.read);
    assert.deepEqual(cache.lookup("a", db.read), at(1, 5), "a hit answers at once");
    assert.equal(db.reads, 3);
    assert.deepEqual(told, [false, false, false, true]);
  });

  it("goes to the database while down, and starts empty once listening again", async () => {
    let stock = 5;
    const db = reader(() => at(10 - stock, stock));
    const cache = new CachedStock(4);
    cache.resync();
    await cache.lookup("a", db.read);
    cache.down();
    assert.equal(cache.serving, false);
    assert.equal(cache.entries, 0);
    stock = 3; // a change whose announcement was lost
    assert.deepEqual(await cache.lookup("a", db.read), at(7, 3));
    cache.change({ key: "a", ...at(9, 1) }); // heard while down: nothing held to update
    cache.resync();
    assert.equal(cache.entries, 0);
    assert.deepEqual(await cache.lookup("a", db.read), at(7, 3));
    assert.equal(db.reads, 3);
  });

  it("a fill in flight when the connection is lost stores nothing", async () => {
    const cache = new CachedStock(4);
    cache.resync();
    let answer: (value: Stocked) => void = () => {};
    const pending = cache.lookup("a", () => new Promise<Stocked>((resolve) => (answer = resolve)));
    cache.down();
    cache.resync();
    answer(at(1, 5));
    assert.deepEqual(await pending, at(1, 5));
    assert.equal(cache.entries, 0);
  });

  it("applies its own changes and announcements only to newer versions", async () => {
    const cache = new CachedStock(4);
    cache.resync();
    await cache.lookup("a", async () => at(3, 7));
    cache.changed("a", at(2, 8));
    assert.deepEqual(
      cache.lookup("a", async () => undefined),
      at(3, 7),
    );
    cache.changed("a", at(4, 6));
    cache.change({ key: "a", ...at(4, 6) });
    assert.deepEqual(
      cache.lookup("a", async () => undefined),
      at(4, 6),
    );
    cache.changed("a", undefined);
    assert.equal(cache.entries, 1);
  });
});
