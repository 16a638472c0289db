// The socket transport under hostile and broken clients: each case gets a
// clear ERR line or a clean close, the server holds bounded state, and a
// well-behaved client is served during and after. Limits are set short here
// (a few hundred ms) so the suite stays fast; nothing asserts a duration.

import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { type DecodedLine, LineDecoder } from "../src/protocol/line-decoder.js";
import {
  assertServed,
  drop,
  pause,
  StatsSampler,
  seededBytes,
  startAbuseServer,
  whenClosed,
} from "./helpers/abuse-socket.js";
import { waitFor } from "./helpers/grpc-server.js";
import { RawConnection, startTestSocketServer, type TestSocketServer } from "./helpers/socket-server.js";

const MAX_LINE_BYTES = 1024;
/** A reply the server may send to garbage: ERR and a reason with no raw control character (C0, DEL, C1). */
function assertCleanErr(reply: string, context: string): void {
  assert.ok(reply.startsWith("ERR ") && reply.length > 4, `${context}: ${JSON.stringify(reply)}`);
  for (const char of reply) {
    const code = char.codePointAt(0)!;
    assert.ok(
      code >= 0x20 && (code < 0x7f || code > 0x9f),
      `${context}: raw control character in ${JSON.stringify(reply)}`,
    );
  }
}

