// The rounds' order: each round starts one row further on, so no row always runs first or last.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { roundOrder, rowUnavailable } from "./rounds.js";

describe("the rounds", () => {
  it("rotate the first row each round and wrap around", () => {
    const rows = ["a", "b", "c"];
    assert.deepEqual(roundOrder(rows, 1), ["a", "b", "c"]);
    assert.deepEqual(roundOrder(rows, 2), ["b", "c", "a"]);
    assert.deepEqual(roundOrder(rows, 3), ["c", "a", "b"]);
    assert.deepEqual(roundOrder(rows, 4), ["a", "b", "c"]);
    assert.deepEqual(roundOrder(["a", "b"], 2), ["b", "a"]);
    assert.deepEqual(roundOrder([], 2), []);
  });

  it("say why a row cannot run: its server did not start", () => {
    const servers = {
      running: new Map(),
      unavailable: new Map([["redis", "redis-server is not installed"]]),
    };
    const row = { id: "redis get", server: "redis", op: "query", generator: "engine" } as const;
    assert.equal(rowUnavailable(row, servers), "server redis: redis-server is not installed");
  });
});
