// One suite over every store: the same answers, the same orders, no oversell
// under any lock policy; and for the durable ones, what survives a restart,
// what a store refuses to open, and a write that fails at run time. The
// stores are called directly (helpers/stores.ts callStore runs the lock policy
// around an owned store as the service does); what only the service does for
// a store (an owned store's idempotency keys, the stock watchers) is the last
// part, through the service. Quantities: store-quantity.test.ts.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { AnyStore } from "../src/catalog/catalog-store.js";
import type { Toy } from "../src/catalog/toy.js";
import { LOCK_KINDS } from "../src/concurrency/section-lock.js";
import { StoreService } from "../src/service/store-service.js";
import { type OpenStoreOptions, openStore } from "../src/stores/open-store.js";
import { SCHEMA_VERSION } from "../src/stores/schema-version.js";
import type { StoreSpec } from "../src/stores/store-spec.js";
import { callStore, DURABLE_STORE_KINDS, describeStore, runSql, STORE_KINDS } from "./helpers/stores.js";

const TOYS: readonly Toy[] = [
  { name: "Tux", priceCents: 1999, stock: 2 },
  { name: "Kite", priceCents: 500, stock: 0 },
  { name: "Élan", priceCents: 1, stock: 5 },
];

const stocks = (toys: readonly Toy[]): Record<string, number> =>
  Object.fromEntries(toys.map((t) => [t.name, t.stock]));

