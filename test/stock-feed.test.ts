// The PostgreSQL store's announcements, with two stores ("servers") on one
// database: every committed stock change made through either (batched, keyed
// and locked buys, a restock, a refill) reaches both stores' feeds, in commit
// order; a lost listening connection is made again and the watchers resync;
// --db-announce off announces nothing; no listening connection is made
// until someone watches.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Section } from "../src/catalog/catalog-store.js";
import { PostgresStore, type PostgresStoreOptions } from "../src/stores/postgres/postgres-store.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import { waitFor } from "./helpers/grpc-server.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

const NO_WORK: Section = { lock: "rwlock", workMs: 0 };
const LOCKED: Section = { lock: "mutex", workMs: 1 };
const TOYS = [
  { name: "Robot", priceCents: 1999, stock: 50 },
  { name: "Kite", priceCents: 850, stock: 50 },
];

/** What a watcher saw: each change as "name:stock", and how many resyncs. */
interface Seen {
  readonly changes: string[];
  resyncs: number;
  stop: () => void;
}

function watch(store: PostgresStore): Seen {
  assert.ok(store.feed !== undefined, "the store announces");
  const seen: Seen = { changes: [], resyncs: 0, stop: () => {} };
  seen.stop = store.feed.watchStock(
    (name, stock) => seen.changes.push(`${name}:${stock}`),
    () => seen.resyncs++,
  );
  return seen;
}

/** The listener's backend pids on the database (application_name "toystore stock listener"). */
async function listenerPids(store: PostgresStore): Promise<number[]> {
  const rows = await sqlOf(store)`
    SELECT pid FROM pg_stat_activity WHERE application_name = 'toystore stock listener' AND datname = current_database()`;
  return rows.map((row) => Number(row.pid));
}

/** A one-off connection of the test's, on the store's database (for pg_stat_activity and pg_terminate_backend). */
let sqlOf: (store: PostgresStore) => import("postgres").Sql;

describe("stock announcements across two PostgreSQL stores", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster;
  const opened: PostgresStore[] = [];
  const sqls: import("postgres").Sql[] = [];
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await Promise.all(opened.map((store) => store.close()));
    await Promise.all(sqls.map((sql) => sql.end()));
    await cluster?.stop();
  });

  async function twoStores(
    options: PostgresStoreOptions = {},
  ): Promise<[PostgresStore, PostgresStore, string]> {
    const url = await freshDatabase(cluster);
    const { default: postgres } = await import("postgres");
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    sqls.push(sql);
    sqlOf = () => sql;
    const a = (await PostgresStore.open(url, "test", { toys: TOYS, given: false }, options)).store;
    opened.push(a);
    const b = (await PostgresStore.open(url, "test", { toys: [], given: false }, options)).store;
    opened.push(b);
    return [a, b, url];
  }

  it("a change through either store reaches both feeds: batched, keyed and locked buys, a restock, a refill", async () => {
    const [a, b] = await twoStores();
    const onA = watch(a);
    const onB = watch(b);
    await waitFor(() => onA.resyncs === 1 && onB.resyncs === 1, "both stores listening");
    assert.equal(a.feed?.listening, true);
    await b.buy("Robot", NO_WORK, 2);
    await b.buy("Robot", NO_WORK, 1, "key-1");
    await b.buy("Kite", LOCKED, 50);
    await a.buy("Robot", NO_WORK, 3);
    await b.restock("Robot", { addStock: 10 });
    await b.refill(7, 60_000, NO_WORK);
    const expected = ["Robot:48", "Robot:47", "Kite:0", "Robot:44", "Robot:54", "Kite:7"];
    await waitFor(
      () => onA.changes.length >= expected.length && onB.changes.length >= expected.length,
      "6 changes",
    );
    assert.deepEqual(onA.changes, expected);
    assert.deepEqual(onB.changes, expected);
    // A keyed repeat changes nothing, and announces nothing.
    await b.buy("Robot", NO_WORK, 1, "key-1");
    await a.buy("Kite", NO_WORK, 1);
    await waitFor(() => onA.changes.length === 7, "the next change");
    assert.deepEqual(onA.changes.slice(6), ["Kite:6"]);
    onA.stop();
    onB.stop();
  });

  it("tells the hook each announcement's delay, and whether another server made it", async () => {
    const [a, b] = await twoStores();
    const told: { delayMs: number; fromOther: boolean }[] = [];
    a.onAnnouncement = (delayMs, fromOther) => told.push({ delayMs, fromOther });
    const seen = watch(a);
    await waitFor(() => seen.resyncs === 1, "listening");
    await a.buy("Robot", NO_WORK, 1);
    await b.buy("Robot", NO_WORK, 1);
    await waitFor(() => told.length === 2, "two announcements");
    assert.deepEqual(
      told.map((t) => t.fromOther),
      [false, true],
    );
    for (const { delayMs } of told) assert.ok(Number.isFinite(delayMs) && delayMs > -1000, String(delayMs));
    seen.stop();
  });

  it("listens only while watched, and after its connection is killed listens again and resyncs", async () => {
    const [a, b] = await twoStores();
    assert.deepEqual(await listenerPids(a), [], "nobody watches: no listening connection");
    const seen = watch(a);
    await waitFor(() => seen.resyncs === 1, "listening");
    const [pid] = await listenerPids(a);
    assert.ok(pid !== undefined);
    await sqlOf(a)`SELECT pg_terminate_backend(${pid})`;
    await waitFor(() => seen.resyncs === 2, "listening again after the kill", 10_000);
    assert.equal(a.feed?.listening, true);
    await b.buy("Kite", NO_WORK, 5);
    await waitFor(() => seen.changes.includes("Kite:45"), "a change after the resync");
    seen.stop();
    await waitFor(() => a.feed?.listening === false, "stopped listening");
    let pids = await listenerPids(a);
    for (let i = 0; i < 100 && pids.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      pids = await listenerPids(a);
    }
    assert.deepEqual(pids, [], "the last watcher gone: the connection ended");
  });

  it("through a database restart, listens again and resyncs, and changes after it reach the feed", async () => {
    const [a, b] = await twoStores();
    const seen = watch(a);
    await waitFor(() => seen.resyncs === 1, "listening");
    await cluster.kill();
    await waitFor(() => a.feed?.listening === false, "the listening connection lost");
    await cluster.start();
    await waitFor(() => seen.resyncs === 2, "listening again after the restart", 20_000);
    // The pools come back once the health probe finds the database again.
    await waitFor(() => a.healthy === true && b.healthy === true, "both stores healthy", 20_000);
    await b.buy("Robot", NO_WORK, 4);
    await waitFor(() => seen.changes.includes("Robot:46"), "a change after the restart");
    seen.stop();
  });

  it("with --db-announce off, has no feed and its changes announce nothing", async () => {
    const url = await freshDatabase(cluster);
    const quiet = (await PostgresStore.open(url, "test", { toys: TOYS, given: false }, { dbAnnounce: "off" }))
      .store;
    opened.push(quiet);
    const loud = (await PostgresStore.open(url, "test", { toys: [], given: false })).store;
    opened.push(loud);
    assert.equal(quiet.feed, undefined);
    const seen = watch(loud);
    await waitFor(() => seen.resyncs === 1, "listening");
    await quiet.buy("Robot", NO_WORK, 1);
    await loud.buy("Kite", NO_WORK, 1);
    await waitFor(() => seen.changes.length >= 1, "the announcing store's change");
    assert.deepEqual(seen.changes, ["Kite:49"]);
    seen.stop();
  });
});
