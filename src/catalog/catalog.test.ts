import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DEFAULT_CATALOG } from "./default-catalog.js";
import { CatalogError, loadCatalogFile, parseCatalog } from "./load-catalog.js";
import { InMemoryCatalog } from "./memory-store.js";
import { formatPrice, normalizeName, parsePriceCents } from "./toy.js";

describe("prices", () => {
  it("formats integer cents with two decimals", () => {
    assert.equal(formatPrice(1999), "19.99");
    assert.equal(formatPrice(5), "0.05");
    assert.equal(formatPrice(100), "1.00");
    assert.equal(formatPrice(0), "0.00");
  });

  it("parses decimals exactly, without floating-point drift", () => {
    assert.equal(parsePriceCents("19.99"), 1999);
    assert.equal(parsePriceCents(19.99), 1999);
    assert.equal(parsePriceCents(0.1), 10);
    assert.equal(parsePriceCents("0.5"), 50);
    assert.equal(parsePriceCents(7), 700);
  });

  it("refuses negative, non-numeric and over-precise prices", () => {
    for (const bad of [-1, "-1", "1.234", "abc", "", Number.NaN, Number.POSITIVE_INFINITY, null, {}]) {
      assert.equal(parsePriceCents(bad), undefined, String(bad));
    }
  });
});

describe("InMemoryCatalog", () => {
  const catalog = () =>
    new InMemoryCatalog([
      { name: "Tux", priceCents: 1999, stock: 2 },
      { name: "Lion", priceCents: 500, stock: 0 },
      { name: "Teddy Bär", priceCents: 1000, stock: 1 },
    ]);

  it("answers a query with the display name, price and stock, sold out (name and price), or not found", () => {
    const c = catalog();
    assert.deepEqual(c.query("tux"), { kind: "in_stock", name: "Tux", priceCents: 1999, stock: 2 });
    assert.deepEqual(c.query("Lion"), { kind: "sold_out", name: "Lion", priceCents: 500 });
    assert.deepEqual(c.query("Nope"), { kind: "not_found" });
  });

  it("matches names case-insensitively, ignoring surrounding whitespace and Unicode composition", () => {
    const c = catalog();
    assert.equal(c.query("  tUX ").kind, "in_stock");
    assert.equal(c.query("teddy bär").kind, "in_stock");
    assert.equal(c.query("Teddy Ba\u0308r").kind, "in_stock");
    assert.equal(normalizeName(" A\u0308 "), "ä");
  });

  it("buys one unit at a time and never oversells", () => {
    const c = catalog();
    const sale = { kind: "bought", toy: "Tux", unitPriceCents: 1999, quantity: 1 };
    assert.deepEqual(c.buy("tux", 1), { ...sale, stockLeft: 1, orderId: "1" });
    assert.deepEqual(c.buy("Tux", 1), { ...sale, stockLeft: 0, orderId: "2" });
    assert.deepEqual(c.buy("Tux", 1), { kind: "sold_out" });
    assert.deepEqual(c.query("Tux"), { kind: "sold_out", name: "Tux", priceCents: 1999 });
    assert.deepEqual(c.buy("Nope", 1), { kind: "not_found" });
  });

  it("buys several units all or nothing, as one order", () => {
    const c = new InMemoryCatalog([{ name: "Tux", priceCents: 1999, stock: 5 }]);
    assert.deepEqual(c.buy("Tux", 6), { kind: "sold_out" });
    assert.equal(c.list()[0]?.stock, 5, "a refused buy takes nothing");
    assert.deepEqual(c.buy("Tux", 3), {
      kind: "bought",
      toy: "Tux",
      stockLeft: 2,
      orderId: "1",
      unitPriceCents: 1999,
      quantity: 3,
    });
    assert.equal(c.order("1")?.quantity, 3);
    assert.deepEqual(c.buy("Tux", 3), { kind: "sold_out" });
    assert.equal((c.buy("Tux", 2) as { stockLeft: number }).stockLeft, 0, "exactly what is left sells out");
    assert.throws(() => c.buy("Tux", 0), RangeError);
  });

  it("agrees with a model of the stock on any buys (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 30 }),
        (initial, quantities) => {
          const c = new InMemoryCatalog([{ name: "Tux", priceCents: 100, stock: initial }]);
          let left = initial;
          for (const q of quantities) {
            const sale = c.buy("Tux", q);
            if (q > left) assert.deepEqual(sale, { kind: "sold_out" });
            else {
              left -= q;
              assert.ok(sale.kind === "bought" && sale.stockLeft === left && sale.quantity === q);
              assert.equal(c.order(sale.orderId)?.quantity, q);
            }
          }
          assert.equal(c.list()[0]?.stock, left);
        },
      ),
    );
  });

  it("lists every toy with its current stock", () => {
    const c = catalog();
    c.buy("Tux", 1);
    assert.deepEqual(
      c.list().map((t) => [t.name, t.stock]),
      [
        ["Tux", 1],
        ["Lion", 0],
        ["Teddy Bär", 1],
      ],
    );
  });

  it("refuses duplicate names", () => {
    assert.throws(
      () =>
        new InMemoryCatalog([
          { name: "Tux", priceCents: 1, stock: 1 },
          { name: "TUX", priceCents: 1, stock: 1 },
        ]),
      /duplicate/,
    );
  });

  it("ships a default catalog with the original design's toys in stock and one sold out", () => {
    const names = DEFAULT_CATALOG.map((t) => t.name);
    for (const name of ["Tux", "Whale", "Elephant", "Fox", "Python", "Dolphin", "Bird"]) {
      assert.ok(names.includes(name), name);
      assert.equal(DEFAULT_CATALOG.find((t) => t.name === name)?.stock, 100);
    }
    assert.ok(DEFAULT_CATALOG.some((t) => t.stock === 0));
    assert.doesNotThrow(() => new InMemoryCatalog(DEFAULT_CATALOG));
  });
});