for (const kind of STORE_KINDS) {
  describeStore(kind, "store conformance", (fixture) => {
    it("answers queries and buys as the original design does, and records each sale as an order", async () => {
      const { store } = await fixture.open(TOYS);
      const calls = callStore(store);
      try {
        const tux = { kind: "in_stock", name: "Tux", priceCents: 1999, stock: 2 };
        assert.deepEqual(await calls.query("Tux"), tux);
        assert.deepEqual(await calls.query("  tUX "), tux);
        assert.deepEqual(await calls.query("e\u0301lan"), {
          kind: "in_stock",
          name: "Élan",
          priceCents: 1,
          stock: 5,
        });
        assert.deepEqual(await calls.query("Kite"), { kind: "sold_out", name: "Kite", priceCents: 500 });
        assert.deepEqual(await calls.query("Unicorn"), { kind: "not_found" });
        assert.deepEqual(await calls.buy("Kite"), { kind: "sold_out" });
        assert.deepEqual(await calls.buy("Unicorn"), { kind: "not_found" });
        const before = Date.now();
        const bought = await calls.buy("tux");
        assert.ok(bought.kind === "bought");
        assert.deepEqual(bought, {
          kind: "bought",
          toy: "Tux",
          stockLeft: 1,
          orderId: bought.orderId,
          unitPriceCents: 1999,
          quantity: 1,
        });
        const order = await calls.order(bought.orderId);
        assert.deepEqual(
          [order?.id, order?.toy, order?.quantity, order?.unitPriceCents],
          [bought.orderId, "Tux", 1, 1999],
        );
        const at = Date.parse(order?.time ?? "");
        // The store's clock and this one may differ by the time's precision (PostgreSQL: microseconds).
        assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `order time ${order?.time}`);
        for (const id of ["999999", "0", "-1", "1.0", "abc", ""])
          assert.equal(await calls.order(id), undefined);
        assert.deepEqual(stocks(await calls.list()), { Tux: 1, Kite: 0, Élan: 5 });
        assert.deepEqual(await calls.buy("Tux"), {
          kind: "bought",
          toy: "Tux",
          stockLeft: 0,
          orderId: String(Number(bought.orderId) + 1),
          unitPriceCents: 1999,
          quantity: 1,
        });
        assert.deepEqual(await calls.query("Tux"), { kind: "sold_out", name: "Tux", priceCents: 1999 });
      } finally {
        await store.close?.();
      }
    });

    it("refuses a quantity no request may carry, and sells nothing", async () => {
      const { store } = await fixture.open(TOYS);
      const calls = callStore(store);
      try {
        for (const quantity of [0, -1, 1.5, Number.NaN])
          await assert.rejects(async () => await calls.buy("Tux", quantity), RangeError, String(quantity));
        assert.deepEqual(stocks(await calls.list()), stocks(TOYS));
      } finally {
        await store.close?.();
      }
    });

    it("restocks: sets or adds stock and sets the price, under every lock; orders keep the price paid", async () => {
      for (const lock of LOCK_KINDS) {
        const { store } = await fixture.open(TOYS);
        const calls = callStore(store, { lock, workMs: 0 });
        try {
          const sold = await calls.buy("Tux");
          assert.ok(sold.kind === "bought");
          assert.deepEqual(await calls.restock("kite", { stock: 3 }), {
            name: "Kite",
            priceCents: 500,
            stock: 3,
          });
          assert.deepEqual(await calls.query("Kite"), {
            kind: "in_stock",
            name: "Kite",
            priceCents: 500,
            stock: 3,
          });
          assert.deepEqual(await calls.restock("Tux", { addStock: 4, priceCents: 2500 }), {
            name: "Tux",
            priceCents: 2500,
            stock: 5,
          });
          assert.deepEqual(await calls.query("Tux"), {
            kind: "in_stock",
            name: "Tux",
            priceCents: 2500,
            stock: 5,
          });
          assert.equal((await calls.order(sold.orderId))?.unitPriceCents, 1999, `${lock}: the price paid`);
          const next = await calls.buy("Tux");
          assert.ok(next.kind === "bought");
          assert.equal(next.unitPriceCents, 2500, `${lock}: the sale says the new price`);
          assert.equal((await calls.order(next.orderId))?.unitPriceCents, 2500, `${lock}: the new price`);
          assert.equal(await calls.restock("Unicorn", { stock: 1 }), undefined);
        } finally {
          await store.close?.();
        }
      }
    });

    for (const lock of LOCK_KINDS) {
      for (const workMs of [0, 2]) {
        it(`sells exactly K units to M > K concurrent buyers under ${lock}, work ${workMs} ms, every order found`, async () => {
          const K = 12;
          const M = 30;
          const { store } = await fixture.open([
            { name: "Tux", priceCents: 1999, stock: K },
            { name: "Kite", priceCents: 500, stock: 100 },
          ]);
          const calls = callStore(store, { lock, workMs });
          try {
            const [buys, queries, others] = await Promise.all([
              Promise.all(Array.from({ length: M }, () => calls.buy("Tux"))),
              Promise.all(Array.from({ length: 10 }, () => calls.query("Tux"))),
              Promise.all(Array.from({ length: 5 }, () => calls.buy("Kite"))),
            ]);
            const ids = buys.flatMap((b) => (b.kind === "bought" ? [b.orderId] : []));
            assert.equal(ids.length, K, "exactly K bought");
            assert.equal(buys.filter((b) => b.kind === "sold_out").length, M - K);
            assert.equal(new Set(ids).size, K, "one distinct order per sale");
            assert.deepEqual(
              buys.flatMap((b) => (b.kind === "bought" ? [b.stockLeft] : [])).sort((a, b) => a - b),
              Array.from({ length: K }, (_, i) => i),
              "each sale left a different stock, K-1 down to 0",
            );
            for (const q of queries) {
              if (q.kind === "in_stock") assert.ok(q.stock >= 1 && q.stock <= K, `query saw ${q.stock}`);
              else assert.equal(q.kind, "sold_out");
            }
            assert.ok(others.every((b) => b.kind === "bought"));
            for (const id of ids) assert.equal((await calls.order(id))?.toy, "Tux");
            assert.deepEqual(stocks(await calls.list()), { Tux: 0, Kite: 95 });
          } finally {
            await store.close?.();
          }
        });
      }
    }
  });
}

