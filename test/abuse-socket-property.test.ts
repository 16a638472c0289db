// A property over the live socket server: any mix of valid and malformed
// request lines, cut into any chunks, gets exactly one reply line per request
// line, in order, each the one a sequential model of the catalog predicts.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Toy } from "../src/catalog/toy.js";
import { drop } from "./helpers/abuse-socket.js";
import { RawConnection, startTestSocketServer } from "./helpers/socket-server.js";

const TOYS: readonly Toy[] = [
  { name: "Tux", priceCents: 1999, stock: 3 },
  { name: "Lion", priceCents: 4200, stock: 0 },
  { name: "Teddy Bär", priceCents: 1250, stock: 2 },
];
const UNKNOWN = ["Nope", "Unicorn 🦄", "T\0ux"];

/** One request line as bytes (without its line end), and what the model answers to it. */
interface Line {
  readonly bytes: Buffer;
  readonly reply: (stock: Map<string, number>) => string;
  /** How fast-check prints it in a counterexample. */
  [fc.toStringMethod](): string;
}

function line(bytes: Buffer, reply: (stock: Map<string, number>) => string): Line {
  return { bytes, reply, [fc.toStringMethod]: () => JSON.stringify(bytes.toString("latin1")) };
}

function formatCents(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

/** A valid request: either method, any case, a known or unknown name, spaces around it. */
const validLine: fc.Arbitrary<Line> = fc
  .record({
    buy: fc.boolean(),
    methodCase: fc.constantFrom("as-is", "upper", "lower"),
    name: fc.constantFrom(...TOYS.map((t) => t.name), ...UNKNOWN),
    nameCase: fc.constantFrom("as-is", "upper", "lower"),
    before: fc.constantFrom("", " ", "  ", "\t"),
    after: fc.constantFrom("", " ", "\t "),
  })
  .map(({ buy, methodCase, name, nameCase, before, after }) => {
    const method = buy ? "Buy" : "Query";
    const cased = (text: string, how: string) =>
      how === "upper" ? text.toUpperCase() : how === "lower" ? text.toLowerCase() : text;
    const text = `${cased(method, methodCase)}:${before}${cased(name, nameCase)}${after}`;
    const toy = TOYS.find((t) => t.name.toLowerCase() === name.toLowerCase());
    return line(Buffer.from(text), (stock) => {
      if (toy === undefined) return "-1";
      const left = stock.get(toy.name)!;
      if (left === 0) return "0";
      if (!buy) return `${formatCents(toy.priceCents)} ${left}`;
      stock.set(toy.name, left - 1);
      return "1";
    });
  });

const fixed = (bytes: Buffer | string, reply: string): Line =>
  line(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), () => reply);

const NO_COLON = "ERR expected '<Method>: <name>', e.g. 'Query: Tux'";

/** A malformed request, with the error the protocol promises for it. */
const malformedLine: fc.Arbitrary<Line> = fc.oneof(
  fc.constantFrom(
    fixed("", "ERR empty request"),
    fixed("  \t ", "ERR empty request"),
    fixed("Query Tux", NO_COLON),
    fixed("Sell: Tux", "ERR unknown method 'Sell'; expected Query, Buy, Buy*<n>, Order or List"),
    fixed("Query:", "ERR empty name"),
    fixed("bUy:   ", "ERR empty name"),
    fixed(Buffer.from([0x51, 0x3a, 0x20, 0xff, 0x54]), "ERR invalid UTF-8"),
    fixed(Buffer.from([0xc3]), "ERR invalid UTF-8"),
    fixed(`Query: ${"x".repeat(300)}`, "ERR name too long (more than 256 characters)"),
    fixed("\0", NO_COLON),
  ),
  // Any text without a colon or a line break: blank, or a missing colon.
  fc
    .string({ unit: "grapheme", maxLength: 30 })
    .filter((s) => !/[:\r\n]/.test(s))
    .map((s) => fixed(s, s.trim() === "" ? "ERR empty request" : NO_COLON)),
);

const lineArb = fc.oneof({ weight: 3, arbitrary: validLine }, { weight: 2, arbitrary: malformedLine });

describe("socket server, a property over the live server", () => {
  it("gives one right reply per line, in order, for any mix of lines in any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(lineArb, fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 25 }),
        fc.constantFrom(0, 1),
        fc.constantFrom(1, 2, 64),
        async (lines, rawCuts, workMs, maxInFlightPerConnection) => {
          const bytes = Buffer.concat(
            lines.map(([l, crlf]) => Buffer.concat([l.bytes, Buffer.from(crlf ? "\r\n" : "\n")])),
          );
          const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const stock = new Map(TOYS.map((t) => [t.name, t.stock]));
          const expected = lines.map(([l]) => l.reply(stock));

          const server = await startTestSocketServer({
            toys: TOYS,
            service: { workMs },
            server: { maxInFlightPerConnection },
          });
          const c = await RawConnection.open(server.port);
          try {
            let last = 0;
            for (const cut of [...cuts, bytes.length]) {
              if (cut > last) await c.write(bytes.subarray(last, cut));
              last = cut;
            }
            // A last request, to show that no extra reply came before it.
            await c.write("Query: Lion\n");
            assert.deepEqual(await c.lines(lines.length + 1), [...expected, "0"]);
          } finally {
            await drop(c);
            await server.close();
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
