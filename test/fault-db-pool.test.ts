// Fault: more requests than database connections. With `serve --db-pool 2
// --db-wait-ms 300` and simulated work that holds each connection through a
// transaction, a burst of concurrent buys is served two at a time: the ones
// that get no connection within 300 ms fail "unavailable: all 2 database
// connections busy for 300 ms" at once instead of queueing without bound; the
// server stays up, healthy (busy is not away) and serves afterwards. And when
// PostgreSQL's own max_connections is what runs out, the driver (postgres 4)
// keeps the connections it has and retries the others with a back-off, so the
// buys share the connections it got; one that waits past --db-wait-ms fails
// "unavailable" saying why, nothing crashes. In both cases no statement of a
// refused buy ran, so the orders are exactly the acknowledged buys.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import postgres from "postgres";
import { connect } from "../src/client/connect.js";
import type { StoreClient, Transport } from "../src/client/store-client.js";
import { isStoreError } from "../src/errors.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { type ServeFlagValues, startToystore } from "../src/study/measure/toystore-launch.js";
import { healthClient, healthStatus, readyzStatus } from "./helpers/health.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

/** Enough toys that per-toy locks never make the buys wait on each other: only the connections do. */
const TOYS = Array.from({ length: 12 }, (_, i) => `Toy ${i + 1}`);
const STOCK = 1000;
const BURST = 40;
const CALL_TIMEOUT_MS = 10_000;

function healthOf(server: ServerProcess): Promise<string> {
  const health = healthClient(server.ports.grpc!);
  return healthStatus(health, 2000).finally(() => health.close());
}

/** Asserts that the database holds one order per acknowledged buy and that the stock that left is the orders; returns its books. */
async function balancedBooks(url: string, acknowledged: number): Promise<{ stock: number; orders: number }> {
  const stored = await books(url);
  assert.equal(stored.orders, acknowledged, "one order per acknowledged buy, none for a refused one");
  assert.equal(stored.stock + stored.orders, STOCK * TOYS.length);
  return stored;
}

interface Outcome {
  readonly transport: Transport;
  readonly ms: number;
  readonly bought: boolean;
  readonly code?: string;
  readonly message?: string;
}

/** BURST buys at once, spread over the clients, half of them under idempotency keys. */
async function burst(clients: readonly StoreClient[], tag: string): Promise<Outcome[]> {
  return await Promise.all(
    Array.from({ length: BURST }, async (_, i): Promise<Outcome> => {
      const client = clients[i % clients.length]!;
      const toy = TOYS[i % TOYS.length]!;
      const asked = performance.now();
      const options = { timeoutMs: CALL_TIMEOUT_MS, ...(i % 2 === 0 ? { requestKey: `${tag}-${i}` } : {}) };
      try {
        const result = await client.buy(toy, options);
        return {
          transport: client.transport,
          ms: performance.now() - asked,
          bought: result.kind === "bought",
        };
      } catch (error) {
        if (!isStoreError(error)) throw error;
        const ms = performance.now() - asked;
        return { transport: client.transport, ms, bought: false, code: error.code, message: error.message };
      }
    }),
  );
}

/** The longest refusal per transport (the socket protocol and HTTP/1.1 answer a connection's calls in order; gRPC does not). */
function longestRefusals(refused: readonly Outcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of refused) out[o.transport] = Math.max(out[o.transport] ?? 0, Math.round(o.ms));
  return out;
}

/** How many refusals said what (the socket protocol's say "unavailable" alone). */
function messages(refused: readonly Outcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of refused) out[o.message ?? ""] = (out[o.message ?? ""] ?? 0) + 1;
  return out;
}

/** The stock left and the orders stored. */
async function books(url: string): Promise<{ stock: number; orders: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ stock: string; orders: string }[]>`
      SELECT (SELECT sum(stock) FROM toys) AS stock, (SELECT count(*) FROM orders) AS orders`;
    return { stock: Number(row!.stock), orders: Number(row!.orders) };
  } finally {
    await sql.end();
  }
}

/**
 * One server on `url`, with clients of every transport, for `run`; everything
 * stopped after (so that the books can be read: a full database has no room
 * for the test's own connection while the server holds them all).
 */
async function withServer<T>(
  url: string,
  flags: ServeFlagValues,
  run: (server: ServerProcess, clients: StoreClient[]) => Promise<T>,
): Promise<T> {
  const server = await startToystore({
    transports: ["socket", "grpc", "http"],
    flags: {
      store: url,
      // Enough handlers that the whole burst reaches the store at once: only the connections limit it.
      poolSize: 64,
      grpcMaxConcurrency: 64,
      httpMaxConcurrency: 64,
      ...flags,
    },
    catalog: TOYS.map((name) => ({ name, price: "1.00", stock: STOCK })),
  });
  const clients: StoreClient[] = [];
  try {
    // gRPC multiplexes a connection; HTTP/1.1 and the socket protocol get a few each.
    clients.push(await connect({ transport: "grpc", port: server.ports.grpc! }));
    for (let i = 0; i < 4; i++)
      clients.push(await connect({ transport: "socket", port: server.ports.socket! }));
    for (let i = 0; i < 8; i++) clients.push(await connect({ transport: "http", port: server.ports.http! }));
    const result = await run(server, clients);
    assert.equal(server.exit, undefined, "the server stayed up");
    return result;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    const stopped = await server.stop();
    assert.equal(stopped.killed, false, "stopped by SIGTERM");
  }
}

