// No buy oversells and no update is lost: with K units and M > K concurrent
// buyers over many connections, exactly K buys succeed, whatever the lock.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryCatalog } from "../src/catalog/memory-store.js";
import { connect } from "../src/client/connect.js";
import { SocketStoreClient } from "../src/client/socket-client.js";
import { LOCK_KINDS } from "../src/concurrency/section-lock.js";
import { StoreService } from "../src/service/store-service.js";
import { startGrpcServer } from "../src/transport/grpc/grpc-server.js";
import { startSocketServer } from "../src/transport/socket/socket-server.js";
import { startTestSocketServer } from "./helpers/socket-server.js";

const K = 25;
const CONNECTIONS = 8;
const BUYS_PER_CONNECTION = 8; // M = 64 > K

for (const lock of LOCK_KINDS) {
  for (const workMs of [0, 2]) {
    describe(`conservation over sockets, lock ${lock}, work ${workMs} ms`, () => {
      it(`sells exactly ${K} of ${K} units to ${CONNECTIONS * BUYS_PER_CONNECTION} concurrent buyers`, async () => {
        const server = await startTestSocketServer({
          toys: [{ name: "Tux", priceCents: 1999, stock: K }],
          service: { lock, workMs },
          server: { poolSize: 5, maxQueued: 1000 },
        });
        const clients = await Promise.all(
          Array.from({ length: CONNECTIONS }, () => SocketStoreClient.connect({ port: server.port })),
        );
        // Queries run alongside the buys: they must never see a negative or over-full stock.
        const [buys, queries] = await Promise.all([
          Promise.all(
            clients.flatMap((c) => Array.from({ length: BUYS_PER_CONNECTION }, () => c.buy("Tux"))),
          ),
          Promise.all(clients.flatMap((c) => [c.query("Tux"), c.query("Tux")])),
        ]);
        assert.equal(buys.filter((r) => r.kind === "bought").length, K);
        assert.equal(buys.filter((r) => r.kind === "sold_out").length, CONNECTIONS * BUYS_PER_CONNECTION - K);
        for (const q of queries) {
          if (q.kind === "in_stock") assert.ok(q.stock >= 1 && q.stock <= K);
          else assert.equal(q.kind, "sold_out");
        }
        assert.equal((await server.service.query("Tux")).kind, "sold_out");
        await Promise.all(clients.map((c) => c.close()));
        await server.close();
      });
    });
  }
}

describe("conservation across transports", () => {
  it("sells the last K units exactly once to buyers on the socket and gRPC at once", async () => {
    const toys = [{ name: "Whale", priceCents: 3450, stock: K }];
    const service = new StoreService(new InMemoryCatalog(toys), { lock: "rwlock", workMs: 1 });
    const socket = await startSocketServer(service, { port: 0 });
    const grpc = await startGrpcServer({ service, port: 0 });
    const clients = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        connect(
          i % 2 === 0
            ? { transport: "socket", port: socket.address.port }
            : { transport: "grpc", port: grpc.address.port },
        ),
      ),
    );
    const buys = await Promise.all(
      clients.flatMap((client) => Array.from({ length: 10 }, () => client.buy("whale"))),
    );
    assert.equal(buys.filter((r) => r.kind === "bought").length, K);
    assert.equal(buys.filter((r) => r.kind === "sold_out").length, 60 - K);
    // Both transports sold some: the shared catalog really was shared.
    const boughtVia = (transport: string) =>
      buys.filter((r, i) => r.kind === "bought" && clients[Math.floor(i / 10)]!.transport === transport)
        .length;
    assert.ok(boughtVia("socket") > 0 && boughtVia("grpc") > 0);
    assert.equal((await service.query("Whale")).kind, "sold_out");
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([socket.close(1000), grpc.close(1000)]);
  });
});
