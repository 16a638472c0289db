// No buy of several units oversells and none is lost, on every store under
// every lock policy, with and without simulated work: buyers asking mixed
// quantities at once (fast-check draws the stock and the quantities), with
// queries among them. Units sold = the orders' quantities = initial - final
// stock, never below zero; the sales chain down from the initial stock (each
// one's stock left plus its quantity is the one before's), and every buy
// refused asked for more than was left at the end. On PostgreSQL the buyers
// are split over two stores on one database, as two servers would be.

import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import type { AnyStore } from "../src/catalog/catalog-store.js";
import type { Sale, SaleResult, StockReport } from "../src/catalog/toy.js";
import { LOCK_KINDS } from "../src/concurrency/section-lock.js";
import { openStore } from "../src/stores/open-store.js";
import { callStore, describeStore, STORE_KINDS, type StoreCalls } from "./helpers/stores.js";

const TOY = "Tux";
const runsOf = { memory: 40, sqlite: 8, postgres: 4 } as const;

const round = fc.record({
  initial: fc.integer({ min: 0, max: 30 }),
  quantities: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 24 }),
});

/** The stock after a round of buys that left `final`, from each answer: it must all add up. */
async function checkRound(
  calls: StoreCalls,
  initial: number,
  quantities: readonly number[],
  buys: readonly SaleResult[],
  queries: readonly StockReport[],
): Promise<void> {
  const [toy] = await calls.list();
  const final = toy!.stock;
  assert.ok(final >= 0 && final <= initial, `final stock ${final}`);
  const sales = buys.filter((b): b is Sale => b.kind === "bought");
  for (const [i, b] of buys.entries()) {
    assert.notEqual(b.kind, "not_found");
    if (b.kind === "bought") assert.equal(b.quantity, quantities[i], "a sale is of the quantity asked");
    // The stock only fell during the round: a buy refused then is refused now.
    else assert.ok(quantities[i]! > final, `a buy of ${quantities[i]} refused with ${final} left at the end`);
  }
  const sold = sales.reduce((n, s) => n + s.quantity, 0);
  assert.equal(sold, initial - final, "units sold = initial - final stock");
  // One order per sale, carrying its quantity.
  assert.equal(new Set(sales.map((s) => s.orderId)).size, sales.length, "one distinct order per sale");
  let ordered = 0;
  for (const sale of sales) {
    const order = await calls.order(sale.orderId);
    assert.equal(order?.toy, TOY);
    ordered += order?.quantity ?? 0;
  }
  assert.equal(ordered, sold, "the orders' quantities add up to the units sold");
  // Linearizable: ordered by the stock they left, each sale took its quantity from the one before's.
  let before = initial;
  for (const sale of [...sales].sort((a, b) => b.stockLeft - a.stockLeft)) {
    assert.equal(sale.stockLeft + sale.quantity, before, "the sales chain down from the initial stock");
    before = sale.stockLeft;
  }
  assert.equal(before, final);
  for (const q of queries) {
    assert.notEqual(q.kind, "not_found");
    if (q.kind === "in_stock") assert.ok(q.stock >= 1 && q.stock <= initial, `a query saw ${q.stock}`);
  }
}

/** Polls the query until it answers `stock` (a query cache on another server catching up with a restock). */
async function untilStock(calls: StoreCalls, stock: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const answer = await calls.query(TOY);
    if ((answer.kind === "in_stock" ? answer.stock : 0) === stock) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`the query never answered ${stock}`);
}

for (const kind of STORE_KINDS) {
  describeStore(kind, "conservation with quantities", (fixture) => {
    // PostgreSQL also with the query cache on both servers: every policy with work, and the batched path.
    const cases = LOCK_KINDS.flatMap((lock) => [
      { lock, workMs: 0, queryCache: false },
      { lock, workMs: 2, queryCache: false },
      ...(kind === "postgres" ? [{ lock, workMs: 2, queryCache: true }] : []),
    ]);
    if (kind === "postgres") cases.push({ lock: "rwlock", workMs: 0, queryCache: true });
    for (const { lock, workMs, queryCache } of cases) {
      it(`sells no more than the stock to buyers of mixed quantities at once, lock ${lock}, work ${workMs} ms${queryCache ? ", query cache" : ""}`, async () => {
        const options = { pool: 4, ...(queryCache ? { queryCache } : {}) };
        const { store, spec } = await fixture.open([{ name: TOY, priceCents: 1999, stock: 0 }], options);
        const stores: AnyStore[] = [store];
        try {
          // A second server on the same database: its buys race with the first's in PostgreSQL.
          if (kind === "postgres")
            stores.push((await openStore(spec, { toys: [], given: false }, options)).store);
          const all = stores.map((s) => callStore(s, { lock, workMs }));
          const calls = all[0]!;
          await fc.assert(
            fc.asyncProperty(round, async ({ initial, quantities }) => {
              await calls.restock(TOY, { stock: initial });
              // The other server's cache hears of the restock a moment later (the first's at once).
              if (queryCache) await untilStock(all[1]!, initial);
              const [buys, queries] = await Promise.all([
                Promise.all(quantities.map((q, i) => all[i % all.length]!.buy(TOY, q))),
                Promise.all(Array.from({ length: 4 }, (_, i) => all[i % all.length]!.query(TOY))),
              ]);
              await checkRound(calls, initial, quantities, buys, queries);
            }),
            { numRuns: runsOf[kind] },
          );
        } finally {
          await Promise.all(stores.map((s) => s.close?.()));
        }
      });
    }
  });
}
