// Hostile and broken clients of the socket transport, one case each: what
// they send, and what the server must answer (an ERR line, a clean close, or
// the right replies in order).

import { type DecodedLine, LineDecoder } from "../../src/protocol/line-decoder.js";
import { firstDifference, type HostileCase, type HostileContext, isReplyLine, pause } from "./hostile.js";
import { RawSocket } from "./raw-socket.js";

const NO_COLON = "ERR expected '<Method>: <name>', e.g. 'Query: Tux'";
const IN_STOCK = /^\d+\.\d\d \d+$/;

async function open(ctx: HostileContext): Promise<RawSocket> {
  return RawSocket.open(ctx.socketPort);
}

async function send(ctx: HostileContext, c: RawSocket, data: string | Buffer): Promise<boolean> {
  ctx.sent(typeof data === "string" ? Buffer.byteLength(data) : data.length);
  return c.write(data);
}

/** Sends `request` and checks the replies are exactly `expected`, then closes. */
async function exchange(
  ctx: HostileContext,
  request: string | Buffer,
  expected: string[],
): Promise<string | undefined> {
  const c = await open(ctx);
  try {
    await send(ctx, c, request);
    return firstDifference(await c.waitForLines(expected.length, 15_000), expected);
  } finally {
    await c.destroy();
  }
}

const INVALID_UTF8 = [
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xff],
];

