import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { StoreError } from "../../errors.js";
import { INVALID_UTF8 } from "../../protocol/line-decoder.js";
import type { StoreResult } from "../../service/operations/index.js";
import { encodeAnswer, encodeErrorAnswer, parseAnswer } from "./answers.js";
import { type Message, takeMessages } from "./framing.js";
import { MessageIntake } from "./intake.js";
import { encodeMessage, parseMessage } from "./messages.js";

/** Every message of each read, taken at once. */
function frame(reads: readonly Buffer[], maxBytes = 1024): { messages: Message[]; ok: boolean } {
  const messages: Message[] = [];
  for (const read of reads) {
    if (takeMessages(read, 0, messages, Number.POSITIVE_INFINITY, maxBytes) === -1)
      return { messages, ok: false };
  }
  return { messages, ok: true };
}

/** The answer a fixed store would give: what the server writes for a message, its line end aside. */
function answerOf(message: Message): string {
  const request = parseMessage(message.text);
  if (request instanceof StoreError) return encodeErrorAnswer(request);
  const known = request.name.toLowerCase() === "tux";
  const result: StoreResult =
    request.op === "query"
      ? known
        ? { kind: "in_stock", name: "Tux", priceCents: 1999, stock: 5 }
        : { kind: "not_found" }
      : known
        ? { kind: "bought", toy: "Tux", orderId: "1", unitPriceCents: 1999, quantity: 1, stockLeft: 4 }
        : { kind: "not_found" };
  return encodeAnswer(result);
}

describe("original-socket framing", () => {
  it("takes a read with no line end as one message, and a read of lines as one message per line", () => {
    assert.deepEqual(frame([Buffer.from("query: Tux")]).messages, [{ text: "query: Tux", lineEnd: false }]);
    assert.deepEqual(frame([Buffer.from("query: Tux\r\nbuy: Fox\n\nQuery: Lion")]).messages, [
      { text: "query: Tux", lineEnd: true },
      { text: "buy: Fox", lineEnd: true },
      { text: "Query: Lion", lineEnd: false },
    ]);
  });

  it("carries nothing from one read to the next", () => {
    assert.deepEqual(
      frame([Buffer.from("query: T"), Buffer.from("ux\n")]).messages.map((m) => m.text),
      ["query: T", "ux"],
    );
  });

  it("refuses a message over the limit, with or without a line end", () => {
    assert.equal(frame([Buffer.from(`query: ${"x".repeat(20)}`)], 16).ok, false);
    assert.equal(frame([Buffer.from(`query: Tux\nquery: ${"x".repeat(20)}\n`)], 16).ok, false);
    // The line end is not counted.
    assert.equal(frame([Buffer.from(`${"x".repeat(16)}\r\n`)], 16).ok, true);
  });

  it("marks bytes that are not UTF-8", () => {
    assert.deepEqual(frame([Buffer.from([0x71, 0x3a, 0x20, 0xc3, 0x28])]).messages, [
      { text: INVALID_UTF8, lineEnd: false },
    ]);
  });

  it("gives the same messages and answers however the messages are grouped into reads", () => {
    const text = fc.oneof(
      fc.constantFrom("query: Tux", "Buy: Tux", "QUERY:  nope ", "buy:", "sell: Tux", "query Tux", "  "),
      fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }).filter((s) => !/[\r\n]/.test(s)),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(text, fc.constantFrom("\n", "\r\n", "")), { minLength: 1, maxLength: 30 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        (sent, cuts) => {
          // A message with no line end is the last of its read; after a line end, a read may end or not.
          const reads: string[] = [];
          let read = "";
          sent.forEach(([body, end], i) => {
            read += body + end;
            if (end === "" || cuts[i] === true || i === sent.length - 1) {
              reads.push(read);
              read = "";
            }
          });
          const { messages, ok } = frame(reads.map((r) => Buffer.from(r)));
          assert.equal(ok, true);
          assert.deepEqual(
            messages.map((m) => [answerOf(m), m.lineEnd]),
            sent.map(([body, end]) => [answerOf({ text: body, lineEnd: end !== "" }), end !== ""]),
          );
        },
      ),
    );
  });

  it("gives the same messages when the intake takes a read a few messages at a time", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("query: Tux", "buy: Fox", "", "x"), { minLength: 1, maxLength: 50 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 20 }),
        (lines, rooms) => {
          const read = Buffer.from(lines.join("\n"));
          const taken: Message[] = [];
          const intake = new MessageIntake(1024, (m) => taken.push(m));
          assert.equal(intake.take(read, rooms[0]!), true);
          for (let i = 1; intake.hasBacklog; i++) {
            intake.newTurn();
            assert.equal(intake.takeBacklog(rooms[i % rooms.length]! || 1), true);
          }
          assert.deepEqual(taken, frame([read]).messages);
        },
      ),
    );
  });
});

