// The original socket protocol at the byte level, against a real server on an
// ephemeral port: the Toy Store design document's client written out (a new
// connection per request, one message with no line end, one read), several
// messages on one connection, the limits, and the client that speaks it.

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect as netConnect } from "node:net";
import { after, before, describe, it } from "node:test";
import { connect } from "../src/client/connect.js";
import { StoreError } from "../src/errors.js";
import {
  askOnce,
  readOnce,
  startTestOriginalSocketServer,
  type TestOriginalSocketServer,
} from "./helpers/original-socket.js";
import { RawConnection } from "./helpers/socket-server.js";

describe("original socket protocol, as the original client speaks it", () => {
  let server: TestOriginalSocketServer;
  before(async () => {
    server = await startTestOriginalSocketServer();
  });
  after(() => server.close());

  it("answers a query with the price, 0 when sold out and -1 when there is no such toy", async () => {
    assert.equal(await askOnce(server.port, "query: Tux"), "19.99");
    assert.equal(await askOnce(server.port, "query: Python"), "25.00");
    assert.equal(await askOnce(server.port, "query: Lion"), "0");
    assert.equal(await askOnce(server.port, "query: Nope"), "-1");
  });

  it("buys one, on the store every transport shares", async () => {
    assert.equal(await askOnce(server.port, "buy: Whale"), "1");
    assert.equal(await askOnce(server.port, "buy: Lion"), "0");
    assert.equal(await askOnce(server.port, "buy: Nope"), "-1");
    const line = await RawConnection.open(server.linePort);
    await line.write("Query: Whale\n");
    assert.deepEqual(await line.lines(1), ["34.50 99"]);
    await line.close();
  });

  it("takes the method in any case, with spaces around the name", async () => {
    assert.equal(await askOnce(server.port, "Query: Fox"), "15.75");
    assert.equal(await askOnce(server.port, "QUERY:   fox  "), "15.75");
    assert.equal(await askOnce(server.port, "bUy: Lion"), "0");
  });

  it("answers anything else with ERR and a reason, and sells nothing", async () => {
    const before = await server.service.query("Dolphin");
    const answers = await Promise.all(
      [
        "sell: Dolphin",
        "buy Dolphin",
        "Buy*3: Dolphin",
        "list:",
        "buy: ",
        " ",
        Buffer.from([0x62, 0x3a, 0xc3, 0x28]),
      ].map((message) => askOnce(server.port, message)),
    );
    assert.deepEqual(answers, [
      "ERR unknown method 'sell'; expected query or buy (the original protocol has no other)",
      "ERR expected '<method>: <name>', e.g. 'query: Tux'",
      "ERR unknown method 'Buy*3'; expected query or buy (the original protocol has no other)",
      "ERR unknown method 'list'; expected query or buy (the original protocol has no other)",
      "ERR empty name",
      "ERR empty request",
      "ERR invalid UTF-8",
    ]);
    assert.deepEqual(await server.service.query("Dolphin"), before);
  });

  it("reads message after message on one connection until the client closes it", async () => {
    const socket = netConnect({ host: "127.0.0.1", port: server.port });
    await once(socket, "connect");
    const answers: string[] = [];
    for (const message of ["query: Bird", "buy: Bird", "query: Bird", "query: Lion"]) {
      socket.write(message);
      answers.push(await readOnce(socket));
    }
    assert.deepEqual(answers, ["9.99", "1", "9.99", "0"]);
    socket.destroy();
  });

  it("answers each line of a write of lines, in order, each answer ending as its message did", async () => {
    const c = await RawConnection.open(server.port);
    await c.write("query: Elephant\r\nQUERY: Nope\nsell: x\n\nbuy: Elephant\n");
    assert.deepEqual(await c.lines(4), [
      "29.99",
      "-1",
      "ERR unknown method 'sell'; expected query or buy (the original protocol has no other)",
      "1",
    ]);
    await c.write("query: Elephant");
    while (!c.received.endsWith("29.99")) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(c.received.split("\n").at(-1), "29.99");
    await c.close();
  });
});

