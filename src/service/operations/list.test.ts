// Unit tests of the list operation: what it declares (the catalog's lock,
// shared; no simulated work, no write), and how it calls a store.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CatalogStore, SharedStore } from "../../catalog/catalog-store.js";
import { InMemoryCatalog } from "../../catalog/memory-store.js";
import type { Toy } from "../../catalog/toy.js";
import { list } from "./list.js";
import { assertDeclares } from "./operation-test-helpers.js";

const TOYS: readonly Toy[] = [
  { name: "Robot", priceCents: 1999, stock: 2 },
  { name: "Kite", priceCents: 850, stock: 0 },
];

describe("the list operation", () => {
  it("shares the catalog's lock (not a toy's), spends no simulated work and writes nothing", () => {
    assertDeclares(list, { op: "list", lock: "shared", work: false, writes: false });
    assert.equal(list.toyOf, undefined, "one snapshot of the whole catalog: the catalog's lock");
    assert.equal(list.stockChange, undefined);
  });

  it("accepts every list request", () => {
    assert.equal(list.validate({ op: "list" }, { maxNameLength: 1 }), undefined);
  });

  it("answers every toy, in catalog order, synchronously from a synchronous store", () => {
    assert.deepEqual(list.owned(new InMemoryCatalog(TOYS), { op: "list" }), { kind: "list", toys: TOYS });
  });

  it("answers a promise from a store that answers later, and asks a shared store", async () => {
    const later = { list: async () => TOYS } as unknown as CatalogStore;
    const answer = list.owned(later, { op: "list" });
    assert.ok(answer instanceof Promise);
    assert.deepEqual(await answer, { kind: "list", toys: TOYS });
    const shared = { shared: true, list: async () => TOYS } as unknown as SharedStore;
    assert.deepEqual(await list.shared(shared, { op: "list" }, { lock: "mutex", workMs: 0 }), {
      kind: "list",
      toys: TOYS,
    });
  });
});