describe("original-socket messages", () => {
  it("reads 'method: name' with the method in any case", () => {
    assert.deepEqual(parseMessage("query: Tux"), { op: "query", name: "Tux" });
    assert.deepEqual(parseMessage("  QUERY :  Grey Whale \r"), { op: "query", name: "Grey Whale" });
    assert.deepEqual(parseMessage("Buy: Fox"), { op: "buy", name: "Fox", quantity: 1 });
    assert.deepEqual(parseMessage("buy: a:b"), { op: "buy", name: "a:b", quantity: 1 });
  });

  it("refuses anything else with a reason", () => {
    const reason = (text: string) => (parseMessage(text) as StoreError).message;
    assert.equal(reason(" "), "empty request");
    assert.equal(reason("query Tux"), "expected '<method>: <name>', e.g. 'query: Tux'");
    assert.equal(reason(": Tux"), "expected '<method>: <name>', e.g. 'query: Tux'");
    assert.equal(
      reason("sell: Tux"),
      "unknown method 'sell'; expected query or buy (the original protocol has no other)",
    );
    assert.equal(
      reason("Buy*3: Tux"),
      "unknown method 'Buy*3'; expected query or buy (the original protocol has no other)",
    );
    assert.equal(
      reason("\u001b[2J: x"),
      "unknown method '\\u001b[2J'; expected query or buy (the original protocol has no other)",
    );
    assert.equal(reason(INVALID_UTF8 as never), "invalid UTF-8");
    assert.equal((parseMessage("list:") as StoreError).code, "bad_request");
  });

  it("writes a request as the original client does", () => {
    assert.equal(encodeMessage("query", "Tux"), "query: Tux");
    assert.equal(encodeMessage("buy", "Fox"), "buy: Fox");
  });
});

describe("original-socket answers", () => {
  it("writes the original design's codes, the price with two decimals", () => {
    assert.equal(encodeAnswer({ kind: "in_stock", name: "Tux", priceCents: 2599, stock: 3 }), "25.99");
    assert.equal(encodeAnswer({ kind: "in_stock", name: "Tux", priceCents: 1000, stock: 3 }), "10.00");
    assert.equal(encodeAnswer({ kind: "in_stock", name: "Free", priceCents: 0, stock: 3 }), "0.00");
    assert.equal(encodeAnswer({ kind: "sold_out", name: "Lion", priceCents: 4200 }), "0");
    assert.equal(encodeAnswer({ kind: "not_found" }), "-1");
    assert.equal(
      encodeAnswer({
        kind: "bought",
        toy: "Tux",
        orderId: "1",
        unitPriceCents: 1,
        quantity: 1,
        stockLeft: 0,
      }),
      "1",
    );
    assert.equal(
      encodeErrorAnswer(new StoreError("busy", "busy")),
      "ERR busy: too many requests queued, try again",
    );
  });

  it("reads them back on the client", () => {
    assert.deepEqual(parseAnswer("25.99", "query"), {
      kind: "in_stock",
      priceCents: 2599,
      stock: Number.NaN,
    });
    assert.deepEqual(parseAnswer("0", "query"), { kind: "sold_out" });
    assert.deepEqual(parseAnswer("-1", "buy"), { kind: "not_found" });
    assert.deepEqual(parseAnswer("1", "buy"), { kind: "bought" });
    assert.equal(
      (parseAnswer("ERR busy: too many requests queued, try again", "buy") as StoreError).code,
      "busy",
    );
    assert.equal((parseAnswer("ERR empty name", "query") as StoreError).code, "bad_request");
    assert.equal((parseAnswer("19.99 100", "query") as StoreError).code, "internal");
    assert.equal((parseAnswer("2", "buy") as StoreError).code, "internal");
  });
});
