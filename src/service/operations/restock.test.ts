// Unit tests of the restock operation: what it declares (an exclusive lock on
// its toy, no simulated work, a write), its validation of the change, how it
// calls a store (and refuses one that cannot restock), and the stock change.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CatalogStore,
  Committing,
  type Restock,
  type SharedStore,
} from "../../catalog/catalog-store.js";
import { InMemoryCatalog } from "../../catalog/memory-store.js";
import { StoreError } from "../../errors.js";
import { assertDeclares } from "./operation-test-helpers.js";
import { type RestockRequest, restock } from "./restock.js";

const LIMITS = { maxNameLength: 8 };

const request = (change: Restock, name = "Robot"): RestockRequest => ({ op: "restock", name, change });

const catalog = (): InMemoryCatalog => new InMemoryCatalog([{ name: "Robot", priceCents: 1999, stock: 2 }]);

describe("the restock operation", () => {
  it("takes its toy's lock exclusively, spends no simulated work and writes", () => {
    assertDeclares(restock, { op: "restock", lock: "exclusive", work: false, writes: true });
    assert.equal(restock.toyOf?.(request({ stock: 1 }, "kite")), "kite");
  });

  it("accepts a stock to set or to add, a price, or a stock and a price", () => {
    for (const change of [
      { stock: 0 },
      { stock: 5 },
      { addStock: 3 },
      { priceCents: 0 },
      { stock: 3, priceCents: 250 },
    ]) {
      assert.equal(restock.validate(request(change), LIMITS), undefined, JSON.stringify(change));
    }
  });

  it("refuses stock and addStock together, and negative or fractional amounts, with bad_request", () => {
    const both = restock.validate(request({ stock: 1, addStock: 1 }), LIMITS);
    assert.deepEqual([both?.code, both?.message], ["bad_request", "give stock or addStock, not both"]);
    for (const change of [
      { stock: -1 },
      { addStock: -2 },
      { priceCents: -1 },
      { stock: 1.5 },
      { addStock: Number.NaN },
      { priceCents: 9.99 },
      { stock: Number.POSITIVE_INFINITY },
    ]) {
      const error = restock.validate(request(change), LIMITS);
      assert.deepEqual(
        [error?.code, error?.message],
        ["bad_request", "stock, addStock and price must be non-negative whole amounts"],
        JSON.stringify(change),
      );
    }
  });

  it("refuses an empty or over-long name", () => {
    assert.equal(restock.validate(request({ stock: 1 }, " "), LIMITS)?.message, "empty name");
    assert.equal(restock.validate(request({ stock: 1 }, "x".repeat(9)), LIMITS)?.code, "bad_request");
  });

  it("answers the toy after the change, or not_found", () => {
    const store = catalog();
    assert.deepEqual(restock.owned(store, request({ addStock: 3, priceCents: 2500 }, "robot")), {
      kind: "restocked",
      toy: { name: "Robot", priceCents: 2500, stock: 5 },
    });
    assert.deepEqual(restock.owned(store, request({ stock: 1 }, "Unicorn")), { kind: "not_found" });
  });

  it("keeps a committing answer committing, and a promise a promise", async () => {
    const inner = catalog();
    const stored = Promise.resolve();
    const committing: CatalogStore = {
      query: (name) => inner.query(name),
      buy: (name, quantity) => inner.buy(name, quantity),
      list: () => inner.list(),
      order: (id) => inner.order(id),
      restock: (name, change) => new Committing(inner.restock(name, change), stored),
    };
    const answer = restock.owned(committing, request({ stock: 7 }));
    assert.ok(answer instanceof Committing);
    assert.equal(answer.stored, stored);
    assert.deepEqual(answer.outcome, {
      kind: "restocked",
      toy: { name: "Robot", priceCents: 1999, stock: 7 },
    });

    const later: CatalogStore = { ...committing, restock: async () => undefined };
    const promised = restock.owned(later, request({ stock: 7 }));
    assert.ok(promised instanceof Promise);
    assert.deepEqual(await promised, { kind: "not_found" });
  });

  it("throws bad_request on an owned store that cannot restock", () => {
    const inner = catalog();
    const store: CatalogStore = {
      query: (name) => inner.query(name),
      buy: (name, quantity) => inner.buy(name, quantity),
      list: () => inner.list(),
      order: (id) => inner.order(id),
    };
    assert.throws(
      () => restock.owned(store, request({ stock: 1 })),
      (error: unknown) =>
        error instanceof StoreError &&
        error.code === "bad_request" &&
        error.message === "this store cannot restock",
    );
  });

  it("hands a shared store the name and the change", async () => {
    const calls: unknown[][] = [];
    const store = {
      shared: true,
      restock: async (...args: unknown[]) => {
        calls.push(args);
        return undefined;
      },
    } as unknown as SharedStore;
    const answer = await restock.shared(store, request({ addStock: 2 }), { lock: "rwlock", workMs: 0 });
    assert.deepEqual(answer, { kind: "not_found" });
    assert.deepEqual(calls, [["Robot", { addStock: 2 }]]);
  });

  it("reports the stock a restock leaves, by display name, and none for a toy not found", () => {
    assert.deepEqual(
      restock.stockChange?.({ kind: "restocked", toy: { name: "Robot", priceCents: 1, stock: 4 } }),
      {
        name: "Robot",
        stock: 4,
      },
    );
    assert.equal(restock.stockChange?.({ kind: "not_found" }), undefined);
  });
});
