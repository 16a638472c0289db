// Two `toystore serve` processes on one PostgreSQL database, each stream of
// /api/events read with a plain HTTP client: a buy through either server
// reaches both streams; through a database restart, and through the loss of
// the listening connections alone (pg_terminate_backend) with a sale made
// meanwhile, both streams stay open, resume with a snapshot, and end up
// showing what the database holds; a sale after that reaches both.

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, afterEach, before, describe, it } from "node:test";
import postgres from "postgres";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { type CatalogEntry, startToystore } from "../src/study/measure/toystore-launch.js";
import {
  type EventStreamReader,
  openEventStream,
  type StreamEvent,
  snapshotOf,
} from "./helpers/event-stream.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

const CATALOG: readonly CatalogEntry[] = [
  { name: "Tux", price: "19.99", stock: 50 },
  { name: "Kite", price: "3.00", stock: 50 },
];
/** Bound on each wait for an event: the listening connection's back-off is at most 2 s, the database's restart a few. */
const WAIT_MS = 30_000;

/** What a reader of the stream shows: the last snapshot, with every stock event after it applied. */
function shown(events: readonly StreamEvent[]): Record<string, number> {
  const stock: Record<string, number> = {};
  for (const event of events) {
    if (event.event === "snapshot") Object.assign(stock, snapshotOf(event));
    else if (event.event === "stock") {
      const { name, stock: left } = JSON.parse(event.data) as { name: string; stock: number };
      stock[name] = left;
    }
  }
  return stock;
}

const snapshots = (events: readonly StreamEvent[]): number =>
  events.filter((e) => e.event === "snapshot").length;
const hasStock = (name: string, stock: number) => (events: readonly StreamEvent[]) =>
  events.some((e) => e.event === "stock" && e.data === JSON.stringify({ name, stock }));

describe("/api/events across two servers on one PostgreSQL", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster;
  const servers: ServerProcess[] = [];
  const readers: EventStreamReader[] = [];

  before(async () => {
    // Kept on stop, so that it can start again on the same data; removed in after().
    cluster = await startTestCluster({ keep: true });
  });
  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    for (const server of servers.splice(0)) await server.stop();
  });
  after(async () => {
    await cluster?.stop();
    if (cluster !== undefined) await rm(cluster.dir, { recursive: true, force: true });
  });

  /** Two servers on a fresh database (the first creates it from CATALOG), and a stream read on each. */
  async function twoServers(): Promise<{ url: string; bases: string[]; streams: EventStreamReader[] }> {
    const url = await freshDatabase(cluster);
    servers.push(await startToystore({ transports: ["http"], flags: { store: url }, catalog: CATALOG }));
    servers.push(await startToystore({ transports: ["http"], flags: { store: url } }));
    const bases = servers.map((server) => `http://127.0.0.1:${server.ports.http}`);
    const streams: EventStreamReader[] = [];
    for (const base of bases) {
      const reader = await openEventStream(`${base}/api/events`, WAIT_MS);
      readers.push(reader);
      streams.push(reader);
      await reader.waitFor("the first snapshot", (events) => snapshots(events) === 1, WAIT_MS);
      assert.deepEqual(snapshotOf(reader.events[0]!), { Tux: 50, Kite: 50 });
    }
    return { url, bases, streams };
  }

  async function buy(base: string, name: string): Promise<number> {
    const response = await fetch(`${base}/api/toys/${name}/buy`, { method: "POST" });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { stockLeft: number }).stockLeft;
  }

  it("shows a buy through either server on both servers' streams, once each", async () => {
    const { bases, streams } = await twoServers();
    assert.equal(await buy(bases[1]!, "Tux"), 49);
    assert.equal(await buy(bases[0]!, "Tux"), 48);
    for (const reader of streams) {
      await reader.waitFor("both sales", hasStock("Tux", 48), WAIT_MS);
      assert.deepEqual(
        reader.events.slice(1).map((e) => e.data),
        ['{"name":"Tux","stock":49}', '{"name":"Tux","stock":48}'],
        "each sale once, in commit order: a server's own comes through the database too, not twice",
      );
    }
  });

  it("resumes both streams with a snapshot after the database restarts, and shows a sale after it", async () => {
    const { bases, streams } = await twoServers();
    assert.equal(await buy(bases[1]!, "Kite"), 49);
    for (const reader of streams) await reader.waitFor("the sale", hasStock("Kite", 49), WAIT_MS);

    await cluster.stop();
    await cluster.start();
    for (const reader of streams) {
      await reader.waitFor("a snapshot after the restart", (events) => snapshots(events) >= 2, WAIT_MS);
      assert.equal(reader.ended, false, "the stream stayed open through the restart");
      assert.deepEqual(snapshotOf(reader.events.findLast((e) => e.event === "snapshot")!), {
        Tux: 50,
        Kite: 49,
      });
    }
    // The database answers again once the store's health probe says so: retried until then.
    let left: number | undefined;
    for (let attempt = 0; left === undefined && attempt < 100; attempt++) {
      const response = await fetch(`${bases[1]}/api/toys/Tux/buy`, { method: "POST" });
      if (response.ok) left = ((await response.json()) as { stockLeft: number }).stockLeft;
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(left, 49);
    for (const reader of streams) {
      await reader.waitFor("the sale after the restart", hasStock("Tux", 49), WAIT_MS);
      assert.deepEqual(shown(reader.events), { Tux: 49, Kite: 49 });
    }
  });

  it("shows a sale made while the listening connections were cut, through the snapshot after they are back", async () => {
    const { url, bases, streams } = await twoServers();
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const cut = await sql<{ pid: number }[]>`
        SELECT pid FROM pg_stat_activity
        WHERE application_name = 'toystore stock listener' AND pid <> pg_backend_pid()`;
      assert.equal(cut.length, 2, "one listening connection per server");
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE application_name = 'toystore stock listener'`;
      // Perhaps before a server listens again: then no stock event tells it, its snapshot does.
      assert.equal(await buy(bases[0]!, "Kite"), 49);
    } finally {
      await sql.end();
    }
    for (const reader of streams) {
      await reader.waitFor("a snapshot after the cut", (events) => snapshots(events) >= 2, WAIT_MS);
      await reader.waitFor(
        "the sale, by an event or the snapshot",
        (events) => shown(events).Kite === 49,
        WAIT_MS,
      );
    }
    assert.equal(await buy(bases[1]!, "Kite"), 48);
    for (const reader of streams) {
      await reader.waitFor("the sale after the cut", hasStock("Kite", 48), WAIT_MS);
      assert.deepEqual(shown(reader.events), { Tux: 50, Kite: 48 });
    }
  });
});
