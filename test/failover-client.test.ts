// The failover client against real socket servers: two servers of one store
// (one StoreService behind both, as PostgreSQL is behind every server of a
// deployment), a server that dies, and one that accepts and says nothing.

import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { after, describe, it } from "node:test";
import { InMemoryCatalog } from "../src/catalog/memory-store.js";
import { connect } from "../src/client/connect.js";
import { FailoverClient } from "../src/client/failover-client.js";
import { resolveTarget } from "../src/client/target.js";
import { OptionError } from "../src/options/schema.js";
import { StoreService } from "../src/service/store-service.js";
import { startSocketServer } from "../src/transport/socket/socket-server.js";

const toys = [{ name: "Tux", priceCents: 100, stock: 50 }];

/** Two socket servers over one service. */
async function twoServers() {
  const service = new StoreService(new InMemoryCatalog(toys));
  const servers = [
    await startSocketServer(service, { host: "127.0.0.1", port: 0 }),
    await startSocketServer(service, { host: "127.0.0.1", port: 0 }),
  ];
  return {
    service,
    servers,
    endpoints: servers.map((s) => ({ host: "127.0.0.1", port: s.address.port })),
    close: () => Promise.all(servers.map((s) => s.close(1000))),
  };
}

/** A server that accepts connections and never answers: what a cut network looks like to a client. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("FailoverClient", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("starts at server `first`, and moves to the next when its server closes", async () => {
    const pair = await twoServers();
    cleanups.push(pair.close);
    const client = (await connect({
      transport: "socket",
      port: pair.endpoints[0]!.port,
      servers: pair.endpoints,
      first: 1,
    })) as FailoverClient;
    cleanups.push(() => client.close());
    assert.equal(client.server.port, pair.endpoints[1]!.port);
    assert.equal((await client.buy("Tux")).kind, "bought");
    await pair.servers[1]!.close(100);
    const result = await client.buy("Tux");
    assert.equal(result.kind, "bought");
    assert.equal(client.server.port, pair.endpoints[0]!.port);
    assert.equal(client.failovers, 1);
    assert.equal(await stockOf(pair.service), 48);
  });

  it("sends a request that hears nothing within failoverMs to the next server", async () => {
    const silent = await silentServer();
    cleanups.push(silent.close);
    const pair = await twoServers();
    cleanups.push(pair.close);
    const client = await FailoverClient.connect({
      transport: "socket",
      servers: [{ host: "127.0.0.1", port: silent.port }, pair.endpoints[0]!],
      failoverMs: 200,
      open: (server, connectTimeoutMs) => connect({ transport: "socket", ...server, connectTimeoutMs }),
    });
    cleanups.push(() => client.close());
    const answer = await client.query("Tux");
    assert.equal(answer.kind, "in_stock");
    assert.equal(client.failovers, 1);
  });

  it("retries a buy with the same key, so that a repeat sells nothing", async () => {
    const pair = await twoServers();
    cleanups.push(pair.close);
    const client = await FailoverClient.connect({
      transport: "socket",
      servers: pair.endpoints,
      open: (server, connectTimeoutMs) => connect({ transport: "socket", ...server, connectTimeoutMs }),
    });
    cleanups.push(() => client.close());
    const first = await client.buy("Tux", { requestKey: "order-1" });
    const again = await client.buy("Tux", { requestKey: "order-1" });
    assert.deepEqual(again, first);
    assert.equal(await stockOf(pair.service), 49);
  });

  it("fails with the last error when every server is gone", async () => {
    const pair = await twoServers();
    const client = await FailoverClient.connect({
      transport: "socket",
      servers: pair.endpoints,
      open: (server, connectTimeoutMs) => connect({ transport: "socket", ...server, connectTimeoutMs }),
    });
    await pair.close();
    await assert.rejects(client.query("Tux"), { code: "unavailable" });
    assert.ok(client.failovers >= 2);
    await client.close();
  });
});

describe("--servers", () => {
  it("takes host[:port] entries, with the transport's port where none is given", () => {
    const target = resolveTarget({ servers: ["10.0.0.1:7000", "[::1]", "b"], failoverMs: 900 });
    assert.deepEqual(target, {
      transport: "socket",
      host: "10.0.0.1",
      port: 7000,
      servers: [
        { host: "10.0.0.1", port: 7000 },
        { host: "::1", port: 7070 },
        { host: "b", port: 7070 },
      ],
      failoverMs: 900,
    });
  });

  it("refuses a bad port, and --host with it", () => {
    assert.throws(() => resolveTarget({ servers: ["a:70000"] }), OptionError);
    assert.throws(() => resolveTarget({ servers: ["a"], host: "b" }), /--host or --servers/);
  });
});

async function stockOf(service: StoreService): Promise<number> {
  const toy = (await service.list()).find((t) => t.name === "Tux");
  assert.ok(toy);
  return toy.stock;
}
