// The store conformance suite's buys of several units, on every store: all or
// nothing, one order carrying the quantity and the unit price, buys of one
// turn decided in arrival order, a model of the stock every answer agrees
// with (fast-check), idempotency keys that remember the quantity (PostgreSQL,
// whose store keeps them), and databases written by the previous version of
// the schema (orders without a quantity), migrated when opened.

import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import postgres from "postgres";
import type { AnyStore } from "../src/catalog/catalog-store.js";
import type { SaleResult, Toy } from "../src/catalog/toy.js";
import { LOCK_KINDS } from "../src/concurrency/section-lock.js";
import { openStore } from "../src/stores/open-store.js";
import { SCHEMA_VERSION } from "../src/stores/schema-version.js";
import type { StoreSpec } from "../src/stores/store-spec.js";
import { callStore, DURABLE_STORE_KINDS, describeStore, runSql, STORE_KINDS } from "./helpers/stores.js";

const TOYS: readonly Toy[] = [
  { name: "Tux", priceCents: 1999, stock: 10 },
  { name: "Kite", priceCents: 500, stock: 3 },
];

const stocks = (toys: readonly Toy[]): Record<string, number> =>
  Object.fromEntries(toys.map((t) => [t.name, t.stock]));

for (const kind of STORE_KINDS) {
  describeStore(kind, "store quantities", (fixture) => {
    it("buys N units: the stock drops by N and one order carries N and the unit price", async () => {
      const { store } = await fixture.open(TOYS);
      const calls = callStore(store);
      try {
        const sale = await calls.buy("tux", 4);
        assert.ok(sale.kind === "bought");
        assert.deepEqual(sale, {
          kind: "bought",
          toy: "Tux",
          stockLeft: 6,
          orderId: sale.orderId,
          unitPriceCents: 1999,
          quantity: 4,
        });
        const order = await calls.order(sale.orderId);
        assert.deepEqual([order?.toy, order?.quantity, order?.unitPriceCents], ["Tux", 4, 1999]);
        assert.deepEqual(await calls.query("Tux"), {
          kind: "in_stock",
          name: "Tux",
          priceCents: 1999,
          stock: 6,
        });
        const next = await calls.buy("Tux", 1);
        assert.ok(next.kind === "bought");
        assert.equal(next.orderId, String(Number(sale.orderId) + 1), "one order for the four units");
      } finally {
        await store.close?.();
      }
    });

    it("answers sold out to a buy of more than is left, and sells nothing; exactly what is left sells out", async () => {
      const { store } = await fixture.open(TOYS);
      const calls = callStore(store);
      try {
        const first = await calls.buy("Kite", 1);
        assert.ok(first.kind === "bought" && first.stockLeft === 2);
        assert.deepEqual(await calls.buy("Kite", 3), { kind: "sold_out" });
        assert.deepEqual(await calls.buy("Kite", 1_000_000), { kind: "sold_out" });
        assert.deepEqual(await calls.query("Kite"), {
          kind: "in_stock",
          name: "Kite",
          priceCents: 500,
          stock: 2,
        });
        assert.deepEqual(stocks(await calls.list()), { Tux: 10, Kite: 2 });
        const last = await calls.buy("kite", 2);
        assert.ok(last.kind === "bought");
        assert.deepEqual([last.stockLeft, last.quantity], [0, 2]);
        assert.equal(last.orderId, String(Number(first.orderId) + 1), "the refused buys placed no order");
        assert.deepEqual(await calls.query("Kite"), { kind: "sold_out", name: "Kite", priceCents: 500 });
        assert.deepEqual(await calls.buy("Kite", 1), { kind: "sold_out" });
        assert.deepEqual(await calls.buy("Unicorn", 2), { kind: "not_found" });
      } finally {
        await store.close?.();
      }
    });

    it("decides the buys of one turn in arrival order: a later, smaller buy may still fit", async () => {
      const { store } = await fixture.open(TOYS);
      const calls = callStore(store);
      try {
        const asked: [string, number][] = [
          ["Tux", 5],
          ["Kite", 2],
          ["Tux", 6],
          ["Tux", 3],
          ["Kite", 2],
          ["Tux", 2],
          ["Tux", 1],
        ];
        const sales = await Promise.all(asked.map(([name, quantity]) => calls.buy(name, quantity)));
        assert.deepEqual(
          sales.map((s) => (s.kind === "bought" ? `${s.toy} ${s.quantity}: ${s.stockLeft}` : s.kind)),
          ["Tux 5: 5", "Kite 2: 1", "sold_out", "Tux 3: 2", "sold_out", "Tux 2: 0", "sold_out"],
        );
        for (const sale of sales) {
          if (sale.kind !== "bought") continue;
          const order = await calls.order(sale.orderId);
          assert.deepEqual([order?.toy, order?.quantity], [sale.toy, sale.quantity], `order ${sale.orderId}`);
        }
        assert.deepEqual(stocks(await calls.list()), { Tux: 0, Kite: 1 });
      } finally {
        await store.close?.();
      }
    });

    it("agrees with a model of the stock on every answer, whatever the buys and restocks (property)", async () => {
      const { store } = await fixture.open(TOYS);
      const calls = callStore(store);
      const step = fc.oneof(
        fc.record({ buy: fc.constantFrom("Tux", "Kite"), quantity: fc.integer({ min: 1, max: 6 }) }),
        fc.record({ restock: fc.constantFrom("Tux", "Kite"), stock: fc.integer({ min: 0, max: 8 }) }),
      );
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
            const model: Record<string, number> = { Tux: 5, Kite: 2 };
            await calls.restock("Tux", { stock: 5 });
            await calls.restock("Kite", { stock: 2 });
            for (const s of steps) {
              if ("restock" in s) {
                model[s.restock] = s.stock;
                assert.equal((await calls.restock(s.restock, { stock: s.stock }))?.stock, s.stock);
                continue;
              }
              const left = model[s.buy]!;
              const sale = await calls.buy(s.buy, s.quantity);
              if (left < s.quantity) {
                assert.deepEqual(sale, { kind: "sold_out" });
                continue;
              }
              model[s.buy] = left - s.quantity;
              assert.ok(sale.kind === "bought");
              assert.deepEqual(
                [sale.toy, sale.stockLeft, sale.quantity],
                [s.buy, left - s.quantity, s.quantity],
              );
              assert.equal((await calls.order(sale.orderId))?.quantity, s.quantity);
            }
            assert.deepEqual(stocks(await calls.list()), model);
          }),
          { numRuns: kind === "memory" ? 100 : 15 },
        );
      } finally {
        await store.close?.();
      }
    });
  });
}

