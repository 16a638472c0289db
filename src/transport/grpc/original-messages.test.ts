import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { status } from "@grpc/grpc-js";
import fc from "fast-check";
import { NOT_FOUND, type Sale, SOLD_OUT } from "../../catalog/toy.js";
import { loadOriginalContract } from "./contract.js";
import { encodeItem, encodeOriginalBuy, INT32_MAX, priceAsFloat } from "./original-messages.js";
import { ORIGINAL_GRPC_METHODS } from "./original-methods.js";
import { OUTCOME_TRAILER, OutcomeStatus } from "./status-codes.js";

/** A positive finite double's exact value, as an integer over 2^1100 (every double is a whole multiple of 2^-1074). */
function exactOver2e1100(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075; // x = mantissa * 2^exponent
  return mantissa << BigInt(exponent + 1100);
}

/** How far a float lies from cents/100, exactly (scaled by 100 * 2^1100). */
function distance(float: number, cents: number): bigint {
  const gap = 100n * exactOver2e1100(float) - (BigInt(cents) << 1100n);
  return gap < 0n ? -gap : gap;
}

/** The floats (IEEE single) just below and just above a positive float, and its lowest mantissa bit. */
function float32Around(float: number): { below: number; above: number; odd: boolean } {
  const single = new Float32Array([float]);
  const bits = new Uint32Array(single.buffer);
  const own = bits[0]!;
  bits[0] = own - 1;
  const below = single[0]!;
  bits[0] = own + 1;
  const above = single[0]!;
  return { below, above, odd: (own & 1) === 1 };
}

describe("the original design's messages", () => {
  it("sends a price as the float nearest to it: 1999 cents is 19.9899997711181640625", () => {
    assert.equal(priceAsFloat(1999), 19.989999771118164);
    assert.equal(priceAsFloat(1999), Math.fround(19.99));
    assert.equal(priceAsFloat(3450), 34.5);
    assert.equal(priceAsFloat(0), 0);
  });

  it("breaks an exact tie between two floats to the even one, as rounding the exact price does", () => {
    // 16777217 and 16777219 lie halfway between floats (2^24 + 1, 2^24 + 3).
    assert.equal(priceAsFloat(1_677_721_700), 16_777_216);
    assert.equal(priceAsFloat(1_677_721_900), 16_777_220);
  });

  it("is the nearest float to the exact decimal price for any price the store can hold", () => {
    const cents = fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 2 ** 53 - 1 }));
    fc.assert(
      fc.property(cents, (priceCents) => {
        const float = priceAsFloat(priceCents);
        assert.equal(Math.fround(float), float, "a float (IEEE single)");
        const own = distance(float, priceCents);
        const { below, above, odd } = float32Around(float);
        for (const neighbour of [below, above]) {
          const theirs = distance(neighbour, priceCents);
          assert.ok(own < theirs || (own === theirs && !odd), `${priceCents}: ${neighbour} is nearer`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("answers an in-stock toy as an Item with its display name, price and stock", () => {
    const item = encodeItem({ kind: "in_stock", name: "Tux", priceCents: 1999, stock: 7 });
    assert.deepEqual(item, { name: "Tux", price: Math.fround(19.99), stock: 7 });
  });

  it("answers a sold-out toy as an Item with stock 0 and its price", () => {
    assert.deepEqual(encodeItem({ kind: "sold_out", name: "Lion", priceCents: 4200 }), {
      name: "Lion",
      price: 42,
      stock: 0,
    });
  });

  it("sends a stock beyond an int32 as the largest int32", () => {
    const item = encodeItem({ kind: "in_stock", name: "Tux", priceCents: 1, stock: 2 ** 40 });
    assert.ok(!(item instanceof OutcomeStatus));
    assert.equal(item.stock, INT32_MAX);
  });

  it("answers an unknown toy, on Query and Buy, as INVALID_ARGUMENT 'Item not found' with the outcome trailer", () => {
    for (const answer of [encodeItem(NOT_FOUND), encodeOriginalBuy(NOT_FOUND)]) {
      assert.ok(answer instanceof OutcomeStatus);
      assert.equal(answer.code, status.INVALID_ARGUMENT);
      assert.equal(answer.details, "Item not found");
      assert.deepEqual(answer.metadata.get(OUTCOME_TRAILER), ["not_found"]);
    }
  });

  it("answers a buy with status 1 (bought) or 0 (sold out)", () => {
    const sale: Sale = {
      kind: "bought",
      toy: "Tux",
      stockLeft: 1,
      orderId: "1",
      unitPriceCents: 1999,
      quantity: 1,
    };
    assert.deepEqual(encodeOriginalBuy(sale), { status: 1 });
    assert.deepEqual(encodeOriginalBuy(SOLD_OUT), { status: 0 });
  });

  it("puts the nearest float on the wire: an Item encoded and decoded keeps it", () => {
    const { Item } = loadOriginalContract().proto;
    const item = encodeItem({ kind: "in_stock", name: "Tux", priceCents: 1999, stock: 3 });
    assert.ok(!(item instanceof OutcomeStatus));
    const decoded = Item.deserialize(Item.serialize(item));
    assert.deepEqual(decoded, { name: "Tux", price: Math.fround(19.99), stock: 3 });
  });
});

describe("the original design's method table", () => {
  it("has a row for each method of the original ToyStore, and no other", () => {
    const { service } = loadOriginalContract();
    assert.deepEqual(Object.keys(ORIGINAL_GRPC_METHODS).sort(), Object.keys(service).sort());
    assert.equal(service.Query.path, "/ToyStore/Query");
    assert.equal(service.Buy.path, "/ToyStore/Buy");
  });

  it("runs Query as the query operation and Buy as a buy of one unit, with no key", () => {
    assert.deepEqual(ORIGINAL_GRPC_METHODS.Query.toRequest({ name: "Tux" }), { op: "query", name: "Tux" });
    assert.deepEqual(ORIGINAL_GRPC_METHODS.Buy.toRequest({ name: "Tux" }), {
      op: "buy",
      name: "Tux",
      quantity: 1,
    });
    assert.equal(ORIGINAL_GRPC_METHODS.Query.op, "query");
    assert.equal(ORIGINAL_GRPC_METHODS.Buy.op, "buy");
  });
});
