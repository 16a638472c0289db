// Tests for FifoQueue: it behaves as an array used as a queue, across growth and wrap-around, and
// lets go of what it has handed out.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as nextMacrotask } from "node:timers/promises";
import v8 from "node:v8";
import vm from "node:vm";
import fc from "fast-check";
import { FifoQueue } from "./fifo-queue.js";

type Op =
  | { readonly kind: "push"; readonly value: number }
  | { readonly kind: "shift" }
  | { readonly kind: "peek" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  // Pushes weigh more than shifts so the queue grows several times; runs of shifts empty it again.
  { weight: 3, arbitrary: fc.integer().map((value) => ({ kind: "push" as const, value })) },
  { weight: 2, arbitrary: fc.constant({ kind: "shift" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "peek" as const }) },
);

/** A gc() function, enabled at run time so the test needs no command-line flag. */
function exposeGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

describe("FifoQueue", () => {
  it("behaves like an array model for any sequence of push, shift and peek", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.array(opArb, { maxLength: 400 }), (capacity, ops) => {
        const queue = new FifoQueue<number>(capacity);
        const model: number[] = [];
        for (const op of ops) {
          if (op.kind === "push") {
            queue.push(op.value);
            model.push(op.value);
          } else if (op.kind === "shift") {
            assert.equal(queue.shift(), model.shift());
          } else {
            assert.equal(queue.peek(), model[0]);
          }
          assert.equal(queue.length, model.length);
        }
        // Draining what is left yields the model's order too.
        while (model.length > 0) assert.equal(queue.shift(), model.shift());
        assert.equal(queue.shift(), undefined);
        assert.equal(queue.length, 0);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps FIFO order when it grows while its contents wrap around the end of the buffer", () => {
    const queue = new FifoQueue<number>(4);
    for (const n of [1, 2, 3]) queue.push(n);
    assert.equal(queue.shift(), 1);
    assert.equal(queue.shift(), 2);
    // The head is now at slot 2: these pushes wrap to slots 0 and 1, then force two doublings.
    for (const n of [4, 5, 6, 7, 8, 9, 10, 11, 12]) queue.push(n);
    const drained: number[] = [];
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) drained.push(item);
    assert.deepEqual(drained, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("keeps FIFO order through many cycles of filling and emptying", () => {
    const queue = new FifoQueue<number>(2);
    let next = 0;
    let expected = 0;
    for (let round = 1; round <= 50; round++) {
      for (let i = 0; i < round; i++) queue.push(next++);
      // Leave one item behind each round so the head keeps moving around the ring.
      for (let i = 0; i < round - 1; i++) assert.equal(queue.shift(), expected++);
    }
    assert.equal(queue.length, 50);
    while (queue.length > 0) assert.equal(queue.shift(), expected++);
    assert.equal(expected, next);
  });

  it("returns undefined from shift and peek when empty, and its length never goes below zero", () => {
    const queue = new FifoQueue<string>();
    assert.equal(queue.shift(), undefined);
    assert.equal(queue.peek(), undefined);
    assert.equal(queue.length, 0);
    queue.push("a");
    assert.equal(queue.shift(), "a");
    assert.equal(queue.shift(), undefined);
    assert.equal(queue.shift(), undefined);
    assert.equal(queue.length, 0);
    // Still usable after being shifted while empty.
    queue.push("b");
    assert.equal(queue.peek(), "b");
    assert.equal(queue.length, 1);
  });

  it("peeks at the oldest item without removing it", () => {
    const queue = new FifoQueue<string>();
    queue.push("first");
    queue.push("second");
    assert.equal(queue.peek(), "first");
    assert.equal(queue.peek(), "first");
    assert.equal(queue.length, 2);
    assert.equal(queue.shift(), "first");
    assert.equal(queue.peek(), "second");
  });

  it("accepts any initial capacity, including zero and non-powers of two", () => {
    for (const capacity of [0, 1, 3, 5, 17]) {
      const queue = new FifoQueue<number>(capacity);
      for (let i = 0; i < 40; i++) queue.push(i);
      for (let i = 0; i < 40; i++) assert.equal(queue.shift(), i);
    }
  });

  it("drops its reference to a shifted item, so the item can be garbage-collected", async () => {
    const gc = exposeGc();
    const queue = new FifoQueue<object>(4);
    let shifted: WeakRef<object> | undefined;
    let kept: WeakRef<object> | undefined;
    // Created in a closure so no local variable of this test holds the items.
    (() => {
      const a = { name: "shifted" };
      const b = { name: "kept" };
      shifted = new WeakRef(a);
      kept = new WeakRef(b);
      queue.push(a);
      queue.push(b);
      assert.equal(queue.shift(), a);
    })();
    // WeakRef targets stay alive until the current job ends.
    await nextMacrotask();
    gc();
    assert.equal(shifted?.deref(), undefined, "the queue still references a shifted item");
    // The control: an item still queued is not collected, so the check above is meaningful.
    assert.deepEqual(kept?.deref(), { name: "kept" });
    assert.equal(queue.length, 1);
  });
});