export const SOCKET_CASES: readonly HostileCase[] = [
  {
    name: "random bytes",
    transport: "socket",
    maxMs: () => 20_000,
    async run(ctx) {
      const bytes = ctx.rng.bytes(ctx.rng.int(1024, 32 * 1024));
      const lines: DecodedLine[] = [];
      const framed = new LineDecoder(ctx.limits.maxLineBytes).push(bytes, lines);
      const expected = lines.length + (framed ? 0 : 1);
      const c = await open(ctx);
      try {
        await send(ctx, c, bytes);
        const got = await c.waitForLines(expected, 15_000);
        if (got.length !== expected) return `${got.length} replies to ${expected} lines`;
        const bad = got.find((line) => !isReplyLine(line));
        if (bad !== undefined) return `not a reply line: ${JSON.stringify(bad.slice(0, 80))}`;
        if (!framed && got.at(-1) !== "ERR line too long") return `last reply ${JSON.stringify(got.at(-1))}`;
        if (!framed && !(await c.waitForClose(ctx.limits.lingerMs + 5000)))
          return "not closed after a line too long";
        return undefined;
      } finally {
        await c.destroy();
      }
    },
  },
  {
    name: "invalid UTF-8",
    transport: "socket",
    maxMs: () => 15_000,
    run(ctx) {
      const picks = Array.from({ length: ctx.rng.int(1, 20) }, () => ctx.rng.pick(INVALID_UTF8));
      const request = Buffer.concat(picks.map((b) => Buffer.from([0x51, 0x3a, 0x20, ...b, 0x0a])));
      return exchange(
        ctx,
        request,
        picks.map(() => "ERR invalid UTF-8"),
      );
    },
  },
  {
    name: "NUL bytes",
    transport: "socket",
    maxMs: () => 15_000,
    run: (ctx) => exchange(ctx, "Query: Al\0pha\n\0\nBuy: \0\n", ["-1", NO_COLON, "-1"]),
  },
  {
    name: "empty lines",
    transport: "socket",
    maxMs: () => 15_000,
    run(ctx) {
      const count = ctx.rng.int(100, 20_000);
      const request = ctx.rng.chance(0.5) ? "\n".repeat(count) : "\r\n".repeat(count);
      return exchange(ctx, request, Array(count).fill("ERR empty request"));
    },
  },
  {
    name: "unknown method (an HTTP request)",
    transport: "socket",
    maxMs: () => 15_000,
    run: (ctx) =>
      exchange(ctx, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8\r\n\r\nSell: Alpha\n", [
        NO_COLON,
        "ERR unknown method 'Host'; expected Query or Buy",
        "ERR unknown method 'User-Agent'; expected Query or Buy",
        "ERR empty request",
        "ERR unknown method 'Sell'; expected Query or Buy",
      ]),
  },
  {
    name: "missing colon",
    transport: "socket",
    maxMs: () => 15_000,
    run: (ctx) => exchange(ctx, "Query Decoy\nBuy Decoy\nBuy\n", [NO_COLON, NO_COLON, NO_COLON]),
  },
  {
    name: "huge name",
    transport: "socket",
    maxMs: () => 15_000,
    run(ctx) {
      const name = "x".repeat(ctx.rng.int(257, ctx.limits.maxLineBytes - 10));
      return exchange(ctx, `Query: ${name}\nBuy: ${name}\n`, [
        "ERR name too long (more than 256 characters)",
        "ERR name too long (more than 256 characters)",
      ]);
    },
  },
  {
    name: "megabytes with no newline",
    transport: "socket",
    maxMs: (limits) => limits.lingerMs + 20_000,
    async run(ctx) {
      const total = ctx.rng.int(1, 10) * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, "y");
      const c = await open(ctx);
      try {
        for (let sent = 0; sent < total && !c.isClosed; sent += chunk.length) {
          if (!(await send(ctx, c, chunk))) break;
        }
        if (!(await c.waitForClose(ctx.limits.lingerMs + 10_000))) return "not closed";
        if (c.received !== "ERR line too long\n") return `got ${JSON.stringify(c.received.slice(0, 80))}`;
        return undefined;
      } finally {
        await c.destroy();
      }
    },
  },
  {
    name: "one-byte writes",
    transport: "socket",
    maxMs: () => 15_000,
    async run(ctx) {
      const c = await open(ctx);
      try {
        for (const byte of Buffer.from("qUeRy:  Alpha \r\nBuy: Ünknown\n")) {
          await send(ctx, c, Buffer.from([byte]));
          await pause(ctx.rng.int(0, 3));
        }
        const got = await c.waitForLines(2, 10_000);
        if (!IN_STOCK.test(got[0] ?? "") || got[1] !== "-1") return `got ${JSON.stringify(got)}`;
        return undefined;
      } finally {
        await c.destroy();
      }
    },
  },
  {
    name: "pipelined flood, never reading",
    transport: "socket",
    minMs: (limits) => limits.writeStallTimeoutMs + 1000,
    maxMs: (limits) => limits.writeStallTimeoutMs + 40_000,
    async run(ctx) {
      const c = await open(ctx);
      c.socket.pause();
      try {
        // Short bad requests whose replies are six times longer, until the
        // server stops taking them: then its replies to us are blocked.
        const chunk = Buffer.from("Sell: x\n".repeat(8192));
        let sent = 0;
        for (;;) {
          if (sent >= 64 * 1024 * 1024) return "the server kept reading 64 MiB while its replies went unread";
          ctx.sent(chunk.length);
          const taken = await Promise.race([c.write(chunk), pause(1000).then(() => "stalled" as const)]);
          if (taken === "stalled" || c.isClosed) break;
          if (!taken) return "the connection broke before the server stopped reading";
          sent += chunk.length;
        }
        await pause(ctx.limits.writeStallTimeoutMs + 1000);
        // A paused socket notices the server's reset only when it reads again.
        c.socket.resume();
        if (!(await c.waitForClose(10_000))) return "not dropped after the write-stall timeout";
        return undefined;
      } finally {
        await c.destroy();
      }
    },
  },
  {
    name: "pipelined thousands, read late",
    transport: "socket",
    maxMs: () => 45_000,
    async run(ctx) {
      const kinds = ["Query: Alpha", "Query: Nope", "Query: Gone"] as const;
      const requests = Array.from({ length: ctx.rng.int(1000, 3000) }, () => ctx.rng.pick(kinds));
      const c = await open(ctx);
      try {
        c.socket.pause();
        await send(ctx, c, `${requests.join("\n")}\n`);
        await pause(ctx.rng.int(0, 500));
        c.socket.resume();
        // The server admits a bounded share of them at a time: a pipeline waits its turn.
        const got = await c.waitForLines(requests.length, 40_000);
        if (got.length !== requests.length) return `${got.length} replies to ${requests.length} requests`;
        for (let i = 0; i < requests.length; i++) {
          const ok =
            requests[i] === "Query: Alpha"
              ? IN_STOCK.test(got[i]!)
              : got[i] === (requests[i] === "Query: Nope" ? "-1" : "0");
          if (!ok) return `reply ${i + 1} to ${requests[i]}: ${JSON.stringify(got[i])}`;
        }
        return undefined;
      } finally {
        await c.destroy();
      }
    },
  },
  {
    name: "slow loris",
    transport: "socket",
    minMs: (limits) => limits.lineTimeoutMs,
    maxMs: (limits) => limits.lineTimeoutMs + 15_000,
    async run(ctx) {
      const c = await open(ctx);
      try {
        await send(ctx, c, "Query: Alpha\nQuery: Alp");
        // A byte every half second, never a newline: activity an idle timeout would not catch.
        const dribble = setInterval(() => {
          ctx.sent(1);
          void c.write("h");
        }, 500);
        const closed = await c.waitForClose(ctx.limits.lineTimeoutMs + ctx.limits.lingerMs + 5000);
        clearInterval(dribble);
        if (!closed) return "not closed after the line timeout";
        const got = c.lines();
        if (!IN_STOCK.test(got[0] ?? "") || got[1] !== "ERR line timeout" || got.length !== 2) {
          return `got ${JSON.stringify(got)}`;
        }
        return undefined;
      } finally {
        await c.destroy();
      }
    },
  },
  {
    name: "closed mid-request",
    transport: "socket",
    maxMs: () => 10_000,
    async run(ctx) {
      const c = await open(ctx);
      ctx.decoy.sent++;
      await send(ctx, c, ctx.rng.chance(0.5) ? "Buy: Decoy\nQuery: Dec" : "Buy: Decoy\n");
      await pause(ctx.rng.int(0, 3));
      if (ctx.rng.chance(0.5)) c.socket.resetAndDestroy();
      else c.socket.destroy();
      await c.closed;
      return undefined;
    },
  },
  {
    name: "idle connection",
    transport: "socket",
    maxMs: () => 5000,
    async run(ctx) {
      const c = await open(ctx);
      await pause(ctx.rng.int(100, 2000));
      if (c.isClosed) return "closed by the server before the idle timeout";
      await c.destroy();
      return undefined;
    },
  },
  {
    name: "burst of connections",
    transport: "socket",
    maxMs: () => 15_000,
    async run(ctx) {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => exchange(ctx, "Query: Nope\n", ["-1"])),
      );
      return outcomes.find((o) => o !== undefined);
    },
  },
];
