// The refill operation (the restock timer's round) on every store, through
// the StoreService, under every lock policy with and without simulated work:
// only the sold-out toys come back, the answer and the stock watchers list
// them, and refills among concurrent buys lose no sale and oversell nothing.
// And the schema's version 3: a version-2 database is migrated when opened.

import assert from "node:assert/strict";
import { it } from "node:test";
import type { AnyStore } from "../src/catalog/catalog-store.js";
import type { SaleResult, Toy } from "../src/catalog/toy.js";
import { LOCK_KINDS } from "../src/concurrency/section-lock.js";
import type { RefillOutcome } from "../src/service/operations/index.js";
import { StoreService } from "../src/service/store-service.js";
import { openStore } from "../src/stores/open-store.js";
import { SCHEMA_VERSION } from "../src/stores/schema-version.js";
import type { StoreSpec } from "../src/stores/store-spec.js";
import { waitFor } from "./helpers/grpc-server.js";
import { DURABLE_STORE_KINDS, describeStore, runSql, STORE_KINDS } from "./helpers/stores.js";

const TOYS: readonly Toy[] = [
  { name: "Robot", priceCents: 1999, stock: 2 },
  { name: "Kite", priceCents: 850, stock: 0 },
  { name: "Owl", priceCents: 500, stock: 1 },
  { name: "Bear", priceCents: 1200, stock: 0 },
];

const stocksOf = (toys: readonly Toy[]): number[] => toys.map((toy) => toy.stock);

/** The refill request the timer sends, with its period. */
const refill = (to: number, periodMs: number) => ({ op: "refill", to, periodMs }) as const;

for (const kind of STORE_KINDS) {
  describeStore(kind, "the refill operation", (fixture) => {
    it("puts back only the sold-out toys, under every lock policy, with and without simulated work", async () => {
      for (const lock of LOCK_KINDS) {
        for (const workMs of [0, 3]) {
          const where = `${lock}, work ${workMs} ms`;
          const { store } = await fixture.open(TOYS);
          const service = new StoreService(store, { lock, workMs });
          const told: [string, number][] = [];
          // PostgreSQL's changes reach the watchers through its feed, once it listens, a moment after the commit.
          let listening = kind !== "postgres";
          service.watchStock((name, stock) => told.push([name, stock]), {
            resync: () => {
              listening = true;
            },
          });
          try {
            await waitFor(() => listening, "the store listening for stock changes");
            assert.deepEqual(
              await service.run(refill(5, 60_000)),
              {
                kind: "refilled",
                toys: [
                  { name: "Kite", priceCents: 850, stock: 5 },
                  { name: "Bear", priceCents: 1200, stock: 5 },
                ],
              },
              where,
            );
            assert.deepEqual(stocksOf(await service.list()), [2, 5, 1, 5], where);
            await waitFor(() => told.length >= 2, "the refill's changes");
            assert.deepEqual(
              told,
              [
                ["Kite", 5],
                ["Bear", 5],
              ],
              where,
            );
            assert.equal((await service.buy("Owl")).kind, "bought", where);
            const again = await service.run(refill(5, 60_000));
            if (kind === "postgres") {
              // One round per period for every server of the database: this one ran a moment ago.
              assert.equal(again.kind, "not_due", where);
              assert.ok(again.kind === "not_due" && again.dueInMs > 0 && again.dueInMs <= 60_000, where);
              assert.deepEqual(stocksOf(await service.list()), [2, 5, 0, 5], where);
            } else {
              assert.deepEqual(
                again,
                { kind: "refilled", toys: [{ name: "Owl", priceCents: 500, stock: 5 }] },
                where,
              );
              assert.deepEqual(stocksOf(await service.list()), [2, 5, 5, 5], where);
            }
          } finally {
            await service.close();
          }
        }
      }
    });

    it("loses no sale and oversells nothing when refills run among concurrent buys", async () => {
      for (const lock of LOCK_KINDS) {
        // Sold out from the start, so the first round surely finds it so.
        const { store } = await fixture.open([{ name: "Kite", priceCents: 850, stock: 0 }]);
        const service = new StoreService(store, { lock, workMs: 1 });
        try {
          const buys: Promise<SaleResult>[] = [];
          const refills: Promise<RefillOutcome>[] = [];
          for (let i = 0; i < 48; i++) {
            buys.push(service.run({ op: "buy", name: "Kite", quantity: 1 + (i % 3) }));
            if (i % 8 === 4) refills.push(service.run(refill(4, 1)));
          }
          const sold = (await Promise.all(buys)).reduce((n, sale) => {
            if (sale.kind !== "bought") return n;
            assert.ok(sale.stockLeft >= 0, lock);
            return n + sale.quantity;
          }, 0);
          const putBack = (await Promise.all(refills)).reduce(
            (n, round) => n + (round.kind === "refilled" ? round.toys.length * 4 : 0),
            0,
          );
          const [kite] = await service.list();
          assert.ok(putBack > 0, `${lock}: at least the first round put Kite back`);
          assert.equal(kite?.stock, putBack - sold, `${lock}: every unit put back is sold or still there`);
        } finally {
          await service.close();
        }
      }
    });
  });
}

