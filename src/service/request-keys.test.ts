import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StoreError } from "../errors.js";
import { RequestKeys } from "./request-keys.js";
import { validateRequestKey } from "./validate-name.js";

const bought = {
  toyKey: "tux",
  quantity: 2,
  outcome: Promise.resolve({
    kind: "bought" as const,
    toy: "Tux",
    stockLeft: 1,
    orderId: "1",
    unitPriceCents: 1999,
    quantity: 2,
  }),
};

describe("RequestKeys", () => {
  it("remembers a key until its time is up", () => {
    let now = 0;
    const keys = new RequestKeys(10, 1000, () => now);
    keys.set("a", bought);
    now = 999;
    assert.deepEqual([keys.get("a")?.toyKey, keys.get("a")?.quantity], ["tux", 2]);
    now = 1000;
    assert.equal(keys.get("a"), undefined);
    assert.equal(keys.size, 0);
  });

  it("forgets the oldest keys beyond its limit, and what expired when it sets", () => {
    let now = 0;
    const keys = new RequestKeys(3, 1000, () => now);
    for (const key of ["a", "b", "c", "d"]) {
      keys.set(key, bought);
      now += 100;
    }
    assert.equal(keys.size, 3);
    assert.equal(keys.get("a"), undefined);
    assert.ok(keys.get("b"));
    now = 1250; // b (at 100) and c (at 200) have expired
    keys.set("e", bought);
    assert.deepEqual(
      ["b", "c", "d", "e"].map((k) => keys.get(k) !== undefined),
      [false, false, true, true],
    );
  });

  it("forgets a key on delete", () => {
    const keys = new RequestKeys();
    keys.set("a", bought);
    keys.delete("a");
    assert.equal(keys.get("a"), undefined);
  });
});

describe("validateRequestKey", () => {
  it("takes 1 to 100 visible ASCII characters without spaces or colons", () => {
    assert.equal(validateRequestKey("order-42_a.b"), undefined);
    assert.equal(validateRequestKey("x".repeat(100)), undefined);
    for (const bad of ["", "x".repeat(101), "a b", "a:b", "é", "a\tb"]) {
      const error = validateRequestKey(bad);
      assert.ok(error instanceof StoreError && error.code === "bad_request", JSON.stringify(bad));
    }
  });
});
