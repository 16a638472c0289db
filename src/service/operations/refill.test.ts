// Unit tests of the refill operation: what it declares (the catalog's lock,
// exclusive; no simulated work; a write), its validation, how it calls an
// owned and a shared store (and refuses one that cannot refill), and the stock
// changes it reports: one per toy put back.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CatalogStore,
  Committing,
  type RefillResult,
  type SharedStore,
} from "../../catalog/catalog-store.js";
import { InMemoryCatalog } from "../../catalog/memory-store.js";
import { StoreError } from "../../errors.js";
import { assertDeclares } from "./operation-test-helpers.js";
import { type RefillRequest, refill } from "./refill.js";

const LIMITS = { maxNameLength: 8 };

const request = (to = 10, periodMs = 1000): RefillRequest => ({ op: "refill", to, periodMs });

const catalog = (): InMemoryCatalog =>
  new InMemoryCatalog([
    { name: "Robot", priceCents: 1999, stock: 2 },
    { name: "Kite", priceCents: 850, stock: 0 },
    { name: "Owl", priceCents: 500, stock: 7 },
    { name: "Bear", priceCents: 1200, stock: 0 },
  ]);

describe("the refill operation", () => {
  it("takes the catalog's lock exclusively (no toy's), spends no simulated work and writes", () => {
    assertDeclares(refill, { op: "refill", lock: "exclusive", work: false, writes: true });
    assert.equal(refill.toyOf, undefined, "any toy may change: the catalog's lock");
  });

  it("accepts a stock from 1 and a period of whole ms from 1", () => {
    for (const [to, periodMs] of [
      [1, 1],
      [100, 10_000],
      [Number.MAX_SAFE_INTEGER, 86_400_000],
    ] as const) {
      assert.equal(refill.validate(request(to, periodMs), LIMITS), undefined, `${to} ${periodMs}`);
    }
  });

  it("refuses a stock or a period that is not a whole number from 1, with bad_request", () => {
    for (const to of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      const error = refill.validate(request(to), LIMITS);
      assert.equal(error?.code, "bad_request", String(to));
      assert.match(error?.message ?? "", /a refill's stock must be a whole number from 1/);
    }
    for (const periodMs of [0, -5, 0.5, Number.NaN]) {
      const error = refill.validate(request(10, periodMs), LIMITS);
      assert.equal(error?.code, "bad_request", String(periodMs));
      assert.match(error?.message ?? "", /a refill's period must be a whole number of ms/);
    }
  });

  it("puts only the sold-out toys back, and answers them with their new stock, in catalog order", () => {
    const store = catalog();
    assert.deepEqual(refill.owned(store, request(10)), {
      kind: "refilled",
      toys: [
        { name: "Kite", priceCents: 850, stock: 10 },
        { name: "Bear", priceCents: 1200, stock: 10 },
      ],
    });
    assert.deepEqual(
      store.list().map((toy) => [toy.name, toy.stock]),
      [
        ["Robot", 2],
        ["Kite", 10],
        ["Owl", 7],
        ["Bear", 10],
      ],
    );
    // Nothing sold out now: the next round puts nothing back.
    assert.deepEqual(refill.owned(store, request(10)), { kind: "refilled", toys: [] });
  });

  it("keeps a committing answer committing", () => {
    const stored = Promise.resolve();
    const outcome: RefillResult = { kind: "refilled", toys: [] };
    const store = { refill: () => new Committing(outcome, stored) } as unknown as CatalogStore;
    const answer = refill.owned(store, request());
    assert.ok(answer instanceof Committing);
    assert.equal(answer.stored, stored);
    assert.equal(answer.outcome, outcome);
  });

  it("throws bad_request on a store that cannot refill, owned or shared", async () => {
    const isRefused = (error: unknown) =>
      error instanceof StoreError &&
      error.code === "bad_request" &&
      error.message === "this store cannot refill";
    const owned = { query: () => ({ kind: "not_found" }) } as unknown as CatalogStore;
    assert.throws(() => refill.owned(owned, request()), isRefused);
    const shared = { shared: true } as unknown as SharedStore;
    await assert.rejects(
      async () => refill.shared(shared, request(), { lock: "mutex", workMs: 0 }),
      isRefused,
    );
  });

  it("hands a shared store the stock, the period and the section, and passes not_due on", async () => {
    const calls: unknown[][] = [];
    const store = {
      shared: true,
      refill: async (...args: unknown[]) => {
        calls.push(args);
        return { kind: "not_due", dueInMs: 250 };
      },
    } as unknown as SharedStore;
    const section = { lock: "per-toy", workMs: 5 } as const;
    assert.deepEqual(await refill.shared(store, request(7, 2000), section), {
      kind: "not_due",
      dueInMs: 250,
    });
    assert.deepEqual(calls, [[7, 2000, section]]);
  });

  it("reports each toy put back as a stock change, and none for not_due", () => {
    const toys = [
      { name: "Kite", priceCents: 850, stock: 10 },
      { name: "Bear", priceCents: 1200, stock: 10 },
    ];
    assert.deepEqual(refill.stockChange?.({ kind: "refilled", toys }), toys);
    assert.deepEqual(refill.stockChange?.({ kind: "refilled", toys: [] }), []);
    assert.equal(refill.stockChange?.({ kind: "not_due", dueInMs: 3 }), undefined);
  });
});
