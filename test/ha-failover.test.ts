// Fault: the database's host lost, with synchronous standbys and automatic
// failover (a 3-node Patroni cluster, strict synchronous mode). Two
// `toystore serve` processes on the cluster's multi-host URL, under keyed buy
// load from failover clients (each buy sent again under its key until
// acknowledged), through each fault in turn on one cluster:
//
//   - the primary's postmaster killed (kill -9);
//   - the primary's whole node lost (its Patroni and PostgreSQL killed);
//   - a planned switchover through the REST API;
//   - a synchronous standby lost: writes go on with the other standby; then
//     with none left, strict mode stops every write until one is back.
//
// Neither server restarts. After each, the books balance: units sold =
// orders stored, every acknowledged buy stored exactly once (its order looked
// up by its key), nothing oversold, the same stock on every surviving node
// (read from each node's own PostgreSQL). Each prints its figures.

import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { connect } from "../src/client/connect.js";
import type { StoreClient } from "../src/client/store-client.js";
import { PatroniCluster } from "../src/study/measure/patroni-cluster.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { waitFor } from "./helpers/grpc-server.js";
import {
  type HaLoad,
  haOrSkip,
  newHaLoad,
  readBooks,
  runHaLoad,
  storedOrders,
  waitUntil,
} from "./helpers/ha.js";
import { readyzStatus } from "./helpers/health.js";

const TOYS = ["Owl", "Fox", "Elk"];
const STOCK = 1_000_000;
const DATABASE = "toystore";
const CLIENTS = 4;
/** Only so that a broken cluster or server fails the test instead of hanging it; never a performance bound. */
const SAFETY_MS = 45_000;
const PLAN = {
  toys: TOYS,
  callTimeoutMs: 3000,
  giveUpMs: 40_000,
  maxBuysPerClient: 5000,
  retryPauseMs: 100,
};

