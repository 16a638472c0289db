// Unit tests of the query operation: what it declares (a shared lock on its
// toy, the simulated work, no write), its validation, and how it calls a store.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Section, SharedStore } from "../../catalog/catalog-store.js";
import { InMemoryCatalog } from "../../catalog/memory-store.js";
import { assertDeclares } from "./operation-test-helpers.js";
import { query } from "./query.js";

const LIMITS = { maxNameLength: 8 };

describe("the query operation", () => {
  it("shares its toy's lock, spends the simulated work and writes nothing", () => {
    assertDeclares(query, { op: "query", lock: "shared", work: true, writes: false });
    assert.equal(query.toyOf?.({ op: "query", name: " Robot " }), " Robot ");
    assert.equal(query.stockChange, undefined, "a query changes no stock");
  });

  it("accepts a name up to the longest allowed, and refuses an empty, blank or longer one", () => {
    assert.equal(query.validate({ op: "query", name: "Robot" }, LIMITS), undefined);
    assert.equal(query.validate({ op: "query", name: "x".repeat(8) }, LIMITS), undefined);
    for (const [name, message] of [
      ["", "empty name"],
      [" \t", "empty name"],
      ["x".repeat(9), "name too long (more than 8 characters)"],
    ] as const) {
      const error = query.validate({ op: "query", name }, LIMITS);
      assert.deepEqual([error?.code, error?.message], ["bad_request", message], JSON.stringify(name));
    }
  });

  it("asks an owned store by name and answers its stock report as it is", () => {
    const store = new InMemoryCatalog([
      { name: "Robot", priceCents: 1999, stock: 2 },
      { name: "Kite", priceCents: 850, stock: 0 },
    ]);
    assert.deepEqual(query.owned(store, { op: "query", name: "robot" }), {
      kind: "in_stock",
      name: "Robot",
      priceCents: 1999,
      stock: 2,
    });
    assert.deepEqual(query.owned(store, { op: "query", name: "Kite" }), {
      kind: "sold_out",
      name: "Kite",
      priceCents: 850,
    });
    assert.deepEqual(query.owned(store, { op: "query", name: "Unicorn" }), { kind: "not_found" });
  });

  it("hands a shared store the name and the section", async () => {
    const calls: unknown[][] = [];
    const store = {
      shared: true,
      query: async (name: string, section: Section) => {
        calls.push([name, section]);
        return { kind: "not_found" as const };
      },
    } as unknown as SharedStore;
    const section: Section = { lock: "mutex", workMs: 2 };
    assert.deepEqual(await query.shared(store, { op: "query", name: "Robot" }, section), {
      kind: "not_found",
    });
    assert.deepEqual(calls, [["Robot", section]]);
  });
});
