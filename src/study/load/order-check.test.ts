// The session's order check against a fake store: orders that match, a
// mismatch, a missing order, an answer without an id, a failed lookup and a
// stopped run; merging the clients' checks; the failure's message.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkOrders,
  failedOrders,
  mergeOrderChecks,
  orderCheckFailure,
  PROBLEMS_KEPT,
} from "./order-check.js";
import type { RecordedOrder } from "./session-loop.js";
import { createFakeStoreClient, type FakeStoreOptions } from "./session-test-helpers.js";

/** A fake store that sold `quantities` of Tux, one order each, and the orders as the client recorded them. */
async function sold(quantities: readonly number[], fake: FakeStoreOptions = {}) {
  const client = createFakeStoreClient(fake);
  const orders: RecordedOrder[] = [];
  for (const quantity of quantities) {
    const sale = await client.buy("Tux", { quantity });
    assert.equal(sale.kind, "bought");
    orders.push({ id: sale.kind === "bought" ? (sale.orderId ?? null) : null, toy: "tux", quantity });
  }
  return { client, orders };
}

describe("checkOrders", () => {
  it("verifies every order whose toy (matched as the store matches names) and quantity agree", async () => {
    const { client, orders } = await sold([1, 2, 5, 3]);
    const check = await checkOrders(client, 0, orders, null);
    assert.deepEqual(check, { recorded: 4, verified: 4, unchecked: 0, failed: {}, problems: [] });
    assert.equal(client.calls.order, 4);
    assert.equal(orderCheckFailure(check), undefined);
  });

  it("reports an order the store records with another quantity as a mismatch", async () => {
    const { client, orders } = await sold([2, 3], {
      tamper: (order) => (order.id === "2" ? { ...order, quantity: 4 } : order),
    });
    const check = await checkOrders(client, 1, orders, null);
    assert.equal(check.verified, 1);
    assert.deepEqual(check.failed, { mismatch: 1 });
    assert.deepEqual(check.problems, [
      {
        client: 1,
        orderId: "2",
        toy: "tux",
        quantity: 3,
        problem: "mismatch",
        found: { toy: "Tux", quantity: 4 },
      },
    ]);
    assert.equal(
      orderCheckFailure(check),
      "1 of 2 orders did not check out (1 mismatch): order 2 (client 1): bought tux x3, the store's order says Tux x4",
    );
  });

  it("reports an order of another toy as a mismatch", async () => {
    const { client, orders } = await sold([1], { tamper: (order) => ({ ...order, toy: "Whale" }) });
    const check = await checkOrders(client, 0, orders, null);
    assert.deepEqual(check.failed, { mismatch: 1 });
  });

  it("reports an order the store does not have as missing", async () => {
    const { client, orders } = await sold([1, 1], {
      tamper: (order) => (order.id === "1" ? undefined : order),
    });
    const check = await checkOrders(client, 0, orders, null);
    assert.deepEqual(check.failed, { missing: 1 });
    assert.match(
      orderCheckFailure(check)!,
      /order 1 \(client 0\): bought tux x1, the store has no such order/,
    );
  });

  it("reports a sale answered without an order id, which nothing can check", async () => {
    const { client, orders } = await sold([2], { withoutOrderIds: true });
    const check = await checkOrders(client, 0, orders, null);
    assert.deepEqual(check.failed, { no_order_id: 1 });
    assert.equal(client.calls.order, 0);
    assert.match(
      orderCheckFailure(check)!,
      /a buy \(client 0\): bought tux x2, answered without an order id/,
    );
  });

  it("reports a lookup that fails as unreadable, with its code", async () => {
    const { client, orders } = await sold([1, 2, 3], { lookupFails: "deadline_exceeded" });
    const check = await checkOrders(client, 0, orders, 50);
    assert.deepEqual(check.failed, { unreadable: 3 });
    assert.equal(check.problems[0]?.code, "deadline_exceeded");
  });

  it("stops sending lookups once the connection is gone", async () => {
    const { client, orders } = await sold(Array.from({ length: 40 }, () => 1));
    await client.close();
    const check = await checkOrders(client, 0, orders, null);
    assert.deepEqual(check.failed, { unreadable: 40 });
    assert.ok(client.calls.order < 40, `sent ${client.calls.order}`);
  });

  it("leaves the orders unchecked, not failed, once the run was stopped", async () => {
    const { client, orders } = await sold([1, 2]);
    const abort = new AbortController();
    abort.abort();
    const check = await checkOrders(client, 0, orders, null, abort.signal);
    assert.deepEqual([check.verified, check.unchecked, failedOrders(check)], [0, 2, 0]);
    assert.equal(orderCheckFailure(check), undefined);
  });

  it("keeps the first few problems, in the order of the buys", async () => {
    const { client, orders } = await sold(
      Array.from({ length: 30 }, () => 1),
      { tamper: () => undefined },
    );
    const check = await checkOrders(client, 0, orders, null);
    assert.equal(failedOrders(check), 30);
    assert.deepEqual(
      check.problems.map((p) => p.orderId),
      Array.from({ length: PROBLEMS_KEPT }, (_, i) => String(i + 1)),
    );
    assert.match(orderCheckFailure(check)!, /^30 of 30 orders did not check out \(30 missing\): .*; \.\.\.$/);
  });
});

describe("mergeOrderChecks", () => {
  it("adds the clients' counts and lists their problems in client order", async () => {
    const first = await sold([1], { tamper: () => undefined });
    const second = await sold([1, 2]);
    const merged = mergeOrderChecks([
      await checkOrders(first.client, 0, first.orders, null),
      await checkOrders(second.client, 1, second.orders, null),
    ]);
    assert.deepEqual(
      [merged.recorded, merged.verified, merged.unchecked, merged.failed],
      [3, 2, 0, { missing: 1 }],
    );
    assert.equal(merged.problems[0]?.client, 0);
  });
});