describe("socket server under malformed input", () => {
  let server: TestSocketServer;
  before(async () => {
    server = await startTestSocketServer({ server: { lingerMs: 200, maxLineBytes: MAX_LINE_BYTES } });
  });
  after(() => server.close());

  it("answers random bytes with one clean ERR line per line, or closes on an over-long line", async () => {
    let closedCases = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const bytes = seededBytes(seed, 16 * 1024);
      // What the server must have framed, by the decoder the protocol tests already pin down.
      const lines: DecodedLine[] = [];
      const framed = new LineDecoder(MAX_LINE_BYTES).push(bytes, lines);
      const c = await RawConnection.open(server.port);
      await c.write(bytes).catch(() => {});
      const expected = lines.length + (framed ? 0 : 1);
      const replies = await c.lines(expected);
      assert.equal(replies.length, expected, `seed ${seed}: one reply per line`);
      for (const reply of replies) assertCleanErr(reply, `seed ${seed}`);
      if (!framed) {
        assert.equal(replies.at(-1), "ERR line too long", `seed ${seed}`);
        await whenClosed(c);
        closedCases++;
      }
      await drop(c);
      await assertServed(server.port);
    }
    assert.ok(closedCases > 0 && closedCases < 6, "the seeds cover both outcomes");
  });

  it("answers every kind of invalid UTF-8 with ERR invalid UTF-8 and keeps the connection", async () => {
    const c = await RawConnection.open(server.port);
    const invalid = [
      [0x80], // a lone continuation byte
      [0xc0, 0xaf], // an overlong encoding of "/"
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate
      [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
      [0xe2, 0x82], // a sequence cut by the line end
      [0xff, 0xfe, 0xfd],
    ];
    for (const bytes of invalid) {
      await c.write(Buffer.concat([Buffer.from("Query: T"), Buffer.from(bytes), Buffer.from("x\n")]));
    }
    await c.write("Query: Fox\n");
    assert.deepEqual(await c.lines(invalid.length + 1), [
      ...invalid.map(() => "ERR invalid UTF-8"),
      "15.75 100",
    ]);
    await drop(c);
  });

  it("treats NUL bytes as data: never a line end, never echoed raw", async () => {
    const c = await RawConnection.open(server.port);
    await c.write("Query: T\0ux\n\0\nQuery\0: Tux\nBuy: \0\n\0\0\0Query: Fox\nQuery: Fox\n");
    const replies = await c.lines(6);
    assert.deepEqual(replies, [
      "-1",
      "ERR expected '<Method>: <name>', e.g. 'Query: Tux'",
      "ERR unknown method 'Query\\u0000'; expected Query, Buy, Buy*<n>, Order or List",
      "-1",
      "ERR unknown method '\\u0000\\u0000\\u0000Query'; expected Query, Buy, Buy*<n>, Order or List",
      "15.75 100",
    ]);
    await drop(c);
  });

  it("answers ten thousand empty lines in order while holding at most maxInFlight of them", async () => {
    const sampler = new StatsSampler(server.server);
    const c = await RawConnection.open(server.port);
    await c.write(`${"\r\n\n".repeat(5000)}Query: Fox\n`);
    const replies = await c.lines(10_001);
    const peak = sampler.stop();
    assert.equal(replies.filter((r) => r === "ERR empty request").length, 10_000);
    assert.equal(replies[10_000], "15.75 100");
    assert.ok(peak.perConnectionInFlight <= 64, `in flight peaked at ${peak.perConnectionInFlight}`);
    await drop(c);
  });

  it("answers unknown methods, an HTTP request and missing colons, and keeps the connection", async () => {
    const c = await RawConnection.open(server.port);
    await c.write("Sell: Tux\nGET / HTTP/1.1\r\nHost: localhost\r\n\r\nQuery Tux\nBuy\n: Tux\nQuery: Fox\n");
    assert.deepEqual(await c.lines(8), [
      "ERR unknown method 'Sell'; expected Query, Buy, Buy*<n>, Order or List",
      "ERR expected '<Method>: <name>', e.g. 'Query: Tux'",
      "ERR unknown method 'Host'; expected Query, Buy, Buy*<n>, Order or List",
      "ERR empty request",
      "ERR expected '<Method>: <name>', e.g. 'Query: Tux'",
      "ERR expected '<Method>: <name>', e.g. 'Query: Tux'",
      "ERR unknown method ''; expected Query, Buy, Buy*<n>, Order or List",
      "15.75 100",
    ]);
    await drop(c);
  });

  it("refuses a huge name within the line limit, counted in characters, and keeps the connection", async () => {
    const c = await RawConnection.open(server.port);
    await c.write(
      `Query: ${"x".repeat(1000)}\nBuy: ${"é".repeat(300)}\nQuery: ${"é".repeat(256)}\nQuery: Fox\n`,
    );
    assert.deepEqual(await c.lines(4), [
      "ERR name too long (more than 256 characters)",
      "ERR name too long (more than 256 characters)",
      "-1",
      "15.75 100",
    ]);
    await drop(c);
  });

  it("closes a 10 MB stream with no newline with ERR line too long, holding at most maxLineBytes of it", async () => {
    const sampler = new StatsSampler(server.server);
    const other = await RawConnection.open(server.port);
    const c = await RawConnection.open(server.port);
    const chunk = Buffer.alloc(64 * 1024, "x");
    const writing = (async () => {
      for (let sent = 0; sent < 10 * 1024 * 1024 && !c.socket.destroyed; sent += chunk.length) {
        await c.write(chunk);
      }
    })().catch(() => {
      // The server may close before the last chunk is taken: expected.
    });
    await other.write("Query: Fox\n");
    assert.deepEqual(await other.lines(1), ["15.75 100"], "served while the stream is being refused");
    await whenClosed(c);
    await writing;
    const peak = sampler.stop();
    assert.equal(c.received, "ERR line too long\n");
    assert.ok(
      peak.perConnectionInBytes <= MAX_LINE_BYTES + 1,
      `held ${peak.perConnectionInBytes} bytes of the line`,
    );
    assert.ok(server.server.stats().lineTooLong >= 1);
    await drop(other);
    await assertServed(server.port);
  });

  it("reads requests written one byte at a time, slower than the line timeout between bytes", async (t) => {
    const slow = await startAbuseServer(t, { server: { lineTimeoutMs: 300 } });
    const c = await RawConnection.open(slow.port);
    // CRLF and a two-byte character split across writes; each line finishes well within 300 ms.
    for (const byte of Buffer.from("qUeRy: Fox\r\nBuy: Bär\r\nQuery: Fox\n")) {
      await c.write(Buffer.from([byte]));
      await pause(2);
    }
    assert.deepEqual(await c.lines(3), ["15.75 100", "-1", "15.75 100"]);
    assert.equal(slow.server.stats().lineTimeouts, 0);
    await drop(c);
    await slow.close();
  });
});

