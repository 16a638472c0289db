// median: odd and even counts, unsorted input left alone, and no NaN out.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { median } from "./stats.js";

describe("median", () => {
  it("is undefined for no values", () => {
    assert.equal(median([]), undefined);
  });

  it("is the middle value of an odd count", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([7]), 7);
  });

  it("is the mean of the two middle values of an even count", () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it("sorts numerically, not as text", () => {
    assert.equal(median([10, 9, 100]), 10);
  });

  it("leaves NaN out, and is undefined when nothing else is left", () => {
    assert.equal(median([Number.NaN, 5, 1]), 3);
    assert.equal(median([Number.NaN]), undefined);
  });

  it("does not reorder the list it is given", () => {
    const values = [3, 1, 2];
    median(values);
    assert.deepEqual(values, [3, 1, 2]);
  });
});
