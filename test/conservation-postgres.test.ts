// Two server processes on one PostgreSQL database: a query on one sees every
// buy acknowledged by the other; with K units and M > K buyers spread over
// both, exactly K buys succeed under every lock policy, and the order ids the
// two servers hand out never collide.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { BuyResult } from "../src/catalog/toy.js";
import { connectGrpcClient } from "../src/client/grpc-client.js";
import { SocketStoreClient } from "../src/client/socket-client.js";
import type { StoreClient } from "../src/client/store-client.js";
import { LOCK_KINDS, type LockKind } from "../src/concurrency/section-lock.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

const K = 20;
const CLIENTS_PER_SERVER = 4;
const BUYS_PER_CLIENT = 8; // M = 2 servers x 4 clients x 8 = 64 > K

/**
 * Two servers on a fresh database, pushed to `servers` as they start (so the
 * caller stops whatever started): the first creates the schema from a catalog
 * of Tux alone, the second serves what the database holds.
 */
async function startTwoServers(
  cluster: PostgresCluster,
  given: { readonly lock?: LockKind; readonly workMs?: number; readonly queryCache?: boolean },
  stock: number,
  servers: ServerProcess[],
): Promise<void> {
  const store = await freshDatabase(cluster);
  const { queryCache = false, ...flags } = given;
  // With --query-cache each server answers queries from its memory, kept current by the announcements.
  const switches = queryCache ? ["--query-cache"] : [];
  servers.push(
    await startToystore({
      flags: { ...flags, store },
      catalog: [{ name: "Tux", price: "19.99", stock }],
      switches,
    }),
  );
  servers.push(await startToystore({ flags: { ...flags, store }, switches }));
}