for (const kind of DURABLE_STORE_KINDS) {
  describeStore(kind, "durable store", (fixture) => {
    const reopen = async (
      spec: StoreSpec,
      options?: OpenStoreOptions,
    ): Promise<{ store: AnyStore; summary: string }> =>
      await openStore(spec, { toys: [], given: false }, options);

    it("keeps a restock across a restart", async () => {
      const spec = await fixture.fresh();
      const first = await openStore(spec, { toys: TOYS, given: false });
      await callStore(first.store).restock("Kite", { stock: 7, priceCents: 650 });
      await first.store.close?.();
      const { store } = await reopen(spec);
      try {
        assert.deepEqual(await callStore(store).query("Kite"), {
          kind: "in_stock",
          name: "Kite",
          priceCents: 650,
          stock: 7,
        });
      } finally {
        await store.close?.();
      }
    });

    it("keeps every sale across a restart, and serves what it holds without the catalog", async () => {
      const spec = await fixture.fresh();
      const first = await openStore(spec, { toys: TOYS, given: true });
      assert.match(first.summary, /created, filled with the catalog \(3 toys\)/);
      const calls = callStore(first.store);
      const sold = await Promise.all([calls.buy("Tux"), calls.buy("Élan"), calls.buy("Élan", 2)]);
      await first.store.close?.();

      const again = await reopen(spec);
      assert.match(again.summary, /serving what it holds \(3 toys, 3 orders\)/);
      const restarted = callStore(again.store);
      try {
        assert.deepEqual(stocks(await restarted.list()), { Tux: 1, Kite: 0, Élan: 2 });
        for (const result of sold) {
          assert.ok(result.kind === "bought");
          const order = await restarted.order(result.orderId);
          assert.equal(order?.quantity, result.quantity, `order ${result.orderId} kept, with its quantity`);
        }
        const next = await restarted.buy("Tux");
        assert.ok(
          next.kind === "bought" && !sold.some((s) => s.kind === "bought" && s.orderId === next.orderId),
        );
      } finally {
        await again.store.close?.();
      }
    });

    it("refuses --catalog for a store that holds one, saying how to replace it, and changes nothing", async () => {
      const spec = await fixture.fresh();
      await (await openStore(spec, { toys: TOYS, given: false })).store.close?.();
      await assert.rejects(
        openStore(spec, { toys: [{ name: "Other", priceCents: 1, stock: 1 }], given: true }),
        {
          name: "StoreOpenError",
          message:
            /already holds a catalog \(3 toys\); start without --catalog to serve it, or .+ to replace it/,
        },
      );
      const { store } = await reopen(spec);
      assert.deepEqual(stocks(await callStore(store).list()), stocks(TOYS));
      await store.close?.();
    });

    it("refuses another program's database and a newer schema version", async () => {
      const foreign = await fixture.fresh();
      await runSql(foreign, ["CREATE TABLE accounts (id INTEGER PRIMARY KEY)"]);
      await assert.rejects(reopen(foreign), {
        name: "StoreOpenError",
        message: /holds tables of another program/,
      });

      const newer = await fixture.fresh();
      await (await openStore(newer, { toys: TOYS, given: false })).store.close?.();
      await runSql(newer, ["UPDATE toystore_meta SET value = '99'"]);
      await assert.rejects(reopen(newer), {
        name: "StoreOpenError",
        message: new RegExp(
          `schema version 99, newer than this server's ${SCHEMA_VERSION}: upgrade toystore`,
        ),
      });
    });

    it("answers a buy whose write fails with an error, acknowledges nothing, logs it, and keeps serving", async () => {
      const spec = await fixture.fresh();
      const toys = [...TOYS, { name: "Fault", priceCents: 100, stock: 1 }];
      await (await openStore(spec, { toys, given: false })).store.close?.();
      // A real failure inside the database, on the order's insert: the stock change must roll back with it.
      await runSql(
        spec,
        spec.kind === "sqlite"
          ? [
              "CREATE TRIGGER fail BEFORE INSERT ON orders WHEN NEW.toy = 'Fault' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
            ]
          : [
              "CREATE FUNCTION fail() RETURNS trigger AS $$ BEGIN IF NEW.toy = 'Fault' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
              "CREATE TRIGGER fail BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION fail()",
            ],
      );
      const logged: string[] = [];
      const { store } = await reopen(spec, { log: (message) => logged.push(message) });
      const calls = callStore(store);
      try {
        // The second buy finds the toy sold out only because of the first, which is not stored: it fails too.
        const [first, second] = await Promise.allSettled([calls.buy("Fault"), calls.buy("Fault")]);
        assert.equal(first.status, "rejected");
        if (kind === "sqlite") assert.equal(second.status, "rejected");
        assert.deepEqual(await calls.query("Fault"), {
          kind: "in_stock",
          name: "Fault",
          priceCents: 100,
          stock: 1,
        });
        assert.ok(
          logged.some((line) => /a commit failed.*disk on fire/.test(line)),
          logged.join("\n"),
        );
        assert.equal((await calls.buy("Tux")).kind, "bought");
      } finally {
        await store.close?.();
      }
      const { store: after } = await reopen(spec);
      assert.deepEqual(stocks(await callStore(after).list()), { ...stocks(toys), Tux: 1 });
      await after.close?.();
    });
  });
}

