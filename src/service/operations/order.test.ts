// Unit tests of the order operation: what it declares (no lock, no simulated
// work, no write), its validation of the id, and how it calls a store.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SharedStore } from "../../catalog/catalog-store.js";
import { InMemoryCatalog } from "../../catalog/memory-store.js";
import type { Order } from "../../catalog/toy.js";
import { assertDeclares } from "./operation-test-helpers.js";
import { MAX_ORDER_ID_LENGTH, order } from "./order.js";

describe("the order operation", () => {
  it("takes no lock, spends no simulated work and writes nothing: orders never change once written", () => {
    assertDeclares(order, { op: "order", lock: "none", work: false, writes: false });
    assert.equal(order.toyOf, undefined);
    assert.equal(order.stockChange, undefined);
  });

  it("accepts an id of 1 to MAX_ORDER_ID_LENGTH characters, and refuses an empty or longer one", () => {
    const limits = { maxNameLength: 8 };
    assert.equal(order.validate({ op: "order", id: "1" }, limits), undefined);
    assert.equal(order.validate({ op: "order", id: "9".repeat(MAX_ORDER_ID_LENGTH) }, limits), undefined);
    const empty = order.validate({ op: "order", id: "" }, limits);
    assert.deepEqual([empty?.code, empty?.message], ["bad_request", "empty order id"]);
    const long = order.validate({ op: "order", id: "9".repeat(MAX_ORDER_ID_LENGTH + 1) }, limits);
    assert.deepEqual(
      [long?.code, long?.message],
      ["bad_request", `order id too long (more than ${MAX_ORDER_ID_LENGTH} characters)`],
    );
  });

  it("answers the order an owned store recorded, or not_found", () => {
    const store = new InMemoryCatalog([{ name: "Robot", priceCents: 1999, stock: 5 }]);
    store.buy("Robot", 2);
    const answer = order.owned(store, { op: "order", id: "1" });
    assert.ok(!(answer instanceof Promise) && "kind" in answer && answer.kind === "order");
    const { time, ...rest } = answer.order;
    assert.deepEqual(rest, { id: "1", toy: "Robot", quantity: 2, unitPriceCents: 1999 });
    assert.ok(!Number.isNaN(Date.parse(time)));
    assert.deepEqual(order.owned(store, { op: "order", id: "2" }), { kind: "not_found" });
    assert.deepEqual(order.owned(store, { op: "order", id: "not a number" }), { kind: "not_found" });
  });

  it("asks a shared store by id", async () => {
    const recorded: Order = {
      id: "7",
      toy: "Kite",
      quantity: 1,
      unitPriceCents: 850,
      time: "2026-01-01T00:00:00.000Z",
    };
    const store = {
      shared: true,
      order: async (id: string) => (id === "7" ? recorded : undefined),
    } as unknown as SharedStore;
    const section = { lock: "rwlock", workMs: 0 } as const;
    assert.deepEqual(await order.shared(store, { op: "order", id: "7" }, section), {
      kind: "order",
      order: recorded,
    });
    assert.deepEqual(await order.shared(store, { op: "order", id: "8" }, section), { kind: "not_found" });
  });
});