describeStore("postgres", "store batched buys against a concurrent restock", (fixture) => {
  it("takes a sale off the stock a restock committed while the batch waited for the row", async () => {
    const { store, spec } = await fixture.open([{ name: "Tux", priceCents: 1999, stock: 0 }]);
    assert.ok(spec.kind === "postgres");
    const calls = callStore(store);
    // Two connections: one holds the restock open, the other watches for the buy to wait.
    const other = postgres(spec.url, { max: 2, onnotice: () => {} });
    try {
      let buying: Promise<SaleResult> | undefined;
      await other.begin(async (tx) => {
        await tx`UPDATE toys SET stock = stock + 5 WHERE key = 'tux'`;
        // The batched buy (no work, no key) now waits for the row this transaction holds.
        buying = calls.buy("Tux", 2);
        for (;;) {
          const [row] = await other`
            SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`;
          if ((row?.n ?? 0) > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      });
      const sale = await buying!;
      assert.ok(sale.kind === "bought", "the restocked units are there to sell");
      assert.equal(sale.stockLeft, 3);
      const [row] = await other`SELECT stock::int AS stock FROM toys WHERE key = 'tux'`;
      assert.equal(row?.stock, 3, "the stock is what the buyer was told is left");
    } finally {
      await other.end();
      await store.close?.();
    }
  });
});

describeStore("postgres", "store idempotency keys with quantities", (fixture) => {
  for (const lock of LOCK_KINDS) {
    for (const workMs of [0, 1]) {
      it(`sells once per key, remembering the quantity, under ${lock}, work ${workMs} ms`, async () => {
        const { store } = await fixture.open(TOYS);
        const calls = callStore(store, { lock, workMs });
        try {
          const first = await calls.buy("Tux", 4, "key-1");
          assert.ok(first.kind === "bought");
          assert.deepEqual([first.stockLeft, first.quantity, first.unitPriceCents], [6, 4, 1999]);
          await calls.restock("Tux", { priceCents: 2500 });
          assert.deepEqual(
            await calls.buy("tux", 4, "key-1"),
            first,
            "a retry answers the first sale, its price too",
          );
          await assert.rejects(calls.buy("Tux", 3, "key-1"), {
            code: "bad_request",
            message: /already used to buy another toy or quantity/,
          });
          await assert.rejects(calls.buy("Kite", 4, "key-1"), { code: "bad_request" });
          // Copies of one key racing, and other keys: 3 + 2 + 2 + 2 asked, 6 left.
          const racing = await Promise.all([
            ...Array.from({ length: 5 }, () => calls.buy("Tux", 3, "key-2")),
            ...Array.from({ length: 3 }, (_, i) => calls.buy("Tux", 2, `key-3-${i}`)),
          ]);
          const copies = racing.slice(0, 5);
          assert.ok(
            copies.every((b) => JSON.stringify(b) === JSON.stringify(copies[0])),
            "copies agree",
          );
          const sold = new Map(racing.flatMap((b) => (b.kind === "bought" ? [[b.orderId, b.quantity]] : [])));
          assert.equal(
            [...sold.values()].reduce((a, b) => a + b, 0),
            6 - (await calls.list())[0]!.stock,
          );
          const soldOut = await calls.buy("Kite", 5, "key-4");
          assert.deepEqual(soldOut, { kind: "sold_out" });
          assert.deepEqual(
            await calls.buy("Kite", 5, "key-4"),
            soldOut,
            "a sold-out answer is the key's outcome",
          );
          await assert.rejects(calls.buy("Kite", 1, "key-4"), { code: "bad_request" });
          assert.equal((await calls.list())[1]!.stock, 3, "a reused key sells nothing");
        } finally {
          await store.close?.();
        }
      });
    }
  }
});

/** The tables of the previous version (schema 1): orders, and idempotency keys, without a quantity. */
function schemaOne(kind: StoreSpec["kind"]): string[] {
  if (kind === "sqlite")
    return [
      "CREATE TABLE toystore_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
      "INSERT INTO toystore_meta VALUES ('toystore_schema_version', '1')",
      `CREATE TABLE toys (position INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        price_cents INTEGER NOT NULL CHECK (price_cents >= 0), stock INTEGER NOT NULL CHECK (stock >= 0))`,
      `CREATE TABLE orders (id INTEGER PRIMARY KEY, toy_key TEXT NOT NULL, toy TEXT NOT NULL,
        unit_price_cents INTEGER NOT NULL, sold_at TEXT NOT NULL)`,
      "INSERT INTO toys VALUES (0, 'tux', 'Tux', 1999, 8), (1, 'kite', 'Kite', 500, 3)",
      `INSERT INTO orders VALUES (1, 'tux', 'Tux', 1500, '2024-05-01T10:00:00.000Z'),
        (2, 'tux', 'Tux', 1999, '2024-05-02T10:00:00.000Z')`,
    ];
  return [
    "CREATE TABLE toystore_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "INSERT INTO toystore_meta VALUES ('toystore_schema_version', '1')",
    `CREATE TABLE toys (key TEXT PRIMARY KEY, position INT NOT NULL, name TEXT NOT NULL,
      price_cents BIGINT NOT NULL CHECK (price_cents >= 0), stock BIGINT NOT NULL CHECK (stock >= 0))`,
    `CREATE TABLE orders (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, toy_key TEXT NOT NULL,
      toy TEXT NOT NULL, unit_price_cents BIGINT NOT NULL, sold_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    "CREATE TABLE store_lock (id INT PRIMARY KEY)",
    "INSERT INTO store_lock VALUES (1)",
    "CREATE TABLE toy_locks (key TEXT PRIMARY KEY)",
    "INSERT INTO toy_locks VALUES ('tux'), ('kite')",
    `CREATE TABLE request_keys (key TEXT PRIMARY KEY, toy_key TEXT NOT NULL, order_id BIGINT,
      stock_left BIGINT, at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    "INSERT INTO toys VALUES ('tux', 0, 'Tux', 1999, 8), ('kite', 1, 'Kite', 500, 3)",
    `INSERT INTO orders (toy_key, toy, unit_price_cents, sold_at) VALUES
      ('tux', 'Tux', 1500, '2024-05-01T10:00:00Z'), ('tux', 'Tux', 1999, '2024-05-02T10:00:00Z')`,
    "INSERT INTO request_keys (key, toy_key, order_id, stock_left) VALUES ('old-key', 'tux', 2, 8)",
  ];
}

for (const kind of DURABLE_STORE_KINDS) {
  describeStore(kind, "store schema migration", (fixture) => {
    it("serves a database of the previous schema: its orders read back as one unit each", async () => {
      const spec = await fixture.fresh();
      await runSql(spec, schemaOne(kind));
      const opened = await openStore(spec, { toys: [], given: false });
      assert.match(opened.summary, /serving what it holds \(2 toys, 2 orders\)/);
      let store: AnyStore = opened.store;
      try {
        let calls = callStore(store);
        const old = await calls.order("1");
        assert.deepEqual(
          [old?.id, old?.toy, old?.quantity, old?.unitPriceCents, old?.time],
          ["1", "Tux", 1, 1500, "2024-05-01T10:00:00.000Z"],
        );
        assert.equal((await calls.order("2"))?.quantity, 1);
        if (kind === "postgres") {
          const retry: SaleResult = await calls.buy("Tux", 1, "old-key");
          assert.deepEqual(retry, {
            kind: "bought",
            toy: "Tux",
            stockLeft: 8,
            orderId: "2",
            unitPriceCents: 1999,
            quantity: 1,
          });
          await assert.rejects(calls.buy("Tux", 2, "old-key"), { code: "bad_request" });
        }
        const sale = await calls.buy("Tux", 3);
        assert.ok(sale.kind === "bought");
        assert.deepEqual([sale.orderId, sale.stockLeft], ["3", 5]);
        await store.close?.();
        // Migrated once: opened again, it is served as it is now.
        store = (await openStore(spec, { toys: [], given: false })).store;
        calls = callStore(store);
        assert.equal((await calls.order("3"))?.quantity, 3);
        assert.equal((await calls.order("1"))?.quantity, 1);
      } finally {
        await store.close?.();
      }
      await runSql(spec, [`UPDATE toystore_meta SET value = '${SCHEMA_VERSION + 1}'`]);
      await assert.rejects(openStore(spec, { toys: [], given: false }), {
        name: "StoreOpenError",
        message: new RegExp(
          `schema version ${SCHEMA_VERSION + 1}, newer than this server's ${SCHEMA_VERSION}`,
        ),
      });
    });
  });
}
