import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { StoreError } from "../errors.js";
import { type DecodedLine, INVALID_UTF8, LineDecoder } from "./line-decoder.js";
import { encodeError, encodeResult, parseReply } from "./replies.js";
import { encodeRequest, parseRequest, type SocketRequest } from "./requests.js";

function decodeAll(chunks: Buffer[], max = 1024): { lines: DecodedLine[]; ok: boolean } {
  const decoder = new LineDecoder(max);
  const lines: DecodedLine[] = [];
  let ok = true;
  for (const chunk of chunks) ok = decoder.push(chunk, lines) && ok;
  return { lines, ok };
}

/** Cuts a buffer at the given sorted positions. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let last = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    chunks.push(bytes.subarray(last, cut));
    last = cut;
  }
  chunks.push(bytes.subarray(last));
  return chunks;
}

describe("LineDecoder", () => {
  it("splits on LF, drops a CR before it, and keeps an unfinished line for the next chunk", () => {
    const decoder = new LineDecoder();
    const lines: DecodedLine[] = [];
    assert.equal(decoder.push(Buffer.from("Query: Tux\r\nBuy: Fo"), lines), true);
    assert.deepEqual(lines, ["Query: Tux"]);
    assert.equal(decoder.pendingBytes, 7);
    assert.equal(decoder.push(Buffer.from("x\n\n"), lines), true);
    assert.deepEqual(lines, ["Query: Tux", "Buy: Fox", ""]);
    assert.equal(decoder.pendingBytes, 0);
  });

  it("decodes UTF-8 split across chunks, and marks invalid UTF-8", () => {
    const bytes = Buffer.from("Query: Bär\n");
    assert.deepEqual(decodeAll([bytes.subarray(0, 9), bytes.subarray(9)]).lines, ["Query: Bär"]);
    assert.deepEqual(decodeAll([Buffer.from([0x51, 0xff, 0xfe, 0x0a])]).lines, [INVALID_UTF8]);
    assert.deepEqual(decodeAll([Buffer.from("\uFFFD\n")]).lines, ["\uFFFD"]);
  });

  it("refuses a line over the limit, complete or not, after yielding the lines before it", () => {
    assert.deepEqual(decodeAll([Buffer.from(`ok\n${"x".repeat(11)}\n`)], 10), { lines: ["ok"], ok: false });
    assert.deepEqual(decodeAll([Buffer.from("x".repeat(6)), Buffer.from("x".repeat(6))], 10), {
      lines: [],
      ok: false,
    });
    assert.deepEqual(decodeAll([Buffer.from(`${"x".repeat(10)}\r\n`)], 10), {
      lines: ["x".repeat(10)],
      ok: true,
    });
  });

  it("holds at most the limit while waiting for a line end", () => {
    const decoder = new LineDecoder(100);
    const lines: DecodedLine[] = [];
    let ok = true;
    for (let i = 0; i < 1000 && ok; i++) ok = decoder.push(Buffer.from("y"), lines);
    assert.equal(ok, false);
    assert.equal(decoder.pendingBytes, 0);
    assert.equal(decoder.push(Buffer.from("\n"), lines), false, "a failed decoder stays failed");
  });

  it("yields the same lines for every chunking of a byte stream (property)", () => {
    const line = fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ""));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, fc.boolean()), { maxLength: 15 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (entries, rawCuts) => {
          const text = entries.map(([l, crlf]) => `${l}${crlf ? "\r\n" : "\n"}`).join("");
          const bytes = Buffer.from(text);
          const cuts = rawCuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1)));
          const whole = decodeAll([bytes], 4096);
          const chunked = decodeAll(split(bytes, cuts), 4096);
          assert.deepEqual(chunked, whole);
          assert.deepEqual(
            whole.lines,
            entries.map(([l]) => l),
          );
        },
      ),
    );
  });

  it("yields the same lines with pushLines under any cap, resumed at the offset it returns (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }).map((raw) => Buffer.from(raw.map((b) => (b % 7 === 0 ? 0x0a : b)))),
        fc.integer({ min: 1, max: 5 }),
        (bytes, cap) => {
          const whole = decodeAll([bytes], 16);
          const decoder = new LineDecoder(16);
          const lines: DecodedLine[] = [];
          let at = 0;
          let ok = true;
          while (at < bytes.length) {
            const before = lines.length;
            const next = decoder.pushLines(bytes, at, lines, cap);
            if (next === -1) {
              ok = false;
              break;
            }
            assert.ok(lines.length - before <= cap, "never more lines than the cap");
            assert.ok(next > at || lines.length > before, "progress");
            at = next;
          }
          assert.deepEqual({ lines, ok }, whole);
        },
      ),
    );
  });

  it("fails on the same stream whatever the chunking when a line is too long (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (raw, rawCuts) => {
          const bytes = Buffer.from(raw);
          const cuts = rawCuts.map((c) => c % (bytes.length + 1));
          const whole = decodeAll([bytes], 16);
          const chunked = decodeAll(split(bytes, cuts), 16);
          assert.equal(chunked.ok, whole.ok);
          assert.deepEqual(chunked.lines, whole.lines);
        },
      ),
    );
  });
});

describe("parseRequest", () => {
  it("reads the method case-insensitively and trims the name", () => {
    assert.deepEqual(parseRequest("Query: Tux"), { op: "query", name: "Tux" });
    assert.deepEqual(parseRequest("  bUy :   Teddy  Bär  "), { op: "buy", name: "Teddy  Bär", quantity: 1 });
    assert.deepEqual(parseRequest("QUERY:Tux"), { op: "query", name: "Tux" });
    assert.deepEqual(parseRequest("Query:"), { op: "query", name: "" });
  });

  it("reads an idempotency key between Buy and the colon", () => {
    assert.deepEqual(parseRequest("Buy k-1: Tux"), {
      op: "buy",
      name: "Tux",
      quantity: 1,
      requestKey: "k-1",
    });
    assert.deepEqual(parseRequest(" buy   abc :Teddy"), {
      op: "buy",
      name: "Teddy",
      quantity: 1,
      requestKey: "abc",
    });
    // A key after Query is not part of the protocol.
    const parsed = parseRequest("Query k: Tux");
    assert.ok(parsed instanceof StoreError && parsed.code === "bad_request");
  });

  it("reads a quantity after Buy*, with or without a key, and keeps names with spaces, digits and '*'", () => {
    assert.deepEqual(parseRequest("Buy*3: Tux"), { op: "buy", name: "Tux", quantity: 3, detailed: true });
    assert.deepEqual(parseRequest("buy*12 k-9: Teddy 2 * 3"), {
      op: "buy",
      name: "Teddy 2 * 3",
      quantity: 12,
      requestKey: "k-9",
      detailed: true,
    });
    // "Buy 3: Tux" is a buy of one under the key "3", as it always was.
    assert.deepEqual(parseRequest("Buy 3: Tux"), { op: "buy", name: "Tux", quantity: 1, requestKey: "3" });
    for (const line of [
      "Buy*: Tux",
      "Buy*x: Tux",
      "Buy*-1: Tux",
      "Buy*1.5: Tux",
      "Buy*3 a b: Tux",
      "Buy *3: Tux",
    ]) {
      const parsed = parseRequest(line);
      assert.ok(parsed instanceof StoreError && parsed.code === "bad_request", line);
    }
  });

  it("reads Order and List", () => {
    assert.deepEqual(parseRequest("Order: 17"), { op: "order", id: "17" });
    assert.deepEqual(parseRequest("list:"), { op: "list" });
    const parsed = parseRequest("List: Tux");
    assert.ok(parsed instanceof StoreError && parsed.code === "bad_request");
  });

  const methods = "expected Query, Buy, Buy*<n>, Order or List";
  const bad: [string, DecodedLine, string][] = [
    ["an unknown method", "Sell: Tux", `unknown method 'Sell'; ${methods}`],
    ["a missing colon", "Query Tux", "expected '<Method>: <name>', e.g. 'Query: Tux'"],
    ["an empty line", "", "empty request"],
    ["a blank line", "   ", "empty request"],
    ["invalid UTF-8", INVALID_UTF8, "invalid UTF-8"],
    ["a control character in the method", "\u0007: x", `unknown method '\\u0007'; ${methods}`],
  ];
  for (const [what, line, message] of bad) {
    it(`answers ${what} with a bad_request error`, () => {
      const parsed = parseRequest(line);
      assert.ok(parsed instanceof StoreError);
      assert.equal(parsed.code, "bad_request");
      assert.equal(parsed.message, message);
    });
  }

  it("cuts a long unknown method in its error", () => {
    const parsed = parseRequest(`${"M".repeat(500)}: x`);
    assert.ok(parsed instanceof StoreError);
    assert.ok(parsed.message.length < 100);
  });

  it("never throws, whatever the line (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 64 }), (line) => {
        const parsed = parseRequest(line);
        assert.ok(parsed instanceof StoreError || ["query", "buy", "order", "list"].includes(parsed.op));
      }),
    );
  });
});

describe("replies", () => {
  const plainBuy: SocketRequest = { op: "buy", name: "Tux", quantity: 1 };
  const sale = {
    kind: "bought",
    toy: "Tux",
    stockLeft: 4,
    orderId: "9",
    unitPriceCents: 1999,
    quantity: 2,
  } as const;

  it("encodes the protocol's replies", () => {
    const query: SocketRequest = { op: "query", name: "Tux" };
    assert.equal(
      encodeResult(query, { kind: "in_stock", name: "Tux", priceCents: 1999, stock: 100 }),
      "19.99 100",
    );
    assert.equal(encodeResult(plainBuy, sale), "1");
    assert.equal(encodeResult({ ...plainBuy, quantity: 2, detailed: true }, sale), "1 9 19.99 4");
    assert.equal(encodeResult(query, { kind: "sold_out", name: "Tux", priceCents: 1999 }), "0");
    assert.equal(encodeResult(query, { kind: "not_found" }), "-1");
    const order = {
      id: "9",
      toy: "Teddy Bär",
      quantity: 2,
      unitPriceCents: 1999,
      time: "2026-12-07T21:00:00.000Z",
    };
    assert.equal(
      encodeResult({ op: "order", id: "9" }, { kind: "order", order }),
      "9 2 19.99 2026-12-07T21:00:00.000Z Teddy Bär",
    );
    const toys = [
      { name: "Tux", priceCents: 1999, stock: 3 },
      { name: "Big Bird 2", priceCents: 500, stock: 0 },
    ];
    assert.equal(encodeResult({ op: "list" }, { kind: "list", toys }), "2\n19.99 3 Tux\n5.00 0 Big Bird 2");
    assert.equal(encodeError(new StoreError("busy", "x")), "ERR busy: too many requests queued, try again");
    assert.equal(encodeError(new StoreError("bad_request", "empty name")), "ERR empty name");
    assert.equal(encodeError(new StoreError("internal", "secret detail")), "ERR internal error");
  });

  it("round-trips requests and results (property)", () => {
    const name = fc
      .string({ unit: "grapheme", minLength: 1, maxLength: 30 })
      .map((s) => s.replace(/[\r\n]/g, "").trim())
      .filter((s) => s !== "");
    const result = fc.oneof(
      fc.record({
        kind: fc.constant("in_stock" as const),
        priceCents: fc.nat(10_000_000),
        stock: fc.integer({ min: 1, max: 1e9 }),
      }),
      fc.record({ kind: fc.constant("sold_out" as const) }),
      fc.record({ kind: fc.constant("not_found" as const) }),
    );
    const quantity = fc.integer({ min: 1, max: 1_000_000 });
    fc.assert(
      fc.property(name, result, quantity, (n, r, q) => {
        const requests: SocketRequest[] = [
          { op: "query", name: n },
          { op: "buy", name: n, quantity: 1 },
          { op: "buy", name: n, quantity: 1, requestKey: "r-7" },
          { op: "buy", name: n, quantity: q, detailed: true },
          { op: "buy", name: n, quantity: q, requestKey: "r-7", detailed: true },
          { op: "order", id: n },
        ];
        for (const request of requests) assert.deepEqual(parseRequest(encodeRequest(request) ?? ""), request);
        const stored =
          r.kind === "in_stock"
            ? { ...r, name: n }
            : r.kind === "sold_out"
              ? { ...r, name: n, priceCents: 1 }
              : r;
        assert.deepEqual(parseReply([encodeResult({ op: "query", name: n }, stored)], "query"), { ...r });
        const toys = [{ name: n, priceCents: 100, stock: q }];
        const listed = encodeResult({ op: "list" }, { kind: "list", toys }).split("\n");
        assert.deepEqual(parseReply(listed, "list"), { kind: "list", toys });
      }),
    );
    assert.deepEqual(parseReply([encodeResult(plainBuy, sale)], "buy"), { kind: "bought" });
    assert.deepEqual(parseReply([encodeResult({ ...plainBuy, detailed: true }, sale)], "buy"), {
      kind: "bought",
      orderId: "9",
      unitPriceCents: 1999,
      stockLeft: 4,
    });
  });

  it("turns ERR lines and garbage into errors with codes", () => {
    const busy = parseReply(["ERR busy: too many requests queued, try again"], "query");
    assert.ok(busy instanceof StoreError && busy.code === "busy");
    const bad = parseReply(["ERR empty name"], "buy");
    assert.ok(bad instanceof StoreError && bad.code === "bad_request" && bad.message === "empty name");
    for (const [reason, code] of [
      ["deadline exceeded", "deadline_exceeded"],
      ["cancelled", "cancelled"],
      ["line timeout", "unavailable"],
      ["too many connections", "unavailable"],
      ["shutting down", "shutting_down"],
    ] as const) {
      const parsed = parseReply([`ERR ${reason}`], "query");
      assert.ok(parsed instanceof StoreError && parsed.code === code, reason);
    }
    for (const garbage of ["", "1 2 3", "abc", "19.99", "19.99 0", "2"]) {
      const parsed = parseReply([garbage], garbage === "2" ? "buy" : "query");
      assert.ok(parsed instanceof StoreError && parsed.code === "internal", garbage);
    }
  });
});
