// Unit tests of mapAnswer: a store's answer mapped to an outcome keeps its
// timing (a value stays a value, a promise a promise, a Committing outcome a
// Committing one with the same `stored`).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Committing } from "../../catalog/catalog-store.js";
import { isPromiseLike, mapAnswer } from "./map-answer.js";

const double = (n: number): number => n * 2;

describe("mapAnswer", () => {
  it("maps a value now, without a promise", () => {
    assert.equal(mapAnswer(21, double), 42);
  });

  it("maps a promise into a promise", async () => {
    const mapped = mapAnswer(Promise.resolve(21), double);
    assert.ok(mapped instanceof Promise);
    assert.equal(await mapped, 42);
  });

  it("maps a committing outcome into one that waits for the same store", () => {
    const stored = Promise.resolve();
    const mapped = mapAnswer(new Committing(21, stored), double);
    assert.ok(mapped instanceof Committing);
    assert.equal(mapped.outcome, 42);
    assert.equal(mapped.stored, stored);
  });

  it("tells a promise from a value", () => {
    assert.equal(isPromiseLike(Promise.resolve()), true);
    for (const value of [undefined, null, 0, "then", {}, [21]]) assert.equal(isPromiseLike(value), false);
  });
});
