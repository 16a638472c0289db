// The PostgreSQL store's query cache (serve --query-cache), with two stores
// ("servers") on one database: A's cache is kept current by B's sales,
// restocks and refills; A reads its own buys at once; a burst of sales
// through both arrives in commit order and leaves every cache equal to the
// database; a killed listening connection empties the cache, which is right
// again once the store listens anew; the bound holds over a catalog of more
// toys than it holds.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Section } from "../src/catalog/catalog-store.js";
import type { Toy } from "../src/catalog/toy.js";
import type { Announcement } from "../src/stores/postgres/announce.js";
import { PostgresStore, type PostgresStoreOptions } from "../src/stores/postgres/postgres-store.js";
import { StockListener } from "../src/stores/postgres/stock-listener.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import { waitFor } from "./helpers/grpc-server.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

const NO_WORK: Section = { lock: "rwlock", workMs: 0 };
const TOYS: readonly Toy[] = [
  { name: "Robot", priceCents: 1999, stock: 100 },
  { name: "Kite", priceCents: 850, stock: 100 },
  { name: "Owl", priceCents: 500, stock: 100 },
];

/** A store's cache lookups, as its hook tells them. */
interface Lookups {
  hits: number;
  misses: number;
}

function countLookups(store: PostgresStore): Lookups {
  const counted = { hits: 0, misses: 0 };
  store.onCacheLookup = (hit) => {
    if (hit) counted.hits++;
    else counted.misses++;
  };
  return counted;
}

/** The stock a query answers (-1: not in stock). */
async function stockOf(store: PostgresStore, name: string, section = NO_WORK): Promise<number> {
  const answer = await store.query(name, section);
  return answer.kind === "in_stock" ? answer.stock : answer.kind === "sold_out" ? 0 : -1;
}

/** Polls the query until it answers `stock` (at most a few seconds). */
async function until(store: PostgresStore, name: string, stock: number): Promise<void> {
  let last = await stockOf(store, name);
  for (let i = 0; i < 500 && last !== stock; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    last = await stockOf(store, name);
  }
  assert.equal(last, stock, `${name} answered ${last}, not ${stock}`);
}