describe("catalog files", () => {
  it("accepts an array or an object with a toys array", () => {
    const toys = [{ name: " Tux ", price: "19.99", stock: 3 }];
    assert.deepEqual(parseCatalog(toys, "f.json"), [{ name: "Tux", priceCents: 1999, stock: 3 }]);
    assert.deepEqual(parseCatalog({ toys }, "f.json"), [{ name: "Tux", priceCents: 1999, stock: 3 }]);
  });

  const cases: [string, unknown, RegExp][] = [
    ["not a list", { foo: 1 }, /f\.json: expected an array/],
    ["an entry that is not an object", [1], /entry 0: expected an object/],
    ["a missing name", [{ price: 1, stock: 1 }], /entry 0: "name"/],
    ["a missing price", [{ name: "A", stock: 1 }], /entry 0 \("A"\): missing "price"/],
    ["a missing stock", [{ name: "A", price: 1 }], /entry 0 \("A"\): missing "stock"/],
    ["a negative price", [{ name: "A", price: -1, stock: 1 }], /"price" must be a non-negative/],
    ["a negative stock", [{ name: "A", price: 1, stock: -1 }], /"stock" must be a non-negative integer/],
    ["a fractional stock", [{ name: "A", price: 1, stock: 1.5 }], /"stock"/],
    [
      "a duplicate name",
      [
        { name: "A", price: 1, stock: 1 },
        { name: " a", price: 1, stock: 1 },
      ],
      /entry 1 \(" a"\): duplicate name \(same as entry 0/,
    ],
  ];
  for (const [what, data, message] of cases) {
    it(`refuses ${what}, naming the file and the entry`, () => {
      assert.throws(
        () => parseCatalog(data, "f.json"),
        (e: unknown) => e instanceof CatalogError && message.test(e.message),
      );
    });
  }

  it("names the file when it is not JSON or cannot be read", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toystore-catalog-"));
    const file = join(dir, "bad.json");
    await writeFile(file, "{ not json");
    await assert.rejects(
      loadCatalogFile(file),
      (e: unknown) => e instanceof CatalogError && e.message.startsWith(`${file}: not valid JSON`),
    );
    await assert.rejects(loadCatalogFile(join(dir, "missing.json")), /missing\.json: cannot read/);
    const good = join(dir, "good.json");
    await writeFile(good, JSON.stringify([{ name: "Owl", price: 12.5, stock: 4 }]));
    assert.deepEqual(await loadCatalogFile(good), [{ name: "Owl", priceCents: 1250, stock: 4 }]);
    await rm(dir, { recursive: true, force: true });
  });
});

describe("InMemoryCatalog orders", () => {
  const toys = [{ name: "Tux", priceCents: 1999, stock: 10 }];

  it("records every sale as an order it can read back, with the toy, the quantity, the price and the time", () => {
    const c = new InMemoryCatalog(toys);
    const bought = c.buy("tux", 2);
    assert.equal(bought.kind, "bought");
    const order = c.order((bought as { orderId: string }).orderId);
    assert.equal(order?.toy, "Tux");
    assert.equal(order?.quantity, 2);
    assert.equal(order?.unitPriceCents, 1999);
    assert.ok(!Number.isNaN(Date.parse(order!.time)));
    assert.equal(c.order("no such order"), undefined);
  });

  it("keeps only the latest orders, so its memory stays bounded", () => {
    const c = new InMemoryCatalog(toys, 3);
    const ids = Array.from({ length: 5 }, () => (c.buy("Tux", 1) as { orderId: string }).orderId);
    assert.deepEqual(
      ids.map((id) => c.order(id)?.id),
      [undefined, undefined, ids[2], ids[3], ids[4]],
    );
  });
});