describe("socket server under clients that do not keep up", () => {
  it("stops reading from a client that pipelines without reading, bounds what it holds, and drops it after the write-stall timeout", async (t) => {
    const server = await startAbuseServer(t, {
      server: { writeStallTimeoutMs: 300, maxInFlightPerConnection: 32 },
    });
    const sampler = new StatsSampler(server.server);
    const c = await RawConnection.open(server.port);
    c.socket.pause(); // never reads a reply
    // 1.6 MB of short bad requests whose replies are six times longer: about
    // 10 MB of replies, more than the kernel's buffers on both sides hold.
    c.socket.write("Sell: x\n".repeat(200_000), () => {});
    await assertServed(server.port);
    await waitFor(() => server.server.stats().writeStalls === 1, "the stalled client to be dropped");
    // A paused socket notices the reset only when it reads again.
    c.socket.resume();
    await whenClosed(c);
    const peak = sampler.stop();
    assert.ok(peak.perConnectionInFlight <= 32, `in flight peaked at ${peak.perConnectionInFlight}`);
    // The socket's high-water mark (16 KiB), plus the write that crossed it and
    // the replies to the requests in flight then: two flushes of at most 32 replies.
    assert.ok(
      peak.perConnectionOutBytes <= 16 * 1024 + 2 * 32 * 64,
      `out peaked at ${peak.perConnectionOutBytes}`,
    );
    // One read's worth of undecoded input at most, plus an unfinished line.
    assert.ok(peak.perConnectionInBytes <= 64 * 1024 + 1025, `in peaked at ${peak.perConnectionInBytes}`);
    await assertServed(server.port);
    await server.close();
  });

  it("answers every pipelined request, in order, to a client that reads late but within the timeout", async (t) => {
    const server = await startAbuseServer(t, {
      service: { workMs: 1 },
      server: { writeStallTimeoutMs: 5000, maxInFlightPerConnection: 8 },
    });
    const c = await RawConnection.open(server.port);
    c.socket.pause();
    const count = 1500;
    const requests = Array.from({ length: count }, (_, i) => (i % 3 === 0 ? "Query: Nope" : "Query: Bird"));
    c.socket.write(`${requests.join("\n")}\n`, () => {});
    await waitFor(
      () => server.server.stats().maxPerConnection.bufferedInBytes > 0,
      "the server to hold a backlog",
    );
    c.socket.resume();
    const replies = await c.lines(count);
    assert.deepEqual(
      replies,
      requests.map((r) => (r === "Query: Nope" ? "-1" : "9.99 100")),
    );
    assert.equal(server.server.stats().writeStalls, 0);
    await drop(c);
    await server.close();
  });

  it("keeps a pipelining client's share of the shared queue bounded, so a one-at-a-time client does not wait behind its pipeline", async (t) => {
    const server = await startAbuseServer(t, {
      service: { workMs: 2 },
      server: { poolSize: 1, maxAdmittedPerConnection: 4 },
    });
    const piper = await RawConnection.open(server.port);
    await piper.write("Query: Bird\n".repeat(300));
    await waitFor(() => server.server.pool.queued > 0, "the pipeline to queue");
    const other = await RawConnection.open(server.port);
    const before = piper.received.length / "9.99 100\n".length;
    await other.write("Query: Fox\n");
    assert.deepEqual(await other.lines(1), ["15.75 100"]);
    const after = piper.received.length / "9.99 100\n".length;
    // Ahead of it: at most the pipeline's 4 admitted requests (one running), and a little slack for replies in transit.
    assert.ok(
      after - before <= 4 + 2,
      `the pipeline got ${after - before} replies while the other client waited`,
    );
    assert.ok(server.server.pool.queued <= 4);
    assert.equal((await piper.lines(300)).length, 300);
    await drop(piper);
    await drop(other);
    await server.close();
  });

  it("answers a slow loris's unfinished line with ERR line timeout, after the replies before it, and closes", async (t) => {
    const server = await startAbuseServer(t, { server: { lineTimeoutMs: 200, lingerMs: 100 } });
    const c = await RawConnection.open(server.port);
    await c.write("Query: Fox\nQuery: F");
    // One byte at a time, never a newline: activity that an idle timeout would not catch.
    const dribble = setInterval(() => c.socket.write("o"), 20);
    await whenClosed(c);
    clearInterval(dribble);
    assert.equal(c.received, "15.75 100\nERR line timeout\n");
    assert.equal(server.server.stats().lineTimeouts, 1);
    await assertServed(server.port);
    await server.close();
  });

  it("survives clients that leave mid-request: a reset one's queued requests never run, a half-closed one is answered", async (t) => {
    const server = await startAbuseServer(t, { service: { workMs: 100 }, server: { poolSize: 1 } });
    const c0 = await RawConnection.open(server.port);
    await c0.write("Buy: Tux\n"); // holds the only worker for 100 ms
    await waitFor(() => server.server.pool.busy === 1, "the first buy to run");
    const leavers = await Promise.all(Array.from({ length: 25 }, () => RawConnection.open(server.port)));
    // Some leave in the middle of a second line, too.
    await Promise.all(leavers.map((c, i) => c.write(i % 3 === 0 ? "Buy: Tux\nBuy: T" : "Buy: Tux\n")));
    // The premise: every leaver's buy is queued behind c0's (100 ms is ample for 25 local connections).
    await waitFor(() => server.server.pool.queued === 25, "the leavers' buys to queue");
    for (const [i, c] of leavers.entries()) {
      // A reset tells the server the client is gone. A FIN (end) only says it
      // has finished sending, as `nc -q1` does: its requests are still answered.
      if (i < 20) c.socket.resetAndDestroy();
      else c.socket.end();
    }
    assert.deepEqual(await c0.lines(1), ["1"]);
    const halfClosed = leavers.slice(20);
    for (const c of halfClosed) {
      await whenClosed(c);
      assert.equal(c.received, "1\n");
    }
    await Promise.all(leavers.map((c) => whenClosed(c)));
    await waitFor(
      () => server.server.pool.busy === 0 && server.server.pool.queued === 0,
      "the pool to drain",
    );
    await waitFor(() => server.server.connections === 1, "the leavers' connections to close");
    // c0's buy and the five half-closed clients' buys sold; the reset clients' twenty did not.
    assert.deepEqual(await server.service.query("Tux"), {
      kind: "in_stock",
      name: "Tux",
      priceCents: 1999,
      stock: 94,
    });
    await drop(c0);
    await assertServed(server.port);
    await server.close();
  });

  it("refuses connections over the limit and closes them even when the client holds them open", async (t) => {
    const server = await startAbuseServer(t, { server: { maxConnections: 3, lingerMs: 100 } });
    const kept = await Promise.all([0, 1, 2].map(() => RawConnection.open(server.port)));
    // Twenty more that neither read nor close: the server must not keep their descriptors.
    const refused = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const socket = connect({ host: "127.0.0.1", port: server.port });
        socket.on("error", () => {});
        socket.pause();
        socket.setEncoding("utf8");
        let text = "";
        await new Promise<void>((resolve) => {
          socket.on("data", (t: string) => {
            text += t;
          });
          socket.once("close", () => resolve());
          socket.once("connect", () => socket.write("Query: Fox\n"));
          // Start reading only after a while, as a lazy client does.
          setTimeout(() => socket.resume(), 20);
        });
        return text;
      }),
    );
    for (const text of refused) assert.ok(text === "" || text === "ERR too many connections\n", text);
    assert.ok(refused.includes("ERR too many connections\n"));
    assert.equal(server.server.stats().refusedConnections, 20);
    assert.equal(server.server.connections, 3);
    await kept[0]!.write("Query: Fox\n");
    assert.deepEqual(await kept[0]!.lines(1), ["15.75 100"]);
    await Promise.all(kept.map((c) => drop(c)));
    await waitFor(() => server.server.connections === 0, "the kept connections to close");
    await assertServed(server.port);
    await server.close();
  });
});