describeStore("sqlite", "sqlite store files", (fixture) => {
  it("names the file and the problem for a directory, a missing folder, and a file that is not SQLite", async () => {
    const spec = await fixture.fresh();
    assert.ok(spec.kind === "sqlite");
    const notSqlite = `${spec.path}.txt`;
    await writeFile(notSqlite, "hello, this is not a database\n".repeat(100));
    for (const [path, message] of [
      ["/tmp", /^sqlite:\/tmp is a directory, not a database file$/],
      [
        "/no/such/folder/shop.db",
        /^cannot open sqlite:\/no\/such\/folder\/shop\.db: .*directory does not exist/,
      ],
      [notSqlite, /: the file is not a SQLite database$/],
    ] as const) {
      await assert.rejects(openStore({ kind: "sqlite", path }, { toys: TOYS, given: false }), {
        name: "StoreOpenError",
        message,
      });
    }
  });

  it("refuses a second server on a file another one has open", async () => {
    const spec = await fixture.fresh();
    const { store } = await openStore(spec, { toys: TOYS, given: false });
    try {
      await assert.rejects(openStore(spec, { toys: TOYS, given: false }), {
        name: "StoreOpenError",
        message: /another process has the file open/,
      });
    } finally {
      await store.close?.();
    }
  });
});

// What the service adds to a store: an owned store's idempotency keys (a
// shared store keeps its own: store-quantity.test.ts calls it directly too),
// and the stock watchers.
for (const kind of STORE_KINDS) {
  describeStore(kind, "a store through the service", (fixture) => {
    for (const lock of LOCK_KINDS) {
      it(`sells once per idempotency key under ${lock}: retries, racing duplicates, a reused key`, async () => {
        const { store } = await fixture.open([
          { name: "Tux", priceCents: 1999, stock: 5 },
          { name: "Kite", priceCents: 500, stock: 1 },
        ]);
        const service = new StoreService(store, { lock, workMs: 1 });
        const buy = (name: string, requestKey?: string, quantity = 1) =>
          service.run({ op: "buy", name, quantity, requestKey });
        try {
          const first = await buy("Tux", "key-1");
          assert.ok(first.kind === "bought" && first.stockLeft === 4);
          assert.deepEqual(await buy("tux", "key-1"), first, "a retry answers the first outcome");
          // Ten copies of one key at once, and ten keys once each: eleven units asked, five left to sell.
          const racing = await Promise.all([
            ...Array.from({ length: 10 }, () => buy("Tux", "key-2")),
            ...Array.from({ length: 10 }, (_, i) => buy("Tux", `key-3-${i}`)),
          ]);
          const copies = racing.slice(0, 10);
          assert.ok(
            copies.every((b) => JSON.stringify(b) === JSON.stringify(copies[0])),
            "copies agree",
          );
          const orders = new Set(racing.flatMap((b) => (b.kind === "bought" ? [b.orderId] : [])));
          assert.equal(orders.size, 4, "four units sold, each once");
          assert.deepEqual(stocks(await service.list()), { Tux: 0, Kite: 1 });
          await assert.rejects(buy("Kite", "key-1"), /already used to buy another toy or quantity/);
          await assert.rejects(buy("Tux", "key-1", 2), /already used to buy another toy or quantity/);
          assert.deepEqual(stocks(await service.list()), { Tux: 0, Kite: 1 }, "a reused key sells nothing");
          const soldOut = await buy("Tux", "key-4");
          assert.deepEqual(soldOut, { kind: "sold_out" });
          assert.deepEqual(await buy("Tux", "key-4"), soldOut, "a sold-out answer is the key's outcome too");
          assert.deepEqual(await buy("Unicorn", "key-5"), { kind: "not_found" });
          await assert.rejects(buy("Tux", "bad key"), /idempotency key/);
          await assert.rejects(buy("Tux", "a".repeat(101)), /idempotency key/);
          const last = await buy("Kite");
          assert.ok(last.kind === "bought");
          assert.equal(last.orderId, String(Number(first.orderId) + 5));
        } finally {
          await service.close();
        }
      });
    }

    it("tells the watchers every stock change: sales of any quantity and restocks", async () => {
      const { store } = await fixture.open(TOYS);
      const service = new StoreService(store);
      const told: string[] = [];
      service.watchStock((name, stock) => told.push(`${name}:${stock}`));
      try {
        // On PostgreSQL the changes come back through the store's announcements, once it listens.
        for (let i = 0; i < 500 && !service.watchingLive; i++) await sleep(10);
        await service.run({ op: "buy", name: "Tux", quantity: 1 });
        await service.run({ op: "restock", name: "kite", change: { stock: 3 } });
        await service.run({ op: "buy", name: "Élan", quantity: 4 });
        await service.run({ op: "buy", name: "Élan", quantity: 4 });
        for (let i = 0; i < 500 && told.length < 3; i++) await sleep(10);
        assert.deepEqual(told, ["Tux:1", "Kite:3", "Élan:1"]);
      } finally {
        await service.close();
      }
    });
  });
}
