// Unit tests of the operations table: every operation under its own name, in
// one order, and what each declares side by side (which ones share, which
// write, which spend the simulated work).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INTERNAL_OP_NAMES, OP_NAMES, OPERATIONS, type OpName, operationOf } from "./index.js";

describe("the operations table", () => {
  it("holds each operation under its own name, in the order OP_NAMES gives", () => {
    assert.deepEqual(OP_NAMES, ["query", "buy", "restock", "order", "list"]);
    assert.ok(Object.isFrozen(OP_NAMES));
    for (const name of OP_NAMES) assert.equal(OPERATIONS[name].op, name);
  });

  it("keeps the server's own refill out of OP_NAMES, what clients can ask for and transports record", () => {
    assert.deepEqual(INTERNAL_OP_NAMES, ["refill"]);
    assert.ok(Object.isFrozen(INTERNAL_OP_NAMES));
    assert.deepEqual(Object.keys(OPERATIONS), [...OP_NAMES, ...INTERNAL_OP_NAMES]);
    for (const name of INTERNAL_OP_NAMES) assert.equal(OPERATIONS[name].op, name);
  });

  it("finds a request's operation by its op", () => {
    assert.equal(operationOf({ op: "query", name: "Robot" }), OPERATIONS.query);
    assert.equal(operationOf({ op: "buy", name: "Robot", quantity: 2 }), OPERATIONS.buy);
    assert.equal(operationOf({ op: "restock", name: "Robot", change: { stock: 1 } }), OPERATIONS.restock);
    assert.equal(operationOf({ op: "order", id: "1" }), OPERATIONS.order);
    assert.equal(operationOf({ op: "list" }), OPERATIONS.list);
    assert.equal(operationOf({ op: "refill", to: 5, periodMs: 1000 }), OPERATIONS.refill);
  });

  it("declares, side by side: the study's query and buy spend the work, writes take the lock exclusively", () => {
    const declared = Object.fromEntries(
      (Object.keys(OPERATIONS) as OpName[]).map((name) => {
        const op = OPERATIONS[name];
        return [name, { lock: op.lock, work: op.work, writes: op.writes, perToy: op.toyOf !== undefined }];
      }),
    );
    assert.deepEqual(declared, {
      query: { lock: "shared", work: true, writes: false, perToy: true },
      buy: { lock: "exclusive", work: true, writes: true, perToy: true },
      restock: { lock: "exclusive", work: false, writes: true, perToy: true },
      order: { lock: "none", work: false, writes: false, perToy: false },
      list: { lock: "shared", work: false, writes: false, perToy: false },
      refill: { lock: "exclusive", work: false, writes: true, perToy: false },
    });
    // Only a write can change stock, so only a write may tell watchers.
    for (const name of Object.keys(OPERATIONS) as OpName[]) {
      if (OPERATIONS[name].stockChange !== undefined) assert.ok(OPERATIONS[name].writes, name);
    }
  });
});
