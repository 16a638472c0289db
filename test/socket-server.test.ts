// The socket transport at the byte level: the protocol table, pipelining,
// ordering, limits and shutdown, against a real server on an ephemeral port.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RawConnection, startTestSocketServer, type TestSocketServer } from "./helpers/socket-server.js";

describe("socket server, protocol v1", () => {
  let server: TestSocketServer;
  before(async () => {
    server = await startTestSocketServer();
  });
  after(() => server.close());

  it("answers the protocol's table, one line per request, in order", async () => {
    const c = await RawConnection.open(server.port);
    await c.write("Query: Tux\nBuy: Tux\nQuery: Nope\nSell: Tux\nBuy: Lion\nQuery: Lion\nBuy: Nope\n");
    assert.deepEqual(await c.lines(7), [
      "19.99 100",
      "1",
      "-1",
      "ERR unknown method 'Sell'; expected Query, Buy, Buy*<n>, Order or List",
      "0",
      "0",
      "-1",
    ]);
    await c.close();
  });

  it("accepts CRLF, any case of the method, spaces around the name, and Unicode names", async () => {
    const c = await RawConnection.open(server.port);
    await c.write("qUeRy:   whale  \r\nQUERY: Ünicode Bär\r\n");
    assert.deepEqual(await c.lines(2), ["34.50 100", "-1"]);
    await c.close();
  });

  it("keeps the connection open after a malformed line", async () => {
    const c = await RawConnection.open(server.port);
    await c.write("\nQuery Tux\nQuery:\n\xff\nQuery: Fox\n");
    assert.deepEqual(await c.lines(5), [
      "ERR empty request",
      "ERR expected '<Method>: <name>', e.g. 'Query: Tux'",
      "ERR empty name",
      "ERR expected '<Method>: <name>', e.g. 'Query: Tux'",
      "15.75 100",
    ]);
    await c.write(Buffer.from([0x51, 0x3a, 0x20, 0xc3, 0x28, 0x0a]));
    assert.deepEqual((await c.lines(6))[5], "ERR invalid UTF-8");
    await c.close();
  });

  it("reads a request split into one-byte writes", async () => {
    const c = await RawConnection.open(server.port);
    for (const byte of Buffer.from("Query: Dolphin\n")) await c.write(Buffer.from([byte]));
    assert.deepEqual(await c.lines(1), ["27.25 100"]);
    await c.close();
  });

  it("answers a thousand pipelined requests sent in one write, in order", async () => {
    const c = await RawConnection.open(server.port);
    const requests = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0 ? "Query: Bird" : "Query: Nope",
    ).join("\n");
    await c.write(`${requests}\n`);
    const lines = await c.lines(1000);
    assert.deepEqual(
      lines,
      Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? "9.99 100" : "-1")),
    );
    await c.close();
  });

  it("answers an over-long line with an error and closes that connection only", async () => {
    const other = await RawConnection.open(server.port);
    const c = await RawConnection.open(server.port);
    await c.write(`Query: Elephant\nQuery: ${"x".repeat(5000)}\nQuery: Tux\n`);
    await c.closed;
    assert.equal(c.received, "29.99 100\nERR line too long\n");
    await other.write("Query: Fox\n");
    assert.deepEqual(await other.lines(1), ["15.75 100"]);
    await other.close();
  });
});

describe("socket server, ordering and limits", () => {
  it("keeps replies in request order when a later reply is ready first", async () => {
    const server = await startTestSocketServer({ service: { workMs: 30 } });
    const a = await RawConnection.open(server.port);
    const b = await RawConnection.open(server.port);
    // a's buy holds the write lock for 30 ms; b's query waits for it, while
    // b's malformed line is answered at once but must not overtake.
    await a.write("Buy: Tux\n");
    await b.write("Query: Tux\nSell: x\n");
    assert.deepEqual(await b.lines(2), [
      "19.99 99",
      "ERR unknown method 'Sell'; expected Query, Buy, Buy*<n>, Order or List",
    ]);
    assert.deepEqual(await a.lines(1), ["1"]);
    await a.close();
    await b.close();
    await server.close();
  });

  it("refuses work beyond the queue with a busy error", async () => {
    const server = await startTestSocketServer({
      service: { workMs: 50 },
      server: { poolSize: 1, maxQueued: 1 },
    });
    const c = await RawConnection.open(server.port);
    await c.write("Query: Tux\nQuery: Tux\nQuery: Tux\n");
    assert.deepEqual(await c.lines(3), [
      "19.99 100",
      "19.99 100",
      "ERR busy: too many requests queued, try again",
    ]);
    assert.equal(server.server.pool.stats().rejected, 1);
    await c.close();
    await server.close();
  });

  it("tells a connection beyond the limit that there are too many, and serves the others", async () => {
    const server = await startTestSocketServer({ server: { maxConnections: 2 } });
    const a = await RawConnection.open(server.port);
    const b = await RawConnection.open(server.port);
    const c = await RawConnection.open(server.port);
    await c.closed;
    assert.equal(c.received, "ERR too many connections\n");
    await a.write("Query: Tux\n");
    assert.deepEqual(await a.lines(1), ["19.99 100"]);
    await a.close();
    await b.close();
    await server.close();
  });

  it("closes a connection that stays idle past the idle timeout", async () => {
    const server = await startTestSocketServer({ server: { idleTimeoutMs: 50 } });
    const c = await RawConnection.open(server.port);
    await c.write("Query: Tux\n");
    await c.closed;
    assert.equal(c.received, "19.99 100\n");
    await server.close();
  });

  it("answers the requests already read before a half-closed client's connection ends", async () => {
    const server = await startTestSocketServer({ service: { workMs: 20 } });
    const c = await RawConnection.open(server.port);
    c.socket.end("Query: Tux\nBuy: Tux\n");
    await c.closed;
    assert.equal(c.received, "19.99 100\n1\n");
    await server.close();
  });

  it("on close, finishes the requests in flight, then closes every connection and refuses new ones", async () => {
    const server = await startTestSocketServer({ service: { workMs: 50 } });
    const c = await RawConnection.open(server.port);
    await c.write("Buy: Tux\nBuy: Tux\n");
    await new Promise((resolve) => setTimeout(resolve, 10));
    const closing = server.close();
    await c.closed;
    await closing;
    assert.equal(c.received, "1\n1\n");
    assert.deepEqual(await server.service.query("Tux"), {
      kind: "in_stock",
      name: "Tux",
      priceCents: 1999,
      stock: 98,
    });
    await assert.rejects(RawConnection.open(server.port));
  });
});