describe("conservation across two servers on one PostgreSQL", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("never answers a stale read: a query on one server sees every buy the other acknowledged", async () => {
    const servers: ServerProcess[] = [];
    const clients: StoreClient[] = [];
    try {
      await startTwoServers(cluster, {}, 1000, servers);
      const [a, b] = servers as [ServerProcess, ServerProcess];
      const buyer = await SocketStoreClient.connect({ port: a.ports.socket! });
      const reader = await connectGrpcClient({ port: b.ports.grpc!, ownConnection: true });
      const watcher = await SocketStoreClient.connect({ port: b.ports.socket! });
      clients.push(buyer, reader, watcher);
      // A watcher on the other server queries all along: its answers never rise (no restock here).
      let watching = true;
      const seen: number[] = [];
      const watch = (async () => {
        for (let i = 0; i < 2000 && watching; i++) {
          const answer = await watcher.query("Tux");
          if (answer.kind === "in_stock") seen.push(answer.stock);
        }
      })();
      for (let i = 1; i <= 30; i++) {
        assert.equal((await buyer.buy("Tux")).kind, "bought");
        // Asked after the acknowledgement, on the other server: it must already count this buy.
        const read = await reader.query("Tux");
        assert.deepEqual(read.kind === "in_stock" ? [read.priceCents, read.stock] : read, [1999, 1000 - i]);
      }
      watching = false;
      await watch;
      assert.ok(seen.length > 0);
      for (let i = 1; i < seen.length; i++)
        assert.ok(seen[i]! <= seen[i - 1]!, `stock rose: ${seen[i - 1]} then ${seen[i]}`);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(servers.map((s) => s.stop()));
    }
  });

  // With simulated work each policy takes its own lock in the database; with none, every policy is
  // the same batched statement, so one run covers that path.
  // And with the query cache on both servers: buys still decide in the database.
  const cases = [
    ...LOCK_KINDS.map((lock) => ({ lock, workMs: 2, queryCache: false })),
    { lock: "rwlock" as const, workMs: 0, queryCache: false },
    { lock: "rwlock" as const, workMs: 0, queryCache: true },
    { lock: "mutex" as const, workMs: 2, queryCache: true },
  ];
  for (const { lock, workMs, queryCache } of cases) {
    it(`sells exactly ${K} units to 64 buyers on two servers, lock ${lock}, work ${workMs} ms${queryCache ? ", query cache" : ""}`, async () => {
      const servers: ServerProcess[] = [];
      const clients: StoreClient[] = [];
      try {
        await startTwoServers(cluster, { lock, workMs, queryCache }, K, servers);
        assert.ok(servers[1]!.output.some((line) => /serving what it holds \(1 toy, 0 orders\)/.test(line)));
        for (const server of servers) {
          clients.push(
            ...(await Promise.all(
              Array.from({ length: CLIENTS_PER_SERVER / 2 }, () =>
                SocketStoreClient.connect({ port: server.ports.socket! }),
              ),
            )),
            ...(await Promise.all(
              Array.from({ length: CLIENTS_PER_SERVER / 2 }, () =>
                connectGrpcClient({ port: server.ports.grpc!, ownConnection: true }),
              ),
            )),
          );
        }
        const buys: BuyResult[] = (
          await Promise.all(
            clients.map(async (client) => {
              const results: BuyResult[] = [];
              for (let i = 0; i < BUYS_PER_CLIENT; i++) results.push(await client.buy("Tux"));
              return results;
            }),
          )
        ).flat();
        const bought = buys.filter((b) => b.kind === "bought");
        assert.equal(bought.length, K, "exactly K bought across both servers");
        assert.equal(buys.filter((b) => b.kind === "sold_out").length, buys.length - K);
        const ids = bought.flatMap((b) => (b.orderId === undefined ? [] : [b.orderId]));
        assert.ok(ids.length > 0, "the gRPC clients saw order ids");
        assert.equal(new Set(ids).size, ids.length, "no order id given twice");
        // With the cache, each server's answer follows the other's last sale once announced: poll a while.
        for (const client of clients) {
          let answer = await client.query("Tux");
          for (let i = 0; queryCache && answer.kind !== "sold_out" && i < 200; i++) {
            await new Promise((resolve) => setTimeout(resolve, 10));
            answer = await client.query("Tux");
          }
          assert.equal(answer.kind, "sold_out");
        }
      } finally {
        await Promise.all(clients.map((c) => c.close()));
        await Promise.all(servers.map((s) => s.stop()));
      }
    });
  }

  // Buys of several units over both transports: the batched statement (no work) and a lock held in the
  // database through the work. (Every policy, on the stores directly: conservation-quantity.test.ts.)
  for (const { lock, workMs, queryCache } of [
    { lock: "rwlock" as const, workMs: 0, queryCache: false },
    { lock: "per-toy" as const, workMs: 2, queryCache: false },
    { lock: "rwlock" as const, workMs: 0, queryCache: true },
  ]) {
    it(`sells no more than the stock to buyers of mixed quantities on two servers, lock ${lock}, work ${workMs} ms${queryCache ? ", query cache" : ""}`, async () => {
      const servers: ServerProcess[] = [];
      const clients: StoreClient[] = [];
      try {
        await startTwoServers(cluster, { lock, workMs, queryCache }, K, servers);
        for (const server of servers)
          clients.push(
            await SocketStoreClient.connect({ port: server.ports.socket! }),
            await connectGrpcClient({ port: server.ports.grpc!, ownConnection: true }),
          );
        // Quantities 1 to 4 over every client: 40 units asked for K.
        const asked = clients.flatMap((client, c) =>
          Array.from({ length: 4 }, (_, i) => ({ client, quantity: ((c + i) % 4) + 1 })),
        );
        const buys = await Promise.all(asked.map(({ client, quantity }) => client.buy("Tux", { quantity })));
        // The list reads the database (a cached query could precede the other server's last sale).
        const left = (await clients[0]!.list()).find((toy) => toy.name === "Tux")?.stock ?? -1;
        let sold = 0;
        for (const [i, buy] of buys.entries()) {
          const quantity = asked[i]!.quantity;
          if (buy.kind === "bought") {
            // A client knows what its wire carries: the quantity, or else the order, which holds it.
            if (buy.quantity !== undefined)
              assert.equal(buy.quantity, quantity, "a sale is of the quantity asked");
            sold += quantity;
            if (buy.orderId !== undefined)
              assert.equal((await clients[i % clients.length]!.order(buy.orderId))?.quantity, quantity);
          } else {
            assert.equal(buy.kind, "sold_out");
            assert.ok(quantity > left, `a buy of ${quantity} refused with ${left} left at the end`);
          }
        }
        assert.ok(sold > 0 && left >= 0);
        assert.equal(sold, K - left, "units sold = initial - final stock, across both servers");
      } finally {
        await Promise.all(clients.map((c) => c.close()));
        await Promise.all(servers.map((s) => s.stop()));
      }
    });
  }
});