describe("fault: the database's host lost, with synchronous standbys and failover", {
  skip: haOrSkip().skip,
}, () => {
  let cluster: PatroniCluster | undefined;
  const servers: ServerProcess[] = [];
  const clients: StoreClient[] = [];
  /** Every key acknowledged so far, in every fault: each must stay stored exactly once. */
  const acknowledged = new Map<string, string | undefined>();

  before(async () => {
    // log_connections: the connections the servers attempt while there is no primary are counted in the logs.
    cluster = await PatroniCluster.start({ settings: { fsync: "off", log_connections: "on" } });
    const admin = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    for (let i = 0; i < 2; i++)
      servers.push(
        await startToystore({
          transports: ["grpc", "http"],
          flags: { store: cluster.url(DATABASE) },
          // The first fills the database (on the primary); the second serves what it holds, with
          // the query cache, whose listening connection must follow the primary too.
          ...(i === 0
            ? { catalog: TOYS.map((name) => ({ name, price: "1.00", stock: STOCK })) }
            : { switches: ["--query-cache"] }),
        }),
      );
    const endpoints = servers.map((s) => ({ host: "127.0.0.1", port: s.ports.grpc! }));
    for (let c = 0; c < CLIENTS; c++)
      clients.push(
        await connect({ transport: "grpc", port: endpoints[0]!.port, servers: endpoints, first: c }),
      );
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.stop()));
    await cluster?.stop();
  });

  /**
   * Runs the load, waits for it to flow, applies `fault`, waits until buys
   * flow again after it, then `restore`s the cluster to three streaming
   * nodes, stops the load and checks the books.
   */
  async function throughFault(
    t: TestContext,
    prefix: string,
    fault: (c: PatroniCluster, load: HaLoad) => Promise<void>,
    restore: (c: PatroniCluster) => Promise<void>,
  ): Promise<{ load: HaLoad; readyzDown: number }> {
    const c = cluster!;
    const load = newHaLoad();
    const running = runHaLoad(clients, { ...PLAN, prefix }, load);
    let readyzDown = 0;
    try {
      await waitFor(() => load.acknowledged.size >= 40, "40 buys before the fault", SAFETY_MS);
      const before = load.acknowledged.size;
      const watching = (async () => {
        while (!load.stop) {
          if ((await readyzStatus(servers[0]!.ports.http!, 500)) === 503) readyzDown++;
          await sleep(100);
        }
      })();
      await fault(c, load);
      await waitFor(() => load.acknowledged.size >= before + 80, "80 buys after the fault", SAFETY_MS);
      await restore(c);
      await waitFor(
        () => load.acknowledged.size >= before + 120,
        "buys with the cluster restored",
        SAFETY_MS,
      );
      load.stop = true;
      await running;
      await watching;
    } finally {
      load.stop = true;
      await running.catch(() => {});
    }
    for (const [key, order] of load.acknowledged) acknowledged.set(key, order);
    await checkBooks(t, prefix, load);
    return { load, readyzDown };
  }

  async function checkBooks(t: TestContext, fault: string, load: HaLoad): Promise<void> {
    const c = cluster!;
    const primary = await c.primary();
    assert.ok(primary, "a primary after the fault");
    const books = await readBooks(c.nodeUrl(primary.name, DATABASE));
    assert.equal(STOCK * TOYS.length - books.stock, books.unitsSold, "units sold = units in orders");
    assert.equal(books.keys, books.orders, "one order per key stored, no more");
    assert.ok(books.stock >= 0, "nothing oversold");
    const stored = await storedOrders(c.nodeUrl(primary.name, DATABASE), [...acknowledged.keys()]);
    for (const [key, order] of acknowledged) {
      assert.ok(stored.has(key), `acknowledged ${key} is stored`);
      if (order !== undefined) assert.equal(stored.get(key), order, `${key}: the order it was told`);
    }
    const orderIds = [...acknowledged.values()].filter((o) => o !== undefined);
    assert.equal(new Set(orderIds).size, orderIds.length, "no order acknowledged twice");
    assert.ok(books.orders >= acknowledged.size, "every acknowledged buy stored");
    assert.ok(
      books.orders - acknowledged.size <= load.givenUp.length + countGivenUp,
      "only given-up buys beyond",
    );
    countGivenUp += load.givenUp.length;
    // Every surviving node holds the same books once it has replayed what the primary committed.
    for (const node of c.nodes) {
      if (node.pid === undefined || node === primary) continue;
      await waitUntil(
        async () => JSON.stringify(await readBooks(c.nodeUrl(node.name, DATABASE))) === JSON.stringify(books),
        `standby ${node.name} to hold the primary's books`,
        SAFETY_MS,
      );
    }
    const figures = {
      fault,
      acknowledged: load.acknowledged.size,
      // Over every fault so far: one database.
      acknowledgedTotal: acknowledged.size,
      storedTotal: books.orders,
      givenUp: load.givenUp.length,
      failedAttempts: load.failedAttempts,
      withoutPrimaryMs: Math.round(load.longestGapMs),
      primary: primary.name,
    };
    t.diagnostic(JSON.stringify(figures));
  }
  let countGivenUp = 0;

  /** Counts the "connection received" lines every node's log gains from now (PostgreSQL logs through Patroni's output). */
  async function connectionCounter(c: PatroniCluster): Promise<() => Promise<number>> {
    const logs = c.nodes.map((n) => join(n.dir, "log"));
    const sizes = await Promise.all(logs.map(async (file) => (await stat(file)).size));
    return async () => {
      const texts = await Promise.all(logs.map((file) => readFile(file, "utf8")));
      return texts
        .map((text, i) => Buffer.from(text).subarray(sizes[i]).toString())
        .reduce((n, text) => n + (text.match(/connection received:/g)?.length ?? 0), 0);
    };
  }

  const newPrimary = async (c: PatroniCluster, old: string): Promise<void> =>
    waitUntil(async () => ((await c.primary())?.name ?? old) !== old, "a new primary", SAFETY_MS);

  it("the primary's postmaster killed: a standby takes over, the servers follow it", async (t) => {
    let old = "";
    const { readyzDown } = await throughFault(
      t,
      "postmaster",
      async (c) => {
        old = (await c.primary())!.name;
        await c.killPostmaster(old);
        await newPrimary(c, old);
      },
      (c) => c.waitReady(SAFETY_MS),
    );
    t.diagnostic(`readyz 503 samples: ${readyzDown}`);
    assert.ok(
      servers.every((s) => s.exit === undefined),
      "no server restarted",
    );
  });

  it("the primary's whole node lost: a standby takes over, the node rejoins as a standby", async (t) => {
    let old = "";
    const { load, readyzDown } = await throughFault(
      t,
      "node",
      async (c) => {
        old = (await c.primary())!.name;
        const counting = await connectionCounter(c);
        await c.killNode(old);
        const from = performance.now();
        await newPrimary(c, old);
        const seconds = (performance.now() - from) / 1000;
        const perSecond = (await counting()) / seconds;
        t.diagnostic(
          `connections received while without a primary: ${perSecond.toFixed(1)}/s over ${seconds.toFixed(1)} s`,
        );
        // Two servers, each a probe round (at most one attempt per node) every 500 ms, and the pools backing off.
        assert.ok(perSecond < 60, `reconnection is bounded: ${perSecond.toFixed(1)} connections/s`);
      },
      async (c) => {
        c.startNode(old);
        await c.waitReady(SAFETY_MS);
      },
    );
    t.diagnostic(`readyz 503 samples: ${readyzDown}`);
    assert.ok(readyzDown > 0, "/readyz said 503 while there was no primary");
    assert.deepEqual(
      Object.keys(load.failedAttempts).filter(
        (code) => code !== "unavailable" && code !== "deadline_exceeded",
      ),
      [],
      JSON.stringify(load.failedAttempts),
    );
  });

  it("a planned switchover: no buy fails that a retry under its key does not recover", async (t) => {
    const { load } = await throughFault(
      t,
      "switchover",
      async (c) => {
        const old = (await c.primary())!.name;
        await c.switchover();
        await newPrimary(c, old);
      },
      (c) => c.waitReady(SAFETY_MS),
    );
    assert.deepEqual(load.givenUp, [], "every buy acknowledged, retried under its key");
  });

  it("a synchronous standby lost: writes go on with the other; with none left they wait, then resume", async (t) => {
    let lost: string[] = [];
    let stalled = 0;
    const { load } = await throughFault(
      t,
      "sync-standby",
      async (c, running) => {
        const acks = () => running.acknowledged.size;
        const sync = (await c.members()).find((m) => m.role === "sync_standby");
        assert.ok(sync, "a synchronous standby");
        await c.killNode(sync.name);
        lost = [sync.name];
        const at = acks();
        await waitFor(() => acks() >= at + 40, "writes go on with the other standby", SAFETY_MS);
        // The last standby too: strict mode lets no commit be acknowledged on the primary alone.
        const other = (await c.members()).find((m) => m.role !== "leader" && !lost.includes(m.name));
        assert.ok(other, "another standby");
        await c.killNode(other.name);
        lost.push(other.name);
        await sleep(1500); // commits under way when it went may still be acknowledged
        const frozen = acks();
        await sleep(3000);
        stalled = acks() - frozen;
        for (const name of lost) c.startNode(name);
      },
      (c) => c.waitReady(SAFETY_MS),
    );
    t.diagnostic(`acknowledged with no standby left: ${stalled}`);
    assert.equal(stalled, 0, "no write acknowledged with no standby left");
    assert.deepEqual(load.givenUp, [], "every buy acknowledged once a standby was back");
  });
});
