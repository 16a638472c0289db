// Unit tests of the buy operation: what it declares (an exclusive lock on its
// toy, the simulated work, a write), its validation of name, quantity and key,
// how it calls a store, and the stock change it reports.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CatalogStore, Section, SharedStore } from "../../catalog/catalog-store.js";
import { InMemoryCatalog } from "../../catalog/memory-store.js";
import { MAX_QUANTITY, type Sale } from "../../catalog/toy.js";
import { type BuyRequest, buy, validateQuantity } from "./buy.js";
import { assertDeclares } from "./operation-test-helpers.js";

const LIMITS = { maxNameLength: 8 };
const QUANTITY_MESSAGE = `quantity must be a whole number from 1 to ${MAX_QUANTITY}`;

/** A sale of 3 Robots at 19.99 that left 2: order 1 of a store that had 5. */
const SOLD_THREE: Sale = {
  kind: "bought",
  toy: "Robot",
  stockLeft: 2,
  orderId: "1",
  unitPriceCents: 1999,
  quantity: 3,
};

const request = (fields: Partial<BuyRequest> = {}): BuyRequest => ({
  op: "buy",
  name: "Robot",
  quantity: 1,
  ...fields,
});

describe("the buy operation", () => {
  it("takes its toy's lock exclusively, spends the simulated work and writes", () => {
    assertDeclares(buy, { op: "buy", lock: "exclusive", work: true, writes: true });
    assert.equal(buy.toyOf?.(request({ name: "KITE" })), "KITE");
  });

  it("accepts a name, 1 to MAX_QUANTITY units and a well-formed key", () => {
    for (const fields of [
      {},
      { quantity: 2 },
      { quantity: MAX_QUANTITY },
      { name: "x".repeat(8) },
      { requestKey: "order-42_a.b" },
      { requestKey: "k".repeat(100), quantity: 7 },
    ]) {
      assert.equal(buy.validate(request(fields), LIMITS), undefined, JSON.stringify(fields));
    }
  });

  it("refuses 0, -1, 1.5, MAX_QUANTITY + 1, NaN or infinite units with bad_request", () => {
    for (const quantity of [0, -1, 1.5, MAX_QUANTITY + 1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      const error = buy.validate(request({ quantity }), LIMITS);
      assert.deepEqual(
        [error?.code, error?.message],
        ["bad_request", QUANTITY_MESSAGE],
        `quantity ${quantity}`,
      );
      assert.deepEqual(validateQuantity(quantity), error);
    }
    assert.equal(validateQuantity(1), undefined);
    assert.equal(validateQuantity(MAX_QUANTITY), undefined);
  });

  it("refuses a bad name before the quantity, and a malformed key", () => {
    assert.equal(buy.validate(request({ name: "", quantity: 0 }), LIMITS)?.message, "empty name");
    assert.equal(
      buy.validate(request({ name: "x".repeat(9) }), LIMITS)?.message,
      "name too long (more than 8 characters)",
    );
    for (const requestKey of ["", "a b", "a:b", "é", "k".repeat(101)]) {
      const error = buy.validate(request({ requestKey }), LIMITS);
      assert.equal(error?.code, "bad_request", JSON.stringify(requestKey));
      assert.match(error?.message ?? "", /idempotency key/);
    }
  });

  it("asks an owned store for the quantity, all or nothing", () => {
    const store = new InMemoryCatalog([{ name: "Robot", priceCents: 1999, stock: 5 }]);
    assert.deepEqual(buy.owned(store, request({ name: "robot", quantity: 3 })), SOLD_THREE);
    assert.deepEqual(buy.owned(store, request({ quantity: 3 })), { kind: "sold_out" });
    assert.deepEqual(store.list(), [{ name: "Robot", priceCents: 1999, stock: 2 }]);
  });

  it("leaves keys to the service for an owned store, and hands a shared store the section, quantity and key", async () => {
    const owned: unknown[][] = [];
    const ownedStore = {
      buy: (...args: unknown[]) => {
        owned.push(args);
        return { kind: "sold_out" as const };
      },
    } as unknown as CatalogStore;
    assert.deepEqual(buy.owned(ownedStore, request({ quantity: 4, requestKey: "k1" })), { kind: "sold_out" });
    assert.deepEqual(owned, [["Robot", 4]]);

    const shared: unknown[][] = [];
    const sharedStore = {
      shared: true,
      buy: async (...args: unknown[]) => {
        shared.push(args);
        return { kind: "not_found" as const };
      },
    } as unknown as SharedStore;
    const section: Section = { lock: "per-toy", workMs: 1 };
    assert.deepEqual(await buy.shared(sharedStore, request({ quantity: 4, requestKey: "k1" }), section), {
      kind: "not_found",
    });
    await buy.shared(sharedStore, request(), section);
    assert.deepEqual(shared, [
      ["Robot", section, 4, "k1"],
      ["Robot", section, 1, undefined],
    ]);
  });

  it("reports the stock a sale leaves, by display name, and none for a buy that sold nothing", () => {
    assert.deepEqual(buy.stockChange?.(SOLD_THREE), { name: "Robot", stock: 2 });
    assert.equal(buy.stockChange?.({ kind: "sold_out" }), undefined);
    assert.equal(buy.stockChange?.({ kind: "not_found" }), undefined);
  });
});