/** A few buys one after another: the server serves again. */
async function servesAfterwards(clients: readonly StoreClient[]): Promise<number> {
  let bought = 0;
  for (const client of clients.slice(0, 5)) {
    const result = await client.buy(TOYS[0]!, { timeoutMs: CALL_TIMEOUT_MS });
    assert.equal(result.kind, "bought");
    bought++;
  }
  return bought;
}

describe("fault: the database connections run out", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("--db-pool 2 --db-wait-ms 300: a burst of 40 buys is served two at a time, the rest fail unavailable at 300 ms, none hangs", async (t) => {
    const url = await freshDatabase(cluster);
    const flags = { dbPool: 2, dbWaitMs: 300, workMs: 150, lock: "per-toy" };
    const { outcomes, after } = await withServer(url, flags, async (server, clients) => {
      const outcomes = await burst(clients, "pool");
      // Busy is not away: still healthy and ready.
      assert.equal(await healthOf(server), "SERVING");
      assert.equal(await readyzStatus(server.ports.http!, 2000), 200);
      return { outcomes, after: await servesAfterwards(clients) };
    });
    const bought = outcomes.filter((o) => o.bought);
    const refused = outcomes.filter((o) => !o.bought);
    assert.ok(bought.length >= 2, `bought ${bought.length}`);
    assert.ok(refused.length >= BURST / 2, `refused ${refused.length} of ${BURST}`);
    for (const o of refused) {
      assert.equal(o.code, "unavailable", JSON.stringify(o));
      // The socket protocol's ERR line carries the code alone.
      if (o.transport !== "socket")
        assert.equal(o.message, "store unavailable: all 2 database connections busy for 300 ms");
    }
    const refusedMs = refused.map((o) => o.ms);
    // Refused once it had waited its 300 ms (a timer fires a little late, never early).
    assert.ok(Math.min(...refusedMs) >= 290, `a refusal after ${Math.min(...refusedMs)} ms`);
    const stored = await balancedBooks(url, bought.length + after);
    const figures = {
      burst: BURST,
      acknowledged: bought.length,
      refused: refused.length,
      stored: stored.orders - after,
      shortestRefusalMs: Math.round(Math.min(...refusedMs)),
      longestRefusalMs: longestRefusals(refused),
      longestBuyMs: Math.round(Math.max(...bought.map((o) => o.ms))),
    };
    t.diagnostic(JSON.stringify(figures));
    console.log(`fault-db-pool ${JSON.stringify(figures)}`);
  });

  describe("PostgreSQL's max_connections reached", () => {
    let small: PostgresCluster;
    before(async () => {
      // 6 in all (a superuser may take the reserved ones too): the server's probe and first
      // connection, and 4 more; its pool of 16 asks for more.
      small = await startTestCluster({ settings: { max_connections: "6" } });
    });
    after(async () => {
      await small?.stop();
    });

    it("buys share the connections PostgreSQL admits; one that gets none in time fails unavailable saying why; the server stays up", async (t) => {
      const url = await freshDatabase(small);
      const flags = { dbPool: 16, workMs: 300, lock: "per-toy" };
      const { outcomes, after } = await withServer(url, flags, async (server, clients) => {
        const outcomes = await burst(clients, "max");
        // Full is not away: the probe keeps its connection, the server stays ready.
        assert.equal(await healthOf(server), "SERVING");
        assert.equal(await readyzStatus(server.ports.http!, 2000), 200);
        return { outcomes, after: await servesAfterwards(clients) };
      });
      const bought = outcomes.filter((o) => o.bought);
      const refused = outcomes.filter((o) => !o.bought);
      assert.ok(bought.length >= 1, `bought ${bought.length}`);
      // Whether any buy is refused depends on how many connections the driver got before
      // PostgreSQL said no: the refused ones, if any, say why.
      const tooMany = refused.filter((o) => /too many connections/.test(o.message ?? ""));
      for (const o of refused) {
        assert.equal(o.code, "unavailable", JSON.stringify(o));
        if (o.transport !== "socket")
          assert.match(
            o.message ?? "",
            /^store unavailable: (the database refuses more connections \(too many connections: raise its max_connections, or lower --db-pool or --workers\)|all 16 database connections busy for 2000 ms)$/,
          );
      }
      // The server is gone: its connections are free for the test's.
      await balancedBooks(url, bought.length + after);
      const figures = {
        burst: BURST,
        acknowledged: bought.length,
        refused: refused.length,
        tooManyConnections: tooMany.length,
        longestRefusalMs: longestRefusals(refused),
        messages: messages(refused),
      };
      t.diagnostic(JSON.stringify(figures));
      console.log(`fault-db-pool max_connections ${JSON.stringify(figures)}`);
    });
  });
});
