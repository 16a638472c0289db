// Hostile and broken clients of the socket transport, one case each: what
// they send, and what the server must answer (an ERR line, a clean close, or
// the right replies in order).

import { setTimeout as pause } from "node:timers/promises";
import { type DecodedLine, LineDecoder } from "../../src/protocol/line-decoder.js";
import type { HostileCase, HostileContext } from "./hostile.js";
import { type RawSocket, withRawSocket } from "./raw-socket.js";

/** An expected reply: the exact line, or a pattern it must match. */
type Reply = string | RegExp;

const NO_COLON = "ERR expected '<Method>: <name>', e.g. 'Query: Tux'";
const NAME_TOO_LONG = "ERR name too long (more than 256 characters)";
const IN_STOCK = /^\d+\.\d\d \d+$/;
/** Any reply line of the socket protocol v1. */
const ANY_REPLY = /^(-1|0|1|\d+\.\d\d \d+|ERR .+)$/;
const unknownMethod = (method: string) =>
  `ERR unknown method '${method}'; expected Query, Buy, Buy*<n>, Order or List`;

const INVALID_UTF8 = [
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xff],
];

/** A case on a raw connection of its own. */
function onSocket(
  name: string,
  bounds: Pick<HostileCase, "minMs" | "maxMs">,
  run: (ctx: HostileContext, c: RawSocket) => Promise<string | undefined>,
): HostileCase {
  return { name, ...bounds, run: (ctx) => withRawSocket(ctx.socketPort, (c) => run(ctx, c), ctx.sent) };
}

/** Describes the first line of `got` that is not the `expected` reply (undefined if none). */
function firstDifference(got: readonly string[], expected: readonly Reply[]): string | undefined {
  const index = expected.findIndex((want, i) => {
    const line = got[i];
    return line === undefined || (typeof want === "string" ? line !== want : !want.test(line));
  });
  if (index !== -1) {
    const want = expected[index]!;
    return `reply ${index + 1} of ${expected.length}: expected ${typeof want === "string" ? JSON.stringify(want) : want}, got ${JSON.stringify(got[index]?.slice(0, 120))}`;
  }
  return got.length > expected.length
    ? `${got.length - expected.length} replies more than requests`
    : undefined;
}

/** Sends `request` and checks the replies are exactly `expected`; with `closes`, that the server then closes. */
function exchange(ctx: HostileContext, request: string | Buffer, expected: Reply[], closes = false) {
  return withRawSocket(
    ctx.socketPort,
    async (c) => {
      await c.write(request);
      const difference = firstDifference(await c.waitForLines(expected.length, 15_000), expected);
      if (difference !== undefined || !closes) return difference;
      return (await c.waitForClose(ctx.limits.lingerMs + 5000))
        ? undefined
        : "not closed after a line too long";
    },
    ctx.sent,
  );
}

/** The cases that are one request and its exact replies: name, then what to send and expect (and whether the server closes). */
const EXCHANGES: [string, (ctx: HostileContext) => [string | Buffer, Reply[], boolean?]][] = [
  [
    "random bytes",
    (ctx) => {
      const bytes = ctx.rng.bytes(ctx.rng.int(1024, 32 * 1024));
      const lines: DecodedLine[] = [];
      const framed = new LineDecoder(ctx.limits.maxLineBytes).push(bytes, lines);
      const expected: Reply[] = lines.map(() => ANY_REPLY);
      if (!framed) expected.push("ERR line too long");
      return [bytes, expected, !framed];
    },
  ],
  [
    "invalid UTF-8",
    (ctx) => {
      const picks = Array.from({ length: ctx.rng.int(1, 20) }, () => ctx.rng.pick(INVALID_UTF8));
      const request = Buffer.concat(picks.map((b) => Buffer.from([0x51, 0x3a, 0x20, ...b, 0x0a])));
      return [request, picks.map(() => "ERR invalid UTF-8")];
    },
  ],
  ["NUL bytes", () => ["Query: Al\0pha\n\0\nBuy: \0\n", ["-1", NO_COLON, "-1"]]],
  [
    "empty lines",
    (ctx) => {
      const count = ctx.rng.int(100, 20_000);
      return [(ctx.rng.chance(0.5) ? "\n" : "\r\n").repeat(count), Array(count).fill("ERR empty request")];
    },
  ],
  [
    "unknown method (an HTTP request)",
    () => [
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8\r\n\r\nSell: Alpha\n",
      [
        NO_COLON,
        unknownMethod("Host"),
        unknownMethod("User-Agent"),
        "ERR empty request",
        unknownMethod("Sell"),
      ],
    ],
  ],
  ["missing colon", () => ["Query Decoy\nBuy Decoy\nBuy\n", [NO_COLON, NO_COLON, NO_COLON]]],
  [
    "huge name",
    (ctx) => {
      const name = "x".repeat(ctx.rng.int(257, ctx.limits.maxLineBytes - 10));
      return [`Query: ${name}\nBuy: ${name}\n`, [NAME_TOO_LONG, NAME_TOO_LONG]];
    },
  ],
];

