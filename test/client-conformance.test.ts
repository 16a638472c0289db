// One suite, every client: the same cases run against each transport's StoreClient.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { StoreClient } from "../src/client/store-client.js";
import { StoreError } from "../src/errors.js";
import { type ClientFixture, clientFixtures } from "./helpers/client-fixtures.js";

for (const fixture of clientFixtures) {
  describe(`StoreClient conformance: ${fixture.transport}`, () => {
    let env: Awaited<ReturnType<ClientFixture["start"]>>;
    let client: StoreClient;
    before(async () => {
      env = await fixture.start({
        toys: [
          { name: "Tux", priceCents: 1999, stock: 3 },
          { name: "Lion", priceCents: 4200, stock: 0 },
          { name: "Teddy Bär", priceCents: 1250, stock: 5 },
          { name: "熊猫", priceCents: 888, stock: 2 },
        ],
      });
      client = await env.connect();
    });
    after(async () => {
      await client.close();
      await env.close();
    });

    it("queries a toy in stock: price and stock", async () => {
      assert.deepEqual(await client.query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 3 });
    });

    it("queries a sold-out toy and an unknown one", async () => {
      assert.deepEqual(await client.query("Lion"), { kind: "sold_out" });
      assert.deepEqual(await client.query("Unicorn"), { kind: "not_found" });
    });

    it("buys: bought, then sold out; unknown names are not found", async () => {
      assert.equal((await client.buy("熊猫")).kind, "bought");
      assert.equal((await client.buy("熊猫")).kind, "bought");
      assert.deepEqual(await client.buy("熊猫"), { kind: "sold_out" });
      assert.deepEqual(await client.buy("Unicorn"), { kind: "not_found" });
    });

    it("matches names with spaces, Unicode and any case", async () => {
      assert.deepEqual(await client.query("  teddy BÄR "), { kind: "in_stock", priceCents: 1250, stock: 5 });
    });

    it("rejects an empty name with bad_request and changes nothing", async () => {
      await assert.rejects(
        client.buy("   "),
        (e: unknown) => e instanceof StoreError && e.code === "bad_request",
      );
      await assert.rejects(
        client.query("x".repeat(1000)),
        (e: unknown) => e instanceof StoreError && e.code === "bad_request",
      );
      assert.deepEqual(await client.query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 3 });
    });

    it("keeps many calls in flight on one connection", async () => {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? client.query("Tux") : client.query("Nope"))),
      );
      results.forEach((result, i) => {
        assert.equal(result.kind, i % 2 === 0 ? "in_stock" : "not_found");
      });
    });

    it("sells the last units exactly once to concurrent buyers on several connections", async () => {
      const others = await Promise.all([env.connect(), env.connect(), env.connect()]);
      const results = await Promise.all([client, ...others].flatMap((c) => [c.buy("Tux"), c.buy("Tux")]));
      assert.equal(results.filter((r) => r.kind === "bought").length, 3);
      assert.equal(results.filter((r) => r.kind === "sold_out").length, 5);
      await Promise.all(others.map((c) => c.close()));
    });

    it("rejects calls after close with unavailable", async () => {
      const extra = await env.connect();
      await extra.close();
      await assert.rejects(
        extra.query("Tux"),
        (e: unknown) => e instanceof StoreError && e.code === "unavailable",
      );
    });
  });
}
