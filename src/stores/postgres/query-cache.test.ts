import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type CachedStock, QueryCache } from "./query-cache.js";

const at = (version: number, stock = 10 - version): CachedStock => ({ stock, priceCents: 100, version });

/** Fills `key` with `value` as a read would: begun, then ended. */
function fill(cache: QueryCache, key: string, value: CachedStock): void {
  cache.endFill(cache.beginFill(key), value);
}

describe("QueryCache", () => {
  it("refuses a capacity below 1", () => {
    assert.throws(() => new QueryCache(0), RangeError);
    assert.throws(() => new QueryCache(1.5), RangeError);
  });

  it("holds at most its capacity, the least recently used out first", () => {
    const cache = new QueryCache(2);
    fill(cache, "a", at(1));
    fill(cache, "b", at(1));
    assert.deepEqual(cache.get("a"), at(1)); // a is now the most recently used
    fill(cache, "c", at(1));
    assert.deepEqual([...cache.keys()], ["a", "c"]);
    assert.equal(cache.get("b"), undefined);
    assert.equal(cache.size, 2);
  });

  it("moves an entry only to a newer version; a change is not a use", () => {
    const cache = new QueryCache(2);
    fill(cache, "a", at(3));
    fill(cache, "b", at(1));
    cache.apply("a", at(2));
    assert.deepEqual(cache.peek("a"), at(3), "an older change is ignored");
    cache.apply("a", at(5));
    assert.deepEqual(cache.peek("a"), at(5));
    fill(cache, "c", at(1));
    assert.equal(cache.peek("a"), undefined, "a was changed, not used: it went first");
  });

  it("leaves out a change of a key it does not hold", () => {
    const cache = new QueryCache(4);
    cache.apply("a", at(1));
    assert.equal(cache.size, 0);
  });

  it("a fill that raced a newer announcement stores the announcement", () => {
    const cache = new QueryCache(4);
    const begun = cache.beginFill("a");
    cache.apply("a", at(8)); // committed after the read's snapshot, received before its answer
    cache.endFill(begun, at(7));
    assert.deepEqual(cache.peek("a"), at(8));
    assert.equal(cache.filling, 0, "the note goes with the fill");
  });

  it("a fill newer than the announcement it raced stores the fill; an older fill never overwrites an entry", () => {
    const cache = new QueryCache(4);
    const first = cache.beginFill("a");
    const second = cache.beginFill("a");
    cache.apply("a", at(4));
    cache.endFill(first, at(6));
    assert.deepEqual(cache.peek("a"), at(6));
    cache.endFill(second, at(3));
    assert.deepEqual(cache.peek("a"), at(6));
    assert.equal(cache.filling, 0);
  });

  it("a fill begun before clear() stores nothing", () => {
    const cache = new QueryCache(4);
    const begun = cache.beginFill("a");
    fill(cache, "b", at(1));
    cache.clear();
    cache.endFill(begun, at(1));
    assert.equal(cache.size, 0);
    assert.equal(cache.filling, 0);
  });

  it("a failed read stores nothing unless a change came meanwhile", () => {
    const cache = new QueryCache(4);
    cache.endFill(cache.beginFill("a"), undefined);
    assert.equal(cache.size, 0);
    const begun = cache.beginFill("b");
    cache.apply("b", at(2));
    cache.endFill(begun, undefined);
    assert.deepEqual(cache.peek("b"), at(2));
  });

  it("under any interleaving, holds the newest version it heard of for each key it holds, within its bound", () => {
    const key = fc.constantFrom("a", "b", "c", "d", "e");
    const step = fc.oneof(
      fc.record({ op: fc.constant("begin" as const), key }),
      fc.record({ op: fc.constant("end" as const), pick: fc.nat(), version: fc.nat(20) }),
      fc.record({ op: fc.constant("apply" as const), key, version: fc.nat(20) }),
      fc.record({ op: fc.constant("get" as const), key }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(step, { maxLength: 60 }), (capacity, steps) => {
        const cache = new QueryCache(capacity);
        const inFlight: ReturnType<QueryCache["beginFill"]>[] = [];
        // The newest version each key was given since its oldest fill in flight began, or it was held.
        const newest = new Map<string, number>();
        for (const s of steps) {
          if (s.op === "begin") inFlight.push(cache.beginFill(s.key));
          else if (s.op === "get") cache.get(s.key);
          else if (s.op === "apply") {
            cache.apply(s.key, at(s.version, s.version));
            newest.set(s.key, Math.max(newest.get(s.key) ?? -1, s.version));
          } else if (inFlight.length > 0) {
            const [begun] = inFlight.splice(s.pick % inFlight.length, 1);
            if (begun === undefined) continue;
            cache.endFill(begun, at(s.version, s.version));
            newest.set(begun.key, Math.max(newest.get(begun.key) ?? -1, s.version));
          }
          assert.ok(cache.size <= capacity);
          for (const held of cache.keys()) {
            const entry = cache.peek(held);
            assert.ok(entry !== undefined && entry.version <= (newest.get(held) ?? -1));
            assert.equal(entry.stock, entry.version, "an entry is one value as given, never a mix");
          }
        }
        assert.ok(cache.filling <= inFlight.length, "notes only for fills in flight");
      }),
    );
  });

  it("holds the newest of a fill and the changes announced while it was in flight", () => {
    fc.assert(
      fc.property(
        fc.nat(50),
        fc.array(fc.nat(50), { maxLength: 10 }),
        fc.array(fc.nat(50), { maxLength: 10 }),
        (read, during, afterwards) => {
          const cache = new QueryCache(1);
          const begun = cache.beginFill("a");
          for (const v of during) cache.apply("a", at(v, v));
          cache.endFill(begun, at(read, read));
          for (const v of afterwards) cache.apply("a", at(v, v));
          assert.equal(cache.peek("a")?.version, Math.max(read, ...during, ...afterwards));
        },
      ),
    );
  });
});