describe("the PostgreSQL store's query cache, two stores on one database", {
  skip: postgresOrSkip().skip,
}, () => {
  let cluster: PostgresCluster;
  const opened: PostgresStore[] = [];
  const listeners: StockListener[] = [];
  const logged: string[] = [];
  const log = (message: string): void => {
    logged.push(message);
  };
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await Promise.all(listeners.map((listener) => listener.close()));
    await Promise.all(opened.map((store) => store.close()));
    await cluster?.stop();
  });

  async function open(
    url: string,
    toys: readonly Toy[],
    options: PostgresStoreOptions,
  ): Promise<PostgresStore> {
    const { store } = await PostgresStore.open(
      url,
      "test",
      { toys, given: toys.length > 0 },
      { log, ...options },
    );
    opened.push(store);
    return store;
  }

  /** A with the cache (listening), B with or without it. */
  async function twoStores(
    toys: readonly Toy[] = TOYS,
    a: PostgresStoreOptions = { queryCache: true },
    b: PostgresStoreOptions = {},
  ): Promise<[PostgresStore, PostgresStore, string]> {
    const url = await freshDatabase(cluster);
    const first = await open(url, toys, a);
    const second = await open(url, [], b);
    await waitFor(() => first.feed?.listening === true, "A listening");
    return [first, second, url];
  }

  it("is refused with --db-announce off", async () => {
    const url = await freshDatabase(cluster);
    await assert.rejects(
      PostgresStore.open(url, "test", { toys: TOYS, given: false }, { queryCache: true, dbAnnounce: "off" }),
      /cannot go with --db-announce off/,
    );
  });

  it("answers from memory, and is kept current by another store's sale, restock and refill", async () => {
    const [a, b] = await twoStores();
    const lookups = countLookups(a);
    const heard: boolean[] = [];
    a.onAnnouncement = (_delay, fromOther) => heard.push(fromOther);
    assert.equal(await stockOf(a, "Robot"), 100);
    assert.equal(await stockOf(a, "Robot"), 100);
    assert.deepEqual(lookups, { hits: 1, misses: 1 });
    assert.equal(a.cacheEntries, 1);

    await b.buy("Robot", NO_WORK, 3);
    await waitFor(() => heard.length === 1, "B's sale announced to A");
    assert.equal(await stockOf(a, "Robot"), 97, "the announcement updated A's entry");
    assert.equal(lookups.misses, 1, "answered from memory, not read");

    await b.restock("Robot", { stock: 40, priceCents: 2500 });
    await waitFor(() => heard.length === 2, "B's restock announced to A");
    const answer = await a.query("Robot", NO_WORK);
    assert.deepEqual(answer, { kind: "in_stock", name: "Robot", priceCents: 2500, stock: 40 });

    await stockOf(a, "Kite");
    await b.buy("Kite", NO_WORK, 100);
    await waitFor(() => heard.length === 3, "Kite sold out");
    assert.equal(await stockOf(a, "Kite"), 0);
    const round = await b.refill(9, 60_000, NO_WORK);
    assert.equal(round.kind, "refilled");
    await waitFor(() => heard.length === 4, "B's refill announced to A");
    assert.equal(await stockOf(a, "Kite"), 9);
    assert.equal(lookups.misses, 2, "Robot and Kite read once each, then served from memory");
    assert.ok(heard.every((fromOther) => fromOther));
  });

  it("reads its own buys, restocks and refills at once", async () => {
    const [a] = await twoStores();
    const lookups = countLookups(a);
    assert.equal(await stockOf(a, "Owl"), 100);
    assert.equal((await a.buy("Owl", NO_WORK, 4)).kind, "bought");
    assert.equal(await stockOf(a, "Owl"), 96, "no wait for the announcement");
    assert.equal((await a.buy("Owl", NO_WORK, 6, "key-a")).kind, "bought");
    assert.equal(await stockOf(a, "Owl"), 90);
    assert.equal((await a.buy("Owl", { lock: "per-toy", workMs: 1 }, 90)).kind, "bought");
    assert.equal(await stockOf(a, "Owl"), 0);
    await a.refill(5, 60_000, NO_WORK);
    assert.equal(await stockOf(a, "Owl"), 5);
    await a.restock("Owl", { addStock: 2 });
    assert.equal(await stockOf(a, "Owl"), 7);
    assert.deepEqual(lookups, { hits: 5, misses: 1 });
  });

  it("answers a hit with no lock and no simulated work; a miss runs them and fills", async () => {
    const [a] = await twoStores();
    const lookups = countLookups(a);
    const locked: Section = { lock: "mutex", workMs: 5 };
    assert.equal(await stockOf(a, "Kite", locked), 100);
    assert.equal(await stockOf(a, "Kite", locked), 100);
    assert.deepEqual(lookups, { hits: 1, misses: 1 });
  });

  it("gets a burst of sales through both stores in commit order, and ends equal to the database", async () => {
    const [a, b, url] = await twoStores(TOYS, { queryCache: true }, { queryCache: true });
    await waitFor(() => b.feed?.listening === true, "B listening");
    // A listener of the test's, to see the versions the stores' watchers are not shown.
    const versions = new Map<string, number[]>();
    const listener = new StockListener(url, 1, log);
    listeners.push(listener);
    let listening = false;
    listener.subscribe({
      change: (announcement: Announcement) => {
        const seen = versions.get(announcement.key) ?? [];
        seen.push(announcement.version);
        versions.set(announcement.key, seen);
      },
      down: () => {},
      resync: () => {
        listening = true;
      },
    });
    await waitFor(() => listening, "the test's listener");
    const fed = new Map<string, number>();
    const stopFeed = a.feed?.watchStock(
      (name, stock) => fed.set(name, stock),
      () => {},
    );
    for (const name of ["Robot", "Kite", "Owl"]) {
      await stockOf(a, name);
      await stockOf(b, name);
    }
    // 3 rounds of 60 buys over both stores, keyed, locked and batched, with queries among them.
    for (let round = 0; round < 3; round++) {
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i++) {
        const store = i % 2 === 0 ? a : b;
        const name = TOYS[i % 3]!.name;
        const section: Section = i % 7 === 0 ? { lock: "per-toy", workMs: 1 } : NO_WORK;
        const key = i % 5 === 0 ? `burst-${round}-${i}` : undefined;
        calls.push(store.buy(name, section, 1 + (i % 2), key), Promise.resolve(store.query(name, NO_WORK)));
      }
      await Promise.all(calls);
    }
    const database = await a.list();
    const total = (versionsOf: Map<string, number[]>) =>
      [...versionsOf.values()].reduce((n, v) => n + v.length, 0);
    // Every sale announced; wait until the last of each toy's arrived.
    const { default: postgres } = await import("postgres");
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    let rows: { key: string; version: string }[] = [];
    try {
      rows = await sql<{ key: string; version: string }[]>`SELECT key, version::text FROM toys`;
    } finally {
      await sql.end();
    }
    await waitFor(
      () => rows.every((row) => versions.get(row.key)?.at(-1) === Number(row.version)),
      "every toy's last version",
    );
    assert.ok(total(versions) > 0);
    for (const [key, seen] of versions)
      for (let i = 1; i < seen.length; i++)
        assert.ok(seen[i]! > seen[i - 1]!, `${key}: version ${seen[i]} after ${seen[i - 1]}`);
    await waitFor(
      () => database.every((toy) => fed.get(toy.name) === toy.stock),
      "A's feed at the final stocks",
    );
    for (const toy of database) {
      assert.equal(await stockOf(a, toy.name), toy.stock, `A's cache: ${toy.name}`);
      assert.equal(await stockOf(b, toy.name), toy.stock, `B's cache: ${toy.name}`);
    }
    stopFeed?.();
  });

  it("is not served while its listening connection is gone, and is right again once it listens anew", async () => {
    const [a, b, url] = await twoStores();
    const lookups = countLookups(a);
    let resyncs = 0;
    const stop = a.feed?.watchStock(
      () => {},
      () => resyncs++,
    );
    assert.equal(await stockOf(a, "Kite"), 100);
    assert.equal(await stockOf(a, "Kite"), 100);
    assert.equal(a.cacheEntries, 1);
    const { default: postgres } = await import("postgres");
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ pid: number }[]>`
        SELECT pid FROM pg_stat_activity
        WHERE application_name = 'toystore stock listener' AND datname = current_database()`;
      assert.ok(row !== undefined);
      await sql`SELECT pg_terminate_backend(${row.pid})`;
    } finally {
      await sql.end();
    }
    // A sale while A may not be listening: its announcement may never reach A.
    await b.buy("Kite", NO_WORK, 10);
    await waitFor(() => resyncs === 1, "A listening again, its watchers resynced", 10_000);
    assert.equal(a.cacheEntries, 0, "emptied: nothing held from before is served");
    assert.ok(logged.some((line) => /lost the connection listening for stock changes/.test(line)));
    const misses = lookups.misses;
    assert.equal(await stockOf(a, "Kite"), 90);
    assert.equal(lookups.misses, misses + 1, "read afresh");
    assert.equal(await stockOf(a, "Kite"), 90);
    await b.buy("Kite", NO_WORK, 1);
    await until(a, "Kite", 89);
    stop?.();
  });

  it("holds at most its size over a catalog of 1,200 toys", async () => {
    const toys = Array.from({ length: 1200 }, (_, i) => ({ name: `Toy ${i}`, priceCents: 100, stock: 5 }));
    const [a] = await twoStores(toys, { queryCache: true, queryCacheSize: 100 });
    const lookups = countLookups(a);
    for (let i = 0; i < toys.length; i += 50)
      await Promise.all(toys.slice(i, i + 50).map((toy) => a.query(toy.name, NO_WORK)));
    assert.equal(a.cacheEntries, 100);
    assert.equal(lookups.misses, 1200);
    // The last 100 asked are the ones held.
    assert.equal(await stockOf(a, "Toy 1199"), 5);
    assert.equal(await stockOf(a, "Toy 0"), 5);
    assert.equal(lookups.hits, 1);
    assert.equal(a.cacheEntries, 100);
    assert.equal(await stockOf(a, "No such toy"), -1);
    assert.equal(a.cacheEntries, 100, "an unknown name is never cached");
  });
});
