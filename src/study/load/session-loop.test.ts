// The session loop (`load --session`) against a fake store: it queries, buys
// with probability P only what was in stock, records the orders, measures
// each request type apart, repeats itself for a seed, and stops on a lost
// connection; and a whole in-process run that checks its orders. No timing.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveLoadOptions } from "./load-options.js";
import { runLoad } from "./run-load.js";
import { runSession, SESSION_MAX_QUANTITY, type SessionLoopOptions } from "./session-loop.js";
import { createFakeStoreClient, type FakeStoreOptions } from "./session-test-helpers.js";

function options(overrides: Partial<SessionLoopOptions> = {}): SessionLoopOptions {
  return {
    requests: 40,
    durationMs: null,
    warmupMs: 0,
    toys: ["Tux", "Lion", "Nessie"],
    toyChoice: "uniform",
    timeoutMs: null,
    seed: 7,
    buyProbability: 0.5,
    ...overrides,
  };
}

describe("runSession", () => {
  it("never buys at P = 0: every step is one query", async () => {
    const client = createFakeStoreClient();
    const tally = await runSession(client, 0, options({ buyProbability: 0 }));
    assert.equal(client.calls.query, 40);
    assert.equal(client.calls.buy, 0);
    assert.equal(tally.ops.query.count, 40);
    assert.equal(tally.ops.buy.count, 0);
    assert.deepEqual(tally.orders, []);
    assert.equal(tally.stopReason, "completed");
  });

  it("at P = 1 buys after every query that found the toy in stock, and after no other", async () => {
    const client = createFakeStoreClient();
    const tally = await runSession(client, 0, options({ buyProbability: 1 }));
    const inStock = tally.ops.query.outcomes.in_stock ?? 0;
    assert.ok(inStock > 0 && (tally.ops.query.outcomes.sold_out ?? 0) > 0, "the draw met every answer");
    assert.ok((tally.ops.query.outcomes.not_found ?? 0) > 0);
    assert.equal(client.calls.buy, inStock);
    assert.deepEqual(new Set(client.bought), new Set(["Tux"]));
    assert.deepEqual(tally.ops.buy.outcomes, { bought: inStock });
  });

  it("buys at about the rate P of the in-stock answers", async () => {
    const client = createFakeStoreClient({ stock: { Tux: 1e9 } });
    const tally = await runSession(
      client,
      0,
      options({ toys: ["Tux"], requests: 2000, buyProbability: 0.2 }),
    );
    // 2000 draws at 0.2: 400 expected, a standard deviation of about 18.
    assert.ok(tally.ops.buy.count > 300 && tally.ops.buy.count < 500, String(tally.ops.buy.count));
  });

  it("records every order it was told about, with the toy and a quantity from 1 to 5", async () => {
    const client = createFakeStoreClient();
    const tally = await runSession(client, 0, options({ buyProbability: 1 }));
    assert.equal(tally.orders.length, client.orders.size);
    for (const order of tally.orders) {
      const made = client.orders.get(order.id!);
      assert.deepEqual([made?.toy, made?.quantity], [order.toy, order.quantity]);
      assert.ok(order.quantity >= 1 && order.quantity <= SESSION_MAX_QUANTITY);
    }
    assert.ok(new Set(tally.orders.map((o) => o.quantity)).size > 1, "quantities vary");
  });

  it("counts a sold-out answer to a quantity beyond the stock as an outcome, not an error", async () => {
    const client = createFakeStoreClient({ stock: { Tux: 3 } });
    const tally = await runSession(client, 0, options({ toys: ["Tux"], buyProbability: 1 }));
    assert.ok((tally.ops.buy.outcomes.sold_out ?? 0) > 0);
    assert.deepEqual(tally.errors, {});
  });

  it("measures queries and buys apart, and every request together", async () => {
    const tally = await runSession(createFakeStoreClient(), 0, options({ buyProbability: 1 }));
    assert.equal(tally.count, tally.ops.query.count + tally.ops.buy.count);
    assert.equal(tally.histogram.totalCount, tally.count);
    assert.equal(tally.ops.buy.histogram.totalCount, tally.ops.buy.count);
    assert.ok(Math.abs(tally.sumMicros - tally.ops.query.sumMicros - tally.ops.buy.sumMicros) < 1e-6);
  });

  it("makes the same choices for the same seed and client, and others for another client", async () => {
    const run = async (index: number) =>
      (await runSession(createFakeStoreClient(), index, options({ buyProbability: 0.5 }))).orders;
    assert.deepEqual(await run(1), await run(1));
    assert.notDeepEqual(await run(1), await run(2));
  });

  it("ends with stop reason connection_lost when the connection goes", async () => {
    const client = createFakeStoreClient({ loseConnectionAtQuery: 5 });
    const tally = await runSession(client, 0, options());
    assert.equal(tally.stopReason, "connection_lost");
    assert.equal(client.calls.query, 5);
    assert.deepEqual(tally.errors, { unavailable: 1 });
  });

  it("is bounded by time with --duration, and checks the warm-up's orders without timing them", async () => {
    const client = createFakeStoreClient({ stock: { Tux: 1e12 } });
    const tally = await runSession(
      client,
      0,
      options({ toys: ["Tux"], buyProbability: 1, warmupMs: 5, durationMs: 10 }),
    );
    assert.equal(tally.stopReason, "duration");
    assert.ok(tally.ops.buy.count > 0);
    assert.ok(tally.orders.length > tally.ops.buy.count, "the warm-up's buys are orders too");
    assert.equal(tally.orders.length, client.orders.size);
  });

  it("stops early when its signal fires", async () => {
    const abort = new AbortController();
    abort.abort();
    const tally = await runSession(createFakeStoreClient(), 0, options(), abort.signal);
    assert.equal(tally.stopReason, "aborted");
    assert.equal(tally.count, 0);
  });
});