export const SOCKET_CASES: readonly HostileCase[] = [
  ...EXCHANGES.map(([name, make]): HostileCase => ({ name, run: (ctx) => exchange(ctx, ...make(ctx)) })),
  onSocket("megabytes with no newline", { maxMs: (limits) => limits.lingerMs + 20_000 }, async (ctx, c) => {
    const total = ctx.rng.int(1, 10) * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, "y");
    let sent = 0;
    while (sent < total && (await c.write(chunk))) sent += chunk.length;
    if (!(await c.waitForClose(ctx.limits.lingerMs + 10_000))) return "not closed";
    return firstDifference(c.received.split("\n"), ["ERR line too long", ""]);
  }),
  onSocket("one-byte writes", {}, async (ctx, c) => {
    for (const byte of Buffer.from("qUeRy:  Alpha \r\nBuy: Ünknown\n")) {
      await c.write(Buffer.from([byte]));
      await pause(ctx.rng.int(0, 3));
    }
    return firstDifference(await c.waitForLines(2, 10_000), [IN_STOCK, "-1"]);
  }),
  onSocket(
    "pipelined flood, never reading",
    {
      minMs: (limits) => limits.writeStallTimeoutMs + 1000,
      maxMs: (limits) => limits.writeStallTimeoutMs + 40_000,
    },
    async (ctx, c) => {
      c.socket.pause();
      // Short bad requests whose replies are six times longer, until the
      // server stops taking them: then its replies to us are blocked.
      const chunk = Buffer.from("Sell: x\n".repeat(8192));
      for (let sent = 0; ; sent += chunk.length) {
        if (sent >= 64 * 1024 * 1024) return "the server kept reading 64 MiB while its replies went unread";
        const taken = await Promise.race([c.write(chunk), pause(1000, "stalled" as const)]);
        if (taken === "stalled" || c.isClosed) break;
        if (!taken) return "the connection broke before the server stopped reading";
      }
      await pause(ctx.limits.writeStallTimeoutMs + 1000);
      // A paused socket notices the server's reset only when it reads again.
      c.socket.resume();
      return (await c.waitForClose(10_000)) ? undefined : "not dropped after the write-stall timeout";
    },
  ),
  onSocket("pipelined thousands, read late", { maxMs: () => 45_000 }, async (ctx, c) => {
    const kinds: [string, Reply][] = [
      ["Query: Alpha", IN_STOCK],
      ["Query: Nope", "-1"],
      ["Query: Gone", "0"],
    ];
    const picks = Array.from({ length: ctx.rng.int(1000, 3000) }, () => ctx.rng.pick(kinds));
    c.socket.pause();
    await c.write(`${picks.map(([request]) => request).join("\n")}\n`);
    await pause(ctx.rng.int(0, 500));
    c.socket.resume();
    // The server admits a bounded share of them at a time: a pipeline waits its turn.
    const expected = picks.map(([, reply]) => reply);
    return firstDifference(await c.waitForLines(expected.length, 40_000), expected);
  }),
  onSocket(
    "slow loris",
    { minMs: (limits) => limits.lineTimeoutMs, maxMs: (limits) => limits.lineTimeoutMs + 15_000 },
    async (ctx, c) => {
      await c.write("Query: Alpha\nQuery: Alp");
      // A byte every half second, never a newline: activity an idle timeout would not catch.
      const dribble = setInterval(() => void c.write("h"), 500);
      const closed = await c.waitForClose(ctx.limits.lineTimeoutMs + ctx.limits.lingerMs + 5000);
      clearInterval(dribble);
      return closed
        ? firstDifference(c.lines(), [IN_STOCK, "ERR line timeout"])
        : "not closed after the line timeout";
    },
  ),
  onSocket("closed mid-request", { maxMs: () => 10_000 }, async (ctx, c) => {
    ctx.decoy.sent++;
    await c.write(ctx.rng.chance(0.5) ? "Buy: Decoy\nQuery: Dec" : "Buy: Decoy\n");
    await pause(ctx.rng.int(0, 3));
    if (ctx.rng.chance(0.5)) c.socket.resetAndDestroy();
    return undefined;
  }),
  onSocket("idle connection", { maxMs: () => 5000 }, async (ctx, c) => {
    await pause(ctx.rng.int(100, 2000));
    return c.isClosed ? "closed by the server before the idle timeout" : undefined;
  }),
  {
    name: "burst of connections",
    run: async (ctx) =>
      (await Promise.all(Array.from({ length: 20 }, () => exchange(ctx, "Query: Nope\n", ["-1"])))).find(
        Boolean,
      ),
  },
];