describe("original socket protocol, limits", () => {
  it("answers a message over the limit with ERR message too long and closes that connection only", async () => {
    const server = await startTestOriginalSocketServer({ server: { maxLineBytes: 64 } });
    const other = await RawConnection.open(server.port);
    const c = await RawConnection.open(server.port);
    await c.write(`query: ${"x".repeat(100)}`);
    await c.closed;
    assert.equal(c.received, "ERR message too long");
    await other.write("query: Tux");
    assert.equal(await readOnce(other.socket), "19.99");
    assert.equal(server.server.stats().messageTooLong, 1);
    await other.close();
    await server.close();
  });

  it("closes a silent client after the idle timeout", async () => {
    const server = await startTestOriginalSocketServer({ server: { idleTimeoutMs: 50 } });
    const silent = await RawConnection.open(server.port);
    await silent.closed;
    assert.equal(silent.received, "");
    const served = await RawConnection.open(server.port);
    await served.write("query: Tux");
    await served.closed;
    assert.equal(served.received, "19.99");
    await server.close();
  });

  it("tells a connection beyond the limit that there are too many, and serves the others", async () => {
    const server = await startTestOriginalSocketServer({ server: { maxConnections: 1 } });
    const a = await RawConnection.open(server.port);
    const b = await RawConnection.open(server.port);
    await b.closed;
    assert.equal(b.received, "ERR too many connections");
    await a.write("query: Tux");
    assert.equal(await readOnce(a.socket), "19.99");
    assert.equal(server.server.stats().refusedConnections, 1);
    await a.close();
    await server.close();
  });

  it("drops a client that floods messages and never reads its answers", { timeout: 30_000 }, async () => {
    const server = await startTestOriginalSocketServer({ server: { writeStallTimeoutMs: 200 } });
    const c = await RawConnection.open(server.port);
    c.socket.pause();
    // Four bytes a message, over eighty an answer: the answers fill every buffer between the two.
    const flood = Buffer.from("a:b\n".repeat(16_384));
    for (let i = 0; i < 200 && !c.socket.destroyed && c.socket.writableLength < 8 * flood.length; i++) {
      c.socket.write(flood, () => {});
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Destroyed with input unread, the connection is reset: closed rejects with ECONNRESET.
    await c.closed.catch(() => {});
    assert.ok(c.socket.destroyed);
    assert.equal(server.server.stats().writeStalls, 1);
    await server.close();
  });

  it("answers busy beyond the queue", async () => {
    const server = await startTestOriginalSocketServer({
      service: { workMs: 50 },
      server: { poolSize: 1, maxQueued: 1 },
    });
    const answers = await Promise.all([1, 2, 3].map(() => askOnce(server.port, "query: Tux")));
    assert.deepEqual(answers.sort(), ["19.99", "19.99", "ERR busy: too many requests queued, try again"]);
    await server.close();
  });
});

describe("original socket protocol, shutdown", () => {
  it("answers the requests in flight, then closes and refuses new connections", async () => {
    const server = await startTestOriginalSocketServer({ service: { workMs: 50 } });
    const socket = netConnect({ host: "127.0.0.1", port: server.port });
    await once(socket, "connect");
    socket.write("buy: Tux");
    const answer = readOnce(socket);
    // The buy is read and running when the server starts closing.
    while (server.server.pool.stats().busy === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const closing = server.close();
    assert.equal(await answer, "1");
    await once(socket, "end");
    socket.destroy();
    await closing;
    await assert.rejects(askOnce(server.port, "query: Tux"), /ECONNREFUSED/);
    assert.deepEqual(await server.service.query("Tux"), {
      kind: "in_stock",
      name: "Tux",
      priceCents: 1999,
      stock: 99,
    });
  });
});

describe("OriginalSocketStoreClient", () => {
  let server: TestOriginalSocketServer;
  before(async () => {
    server = await startTestOriginalSocketServer();
  });
  after(() => server.close());

  it("queries and buys with a connection per request", async () => {
    const client = await connect({ transport: "original-socket", port: server.port });
    assert.equal(client.transport, "original-socket");
    const query = await client.query("Tux");
    assert.equal(query.kind, "in_stock");
    assert.equal(query.kind === "in_stock" && query.priceCents, 1999);
    assert.ok(query.kind === "in_stock" && Number.isNaN(query.stock), "the original answer carries no stock");
    assert.deepEqual(await client.query("Lion"), { kind: "sold_out" });
    assert.deepEqual(await client.query("Nope"), { kind: "not_found" });
    assert.deepEqual(await client.buy("Tux"), { kind: "bought" });
    assert.deepEqual(await client.buy("Tux", { quantity: 1 }), { kind: "bought" });
    assert.deepEqual(await server.service.query("Tux"), {
      kind: "in_stock",
      name: "Tux",
      priceCents: 1999,
      stock: 98,
    });
    await client.close();
  });

  it("refuses what the original protocol has not, before sending anything", async () => {
    const client = await connect({ transport: "original-socket", port: server.port });
    const refused = (code: string) => (error: unknown) => error instanceof StoreError && error.code === code;
    await assert.rejects(client.buy("Tux", { quantity: 2 }), refused("bad_request"));
    await assert.rejects(client.buy("Tux", { requestKey: "k-1" }), refused("bad_request"));
    await assert.rejects(client.order("1"), refused("bad_request"));
    await assert.rejects(client.list(), refused("bad_request"));
    await assert.rejects(client.query("Tux\nbuy: Tux"), refused("bad_request"));
    await assert.rejects(client.query(""), refused("bad_request"));
    await assert.rejects(
      connect({
        transport: "original-socket",
        port: server.port,
        servers: [{ host: "127.0.0.1", port: server.port }],
      }),
      refused("bad_request"),
    );
    assert.deepEqual(await server.service.query("Fox"), {
      kind: "in_stock",
      name: "Fox",
      priceCents: 1575,
      stock: 100,
    });
    await client.close();
  });

  it("fails a request to a server that is not there with unavailable", async () => {
    const gone = await startTestOriginalSocketServer();
    const port = gone.port;
    await gone.close();
    const client = await connect({ transport: "original-socket", port });
    await assert.rejects(
      client.query("Tux"),
      (error: unknown) => error instanceof StoreError && error.code === "unavailable",
    );
    await client.close();
  });
});