describe("runLoad --session, in-process", () => {
  const run = (fake: FakeStoreOptions, buyProbability: number) =>
    runLoad(
      {
        transport: "socket",
        port: 1,
        clients: 3,
        requests: 20,
        inProcess: true,
        session: true,
        buyProbability,
        toys: ["Tux", "Lion"],
      },
      { connect: async () => createFakeStoreClient(fake) },
    );

  it("reads every order back and reports latency per request type", async () => {
    const results = await run({}, 1);
    const { session } = results;
    assert.ok(session !== undefined);
    assert.equal(session.buyProbability, 1);
    assert.equal(session.query.latency.count, 60);
    assert.ok(session.orders.recorded > 0);
    assert.equal(session.orders.verified, session.orders.recorded);
    assert.deepEqual(session.orders.failed, {});
    assert.equal(session.buy.latency.count, session.orders.recorded);
    assert.equal(results.latency.count, session.query.latency.count + session.buy.latency.count);
  });

  it("reports a store that answers another quantity, or no order, as failed orders", async () => {
    const lying = await run({ tamper: (order) => ({ ...order, quantity: order.quantity + 1 }) }, 1);
    assert.equal(lying.session?.orders.verified, 0);
    assert.equal(lying.session?.orders.failed.mismatch, lying.session?.orders.recorded);
    assert.equal(lying.session?.orders.problems[0]?.problem, "mismatch");
    const forgetful = await run({ tamper: () => undefined }, 1);
    assert.equal(forgetful.session?.orders.failed.missing, forgetful.session?.orders.recorded);
  });

  it("leaves the results of a run without --session as they were", async () => {
    const results = await runLoad(
      { transport: "socket", port: 1, clients: 1, requests: 3, inProcess: true },
      { connect: async () => createFakeStoreClient() },
    );
    assert.equal(results.session, undefined);
    assert.equal(results.options.session, false);
    assert.equal(results.options.buyProbability, null);
    assert.equal(resolveLoadOptions({ transport: "socket", port: 1, session: true }).buyProbability, 0.5);
  });
});