/** A database as version 2 of the schema left it: what version 3 writes, without version 3's additions. */
async function versionTwo(spec: StoreSpec): Promise<void> {
  await (await openStore(spec, { toys: TOYS, given: false })).store.close?.();
  await runSql(spec, [
    ...(spec.kind === "postgres" ? ["DROP TABLE refill_rounds"] : []),
    "UPDATE toystore_meta SET value = '2'",
  ]);
}

async function storedVersion(spec: StoreSpec): Promise<string[]> {
  const versions: string[] = [];
  if (spec.kind === "postgres") {
    const { default: postgres } = await import("postgres");
    const sql = postgres(spec.url, { max: 1, onnotice: () => {} });
    try {
      for (const row of await sql<{ value: string }[]>`SELECT value FROM toystore_meta`)
        versions.push(row.value);
    } finally {
      await sql.end();
    }
  } else if (spec.kind === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(spec.path, { readonly: true });
    try {
      versions.push(...(db.prepare("SELECT value FROM toystore_meta").pluck().all() as string[]));
    } finally {
      db.close();
    }
  }
  return versions;
}

for (const kind of DURABLE_STORE_KINDS) {
  describeStore(kind, `schema version ${SCHEMA_VERSION}`, (fixture) => {
    it("is what a new store is made with", async () => {
      assert.equal(SCHEMA_VERSION, 4);
      const spec = await fixture.fresh();
      await (await openStore(spec, { toys: TOYS, given: false })).store.close?.();
      assert.deepEqual(await storedVersion(spec), [String(SCHEMA_VERSION)]);
    });

    it("migrates a version-2 database when it is opened, which then refills and keeps it", async () => {
      const spec = await fixture.fresh();
      await versionTwo(spec);
      const opened = await openStore(spec, { toys: [], given: false });
      assert.match(opened.summary, /serving what it holds \(4 toys, 0 orders\)/);
      let store: AnyStore = opened.store;
      try {
        // (A SQLite file is held open exclusively: its version is read once it is closed, below.)
        if (kind === "postgres") assert.deepEqual(await storedVersion(spec), [String(SCHEMA_VERSION)]);
        const service = new StoreService(store);
        assert.deepEqual(await service.run(refill(9, 60_000)), {
          kind: "refilled",
          toys: [
            { name: "Kite", priceCents: 850, stock: 9 },
            { name: "Bear", priceCents: 1200, stock: 9 },
          ],
        });
        await store.close?.();
        store = (await openStore(spec, { toys: [], given: false })).store;
        assert.deepEqual(stocksOf(await new StoreService(store).list()), [2, 9, 1, 9]);
      } finally {
        await store.close?.();
      }
      assert.deepEqual(await storedVersion(spec), [String(SCHEMA_VERSION)]);
      if (spec.kind === "postgres") {
        const { default: postgres } = await import("postgres");
        const sql = postgres(spec.url, { max: 1, onnotice: () => {} });
        try {
          const [row] = await sql<{ rounds: string }[]>`SELECT rounds::text FROM refill_rounds`;
          assert.equal(row?.rounds, "1", "the migration made the rounds' row, and the round counted");
        } finally {
          await sql.end();
        }
      }
    });
  });
}
