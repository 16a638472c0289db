// Unit tests of the course API's pure mappings: cents to a JSON price that
// prints as the exact decimal, an order's body to a buy (or why not), store
// ids to order numbers, and problems in the course's error shape.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { formatPrice, MAX_QUANTITY, parsePriceCents } from "../../catalog/toy.js";
import { isStoreError } from "../../errors.js";
import { courseOrderOf, courseProductJson, orderNumberOf, priceOfCents } from "./course-api.js";
import { courseErrorOf, type ProblemKind, problem } from "./problem.js";

/** The decimal of `cents` as a person writes it: two places, trailing zeros (and a bare point) dropped. */
const decimalText = (cents: number): string => formatPrice(cents).replace(/\.?0+$/, "");

describe("course prices", () => {
  it("are JSON numbers written as the exact decimal", () => {
    const cases: [number, string][] = [
      [1999, "19.99"],
      [1990, "19.9"],
      [500, "5"],
      [1, "0.01"],
      [10, "0.1"],
      [0, "0"],
      [110, "1.1"],
      [4200, "42"],
      [100_000_000_000, "1000000000"],
    ];
    for (const [cents, text] of cases) assert.equal(JSON.stringify(priceOfCents(cents)), text, `${cents}`);
    assert.equal(
      JSON.stringify(courseProductJson("Tux", 1999, 0)),
      '{"data":{"name":"Tux","price":19.99,"quantity":0}}',
    );
  });

  it("round-trip every cents value from 0 to 1e9 through the JSON text to the same cents", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), (cents) => {
        const text = JSON.stringify({ price: priceOfCents(cents) });
        const parsed = (JSON.parse(text) as { price: number }).price;
        const written = text.slice('{"price":'.length, -1);
        assert.equal(written, decimalText(cents));
        assert.equal(parsePriceCents(written), cents);
        assert.equal(Math.round(parsed * 100), cents);
      }),
      { numRuns: 20_000 },
    );
  });

  it("are exact for every price a catalog can hold (up to 13 whole digits)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), (big) => {
        const cents = Number(big);
        assert.equal(JSON.stringify(priceOfCents(cents)), decimalText(cents));
      }),
    );
  });
});

describe("course order bodies", () => {
  const QUANTITY = `quantity must be a whole number from 1 to ${MAX_QUANTITY}`;
  const refused = (body: Record<string, unknown> | undefined): string => {
    const result = courseOrderOf(body);
    assert.ok(isStoreError(result), `refused: ${JSON.stringify(body)}`);
    assert.equal(result.code, "bad_request");
    return result.message;
  };

  it("take a name and a quantity, nothing else", () => {
    assert.deepEqual(courseOrderOf({ name: "Tux", quantity: 1 }), { name: "Tux", quantity: 1 });
    assert.deepEqual(courseOrderOf({ quantity: MAX_QUANTITY, name: " tux " }), {
      name: " tux ",
      quantity: MAX_QUANTITY,
    });
  });

  it("refuse, saying why, a missing body or field, an extra field, a name not a string, a quantity out of range", () => {
    assert.equal(refused(undefined), 'the body must be a JSON object with "name" and "quantity"');
    assert.equal(refused({}), '"name" is required');
    assert.equal(refused({ quantity: 1 }), '"name" is required');
    assert.equal(refused({ name: "Tux" }), '"quantity" is required');
    assert.equal(refused({ name: 7, quantity: 1 }), '"name" must be a string');
    assert.equal(refused({ name: null, quantity: 1 }), '"name" must be a string');
    assert.equal(
      refused({ name: "Tux", quantity: 1, price: 3 }),
      "unknown field price: expected name or quantity",
    );
    for (const quantity of [0, -1, 1.5, MAX_QUANTITY + 1, "1", null, true, [1], Number.NaN, 1e300])
      assert.equal(refused({ name: "Tux", quantity }), QUANTITY, JSON.stringify(quantity));
  });

  it("accept exactly a string name and a whole quantity in range, with no other field (property)", () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer({ min: -3, max: MAX_QUANTITY + 3 }),
      fc.double(),
      fc.constant(null),
      fc.boolean(),
      fc.constant([]),
    );
    const body = fc.dictionary(fc.constantFrom("name", "quantity", "quantities", "Name"), value);
    fc.assert(
      fc.property(body, (fields) => {
        const { name, quantity } = fields;
        const valid =
          Object.keys(fields).every((k) => k === "name" || k === "quantity") &&
          typeof name === "string" &&
          Number.isSafeInteger(quantity) &&
          (quantity as number) >= 1 &&
          (quantity as number) <= MAX_QUANTITY;
        const result = courseOrderOf(fields);
        if (valid) assert.deepEqual(result, { name, quantity });
        else assert.ok(isStoreError(result) && result.code === "bad_request");
      }),
    );
  });
});

describe("course order numbers", () => {
  it("are a store's ids as JSON numbers; no number for what is no plain safe integer", () => {
    assert.equal(orderNumberOf("10"), 10);
    assert.equal(orderNumberOf(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    for (const id of ["010", "abc", "", "1.5", "9007199254740993", " 1"])
      assert.equal(orderNumberOf(id), undefined, id);
  });
});

describe("course errors", () => {
  it("are the problem table's status and detail, in the course's shape", () => {
    assert.deepEqual(courseErrorOf(problem("not_found", "product not found")), {
      error: { code: 404, message: "product not found" },
    });
    assert.deepEqual(courseErrorOf(problem("out_of_stock", "out of stock")), {
      error: { code: 400, message: "out of stock" },
    });
    assert.deepEqual(courseErrorOf(problem("busy")), {
      error: { code: 503, message: "too many requests queued, try again" },
    });
    assert.deepEqual(courseErrorOf(problem("method_not_allowed")), {
      error: { code: 405, message: "method not allowed" },
    });
    const kinds: ProblemKind[] = [
      "bad_request",
      "shutting_down",
      "unavailable",
      "content_too_large",
      "uri_too_long",
    ];
    for (const kind of kinds)
      assert.equal(courseErrorOf(problem(kind, "x")).error.code, problem(kind).status);
  });
});
