// Fault: a worker of `serve --workers 2` on PostgreSQL is killed (SIGKILL)
// while clients buy through it. The primary starts another; the clients whose
// connections died fail over (reconnect to the same port, where the primary
// hands them to a live worker) and resend their buys under the same keys.
// The books must balance: every unit that left the stock is one stored order,
// and every buy a client was told about is exactly one of them.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import postgres from "postgres";
import { connect } from "../src/client/connect.js";
import type { StoreClient } from "../src/client/store-client.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { waitFor } from "./helpers/grpc-server.js";
import { runKeyedBuyers, settle } from "./helpers/keyed-buyers.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

const TOYS = ["Owl", "Fox", "Elk"];
const STOCK = 150; // per toy: 450 units for 16 x 40 = 640 buys, so some sell out
const CLIENTS = 16;
const BUYS_PER_CLIENT = 40;
const KILL_AFTER = 120; // answered buys

describe("fault: a worker killed under load", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("is replaced; its clients fail over and every acknowledged buy is stored exactly once", async (t) => {
    const url = await freshDatabase(cluster);
    const server = await startToystore({
      transports: ["socket", "grpc"],
      flags: { store: url, workers: 2 },
      catalog: TOYS.map((name) => ({ name, price: "2.00", stock: STOCK })),
    });
    const clients: StoreClient[] = [];
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const ports = { socket: server.ports.socket!, grpc: server.ports.grpc! };
      const workerPids = () =>
        server.output.flatMap((line) => {
          const m = /"msg":"worker started".*"worker":(\d+)|"worker":(\d+).*"msg":"worker started"/.exec(
            line,
          );
          return m ? [Number(m[1] ?? m[2])] : [];
        });
      assert.equal(workerPids().length, 2);
      // Half over the socket protocol, half over gRPC (whose answers carry the order id).
      for (let c = 0; c < CLIENTS; c++) {
        const transport = c % 2 === 0 ? "socket" : "grpc";
        const port = ports[transport];
        const servers = [{ host: "127.0.0.1", port }];
        clients.push(await connect({ transport, host: "127.0.0.1", port, servers, failoverMs: 2000 }));
      }
      let killedAt: number | undefined;
      const victim = workerPids()[0]!;
      const books = await runKeyedBuyers(clients, {
        toys: TOYS,
        buysPerClient: BUYS_PER_CLIENT,
        timeoutMs: 10_000,
        prefix: "kill",
        onAnswer: (so) => {
          if (killedAt === undefined && so.acknowledged + so.soldOut >= KILL_AFTER) {
            killedAt = performance.now();
            process.kill(victim, "SIGKILL");
          }
        },
      });
      assert.ok(killedAt !== undefined, "the worker was killed during the load");
      await waitFor(() => workerPids().length === 3, "a replacement worker", 30_000);
      const during = { ...books.errors };
      await settle(clients[0]!, books, 10_000);
      assert.deepEqual(books.unsettled, [], "every buy's outcome is known once it is sent again");

      const failovers = clients.reduce((sum, client) => sum + (client.failovers ?? 0), 0);
      const [row] = await sql<{ stock: string; orders: string }[]>`
        SELECT (SELECT sum(stock) FROM toys) AS stock, (SELECT count(*) FROM orders) AS orders`;
      const stored = Number(row?.orders);
      t.diagnostic(
        `acknowledged ${books.acknowledged}, sold out ${books.soldOut}, stored ${stored}, ` +
          `failed during the fault ${JSON.stringify(during)}, failovers ${failovers}, ` +
          `longest buy ${Math.round(books.longestMs)} ms`,
      );
      assert.ok(failovers > 0, "the killed worker's clients moved");
      assert.equal(Number(row?.stock) + stored, TOYS.length * STOCK, "units sold = orders stored");
      assert.equal(stored, books.acknowledged, "every acknowledged buy stored once, nothing more");
      assert.equal(books.orderIds.size, books.withOrderId, "no order id given twice");
      assert.ok(books.withOrderId > 0);
      const [found] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM orders WHERE id = ANY(${[...books.orderIds]}::bigint[])`;
      assert.equal(found?.n, books.orderIds.size, "every order id a client was given is stored");
      assert.equal(books.acknowledged + books.soldOut, CLIENTS * BUYS_PER_CLIENT);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await sql.end();
      const stopped = await server.stop();
      assert.equal(stopped.code, 0);
    }
  });
});
