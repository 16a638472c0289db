import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { StoreError } from "../errors.js";
import { encodeError, encodeRequest, encodeResult, parseReply, parseRequest } from "./codec.js";
import { type DecodedLine, INVALID_UTF8, LineDecoder } from "./line-decoder.js";

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
    assert.deepEqual(parseRequest("  bUy :   Teddy  Bär  "), { op: "buy", name: "Teddy  Bär" });
    assert.deepEqual(parseRequest("QUERY:Tux"), { op: "query", name: "Tux" });
    assert.deepEqual(parseRequest("Query:"), { op: "query", name: "" });
  });

  it("reads an idempotency key between Buy and the colon", () => {
    assert.deepEqual(parseRequest("Buy k-1: Tux"), { op: "buy", name: "Tux", requestKey: "k-1" });
    assert.deepEqual(parseRequest(" buy   abc :Teddy"), { op: "buy", name: "Teddy", requestKey: "abc" });
    // A key after Query is not part of the protocol.
    const parsed = parseRequest("Query k: Tux");
    assert.ok(parsed instanceof StoreError && parsed.code === "bad_request");
  });

  const bad: [string, DecodedLine, string][] = [
    ["an unknown method", "Sell: Tux", "unknown method 'Sell'; expected Query or Buy"],
    ["a missing colon", "Query Tux", "expected '<Method>: <name>', e.g. 'Query: Tux'"],
    ["an empty line", "", "empty request"],
    ["a blank line", "   ", "empty request"],
    ["invalid UTF-8", INVALID_UTF8, "invalid UTF-8"],
    ["a control character in the method", "\u0007: x", "unknown method '\\u0007'; expected Query or Buy"],
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
        assert.ok(parsed instanceof StoreError || parsed.op === "query" || parsed.op === "buy");
      }),
    );
  });
});

describe("codec", () => {
  it("encodes the protocol's replies", () => {
    assert.equal(encodeResult({ kind: "in_stock", priceCents: 1999, stock: 100 }), "19.99 100");
    assert.equal(encodeResult({ kind: "bought", stockLeft: 4 }), "1");
    assert.equal(encodeResult({ kind: "sold_out" }), "0");
    assert.equal(encodeResult({ kind: "not_found" }), "-1");
    assert.equal(encodeError(new StoreError("busy", "x")), "ERR busy: too many requests queued, try again");
    assert.equal(encodeError(new StoreError("bad_request", "empty name")), "ERR empty name");
    assert.equal(encodeError(new StoreError("internal", "secret detail")), "ERR internal error");
  });

  it("round-trips requests and results (property)", () => {
    const name = fc
      .string({ unit: "grapheme", minLength: 1, maxLength: 30 })
      .map((s) => s.replace(/[\r\n:]/g, "").trim())
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
    fc.assert(
      fc.property(fc.constantFrom("query" as const, "buy" as const), name, result, (op, n, r) => {
        assert.deepEqual(parseRequest(encodeRequest({ op, name: n })), { op, name: n });
        assert.deepEqual(parseRequest(encodeRequest({ op: "buy", name: n, requestKey: "r-7" })), {
          op: "buy",
          name: n,
          requestKey: "r-7",
        });
        assert.deepEqual(parseReply(encodeResult(r), "query"), { ...r });
      }),
    );
    assert.deepEqual(parseReply(encodeResult({ kind: "bought", stockLeft: 3 }), "buy"), { kind: "bought" });
  });

  it("turns ERR lines and garbage into errors with codes", () => {
    const busy = parseReply("ERR busy: too many requests queued, try again", "query");
    assert.ok(busy instanceof StoreError && busy.code === "busy");
    const bad = parseReply("ERR empty name", "buy");
    assert.ok(bad instanceof StoreError && bad.code === "bad_request" && bad.message === "empty name");
    for (const garbage of ["", "1 2 3", "abc", "19.99", "19.99 0", "2"]) {
      const parsed = parseReply(garbage, garbage === "2" ? "buy" : "query");
      assert.ok(parsed instanceof StoreError && parsed.code === "internal", garbage);
    }
  });
});
