// The gRPC server's answers and admission rules: results as values (queries,
// buys of one or more units, orders, the catalog), invalid arguments, a full
// queue, deadlines and cancellations while queued.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { MAX_QUANTITY } from "../src/catalog/toy.js";
import { MAX_GRPC_DEADLINE_MS } from "../src/client/grpc-client.js";
import type { BuyResponse__Output } from "../src/generated/toystore/v1/BuyResponse.js";
import type { QueryResponse__Output } from "../src/generated/toystore/v1/QueryResponse.js";
import { loadToyStoreContract } from "../src/transport/grpc/contract.js";
import { GRPC_METHODS } from "../src/transport/grpc/methods.js";
import { rejection, startTestGrpcServer, type TestGrpcServer, waitFor } from "./helpers/grpc-server.js";

/** A one-unit buy's answer. */
function bought(stockLeft: number, orderId: string, unitPriceCents: number) {
  return { kind: "bought", stockLeft, orderId, unitPriceCents, quantity: 1 };
}

/** Sends hand-encoded bytes to a method and decodes the reply with `decode`. */
async function rawCall<T>(target: string, method: string, bytes: Buffer, decode: (reply: Buffer) => T) {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  try {
    return await new Promise<T>((resolve, reject) => {
      client.makeUnaryRequest(
        `/toystore.v1.ToyStore/${method}`,
        (raw: Buffer) => raw,
        decode,
        bytes,
        (error, value) => (error ? reject(error) : resolve(value!)),
      );
    });
  } finally {
    client.close();
  }
}

describe("gRPC server answers", () => {
  let store: TestGrpcServer;
  before(async () => {
    store = await startTestGrpcServer({
      toys: [
        { name: "Tux", priceCents: 1999, stock: 3 },
        { name: "Lion", priceCents: 4200, stock: 0 },
        { name: "Großer Bär", priceCents: 9_007_199_254_740_991, stock: 1 },
      ],
    });
  });
  after(() => store.close());

  test("a query tells apart in stock, sold out and no such toy", async () => {
    const client = store.client();
    assert.deepEqual(await client.query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 3 });
    assert.deepEqual(await client.query("Lion"), { kind: "sold_out" });
    assert.deepEqual(await client.query("Unicorn"), { kind: "not_found" });
  });

  test("a buy tells apart bought, sold out and no such toy", async () => {
    const client = store.client();
    assert.deepEqual(await client.buy("tux"), {
      kind: "bought",
      stockLeft: 2,
      orderId: "1",
      unitPriceCents: 1999,
      quantity: 1,
    });
    assert.deepEqual(await client.buy("Lion"), { kind: "sold_out" });
    assert.deepEqual(await client.buy("Unicorn"), { kind: "not_found" });
  });

  test("int64 fields carry the largest safe integer exactly, and Unicode names pass", async () => {
    const client = store.client();
    assert.deepEqual(await client.query("großer bär"), {
      kind: "in_stock",
      priceCents: 9_007_199_254_740_991,
      stock: 1,
    });
  });

  test("an empty or blank name is INVALID_ARGUMENT with a clear message", async () => {
    const client = store.client();
    for (const name of ["", "   "]) {
      const error = await rejection(client.query(name));
      assert.equal(error.code, "bad_request");
      assert.match(error.message, /empty name/);
      assert.equal((error.cause as grpc.ServiceError).code, grpc.status.INVALID_ARGUMENT);
    }
  });

  test("an over-long name is INVALID_ARGUMENT, one over the message limit is refused as a bad request", async () => {
    const client = store.client();
    const tooLong = await rejection(client.buy("x".repeat(300)));
    assert.equal(tooLong.code, "bad_request");
    assert.match(tooLong.message, /name too long/);
    assert.equal((tooLong.cause as grpc.ServiceError).code, grpc.status.INVALID_ARGUMENT);

    const tooBig = await rejection(client.buy("x".repeat(5000)));
    assert.equal(tooBig.code, "bad_request");
    assert.equal((tooBig.cause as grpc.ServiceError).code, grpc.status.RESOURCE_EXHAUSTED);
  });

  test("a request with an extra field 2 (as the older anchor contract sends) is answered", async () => {
    // QueryRequest { name = 1: "Tux" } followed by field 2 (varint 5), encoded by hand.
    const bytes = Buffer.from([0x0a, 0x03, 0x54, 0x75, 0x78, 0x10, 0x05]);
    const { QueryResponse } = loadToyStoreContract().proto.toystore.v1;
    const response: QueryResponse__Output = await rawCall(store.target, "Query", bytes, (reply) =>
      QueryResponse.deserialize(reply),
    );
    assert.equal(response.status, "QUERY_STATUS_IN_STOCK");
    assert.equal(response.priceCents, 1999);
  });
});

describe("gRPC buys of several units, orders and the catalog", () => {
  const toys = [
    { name: "Tux", priceCents: 1999, stock: 5 },
    { name: "Fox", priceCents: 1575, stock: 10 },
    { name: "Lion", priceCents: 4200, stock: 0 },
  ];
  let store: TestGrpcServer;
  before(async () => {
    store = await startTestGrpcServer({ toys });
  });
  after(() => store.close());

  test("a buy of several units is all or nothing: asking more than are left is sold out and sells nothing", async () => {
    const client = store.client();
    assert.deepEqual(await client.buy("Tux", { quantity: 3 }), {
      kind: "bought",
      stockLeft: 2,
      orderId: "1",
      unitPriceCents: 1999,
      quantity: 3,
    });
    assert.deepEqual(await client.buy("Tux", { quantity: 3 }), { kind: "sold_out" });
    assert.deepEqual(await client.query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 2 });
    assert.deepEqual(await client.buy("Tux", { quantity: 2, requestKey: "last-two" }), {
      kind: "bought",
      stockLeft: 0,
      orderId: "2",
      unitPriceCents: 1999,
      quantity: 2,
    });
    assert.deepEqual(await client.query("Tux"), { kind: "sold_out" });
    assert.deepEqual(await client.buy("Unicorn", { quantity: 2 }), { kind: "not_found" });
  });

  test("an order looks up what a buy recorded: toy, units and the unit price paid", async () => {
    const client = store.client();
    const sale = await client.buy("fox", { quantity: 4 });
    assert.equal(sale.kind, "bought");
    const orderId = sale.kind === "bought" ? sale.orderId : undefined;
    assert.ok(orderId !== undefined);
    const order = await client.order(orderId);
    assert.ok(order !== undefined);
    assert.deepEqual(
      { ...order, time: "" },
      {
        id: orderId,
        toy: "Fox",
        quantity: 4,
        unitPriceCents: 1575,
        time: "",
      },
    );
    assert.ok(!Number.isNaN(Date.parse(order.time)), `time ${order.time}`);
    assert.equal(await client.order("999999"), undefined, "no such order is a value, not an error");
    assert.equal((await rejection(client.order(""))).code, "bad_request");
  });

  test("a buy answers the price the store decided, and an order keeps the price it was sold at", async () => {
    const client = store.client();
    const before = await client.buy("Fox");
    await store.service.run({ op: "restock", name: "Fox", change: { priceCents: 2000 } });
    const after = await client.buy("Fox", { quantity: 2 });
    assert.equal(before.kind === "bought" && before.unitPriceCents, 1575);
    assert.equal(after.kind === "bought" && after.unitPriceCents, 2000);
    const first = before.kind === "bought" ? await client.order(before.orderId!) : undefined;
    assert.equal(first?.unitPriceCents, 1575);
  });

  test("list returns the whole catalog in order, sold-out toys with their price", async () => {
    const client = store.client();
    const fox = await client.query("Fox");
    assert.equal(fox.kind, "in_stock");
    assert.deepEqual(await client.list(), [
      { name: "Tux", priceCents: 1999, stock: 0 },
      {
        name: "Fox",
        priceCents: fox.kind === "in_stock" ? fox.priceCents : -1,
        stock: fox.kind === "in_stock" ? fox.stock : -1,
      },
      { name: "Lion", priceCents: 4200, stock: 0 },
    ]);
  });

  test("a quantity the wire cannot carry, or beyond the limit, is a bad request and sells nothing", async () => {
    const client = store.client();
    for (const quantity of [0, -1, 1.5, MAX_QUANTITY + 1]) {
      const error = await rejection(client.buy("Fox", { quantity }));
      assert.equal(error.code, "bad_request", `quantity ${quantity}`);
      assert.match(error.message, /quantity/);
    }
    // Past the client's check: the server refuses what the wire can carry but the store does not allow.
    const { BuyRequest } = loadToyStoreContract().proto.toystore.v1;
    const bytes = BuyRequest.serialize({ name: "Fox", quantity: MAX_QUANTITY + 1 });
    const refused = await rawCall(store.target, "Buy", bytes, (reply) => reply).then(
      () => assert.fail("expected INVALID_ARGUMENT"),
      (error: grpc.ServiceError) => error,
    );
    assert.equal(refused.code, grpc.status.INVALID_ARGUMENT);
    assert.match(refused.details, /quantity/);
  });

  test("a Buy without a quantity, or with the older contract's field 2, buys one unit", async () => {
    const { BuyResponse } = loadToyStoreContract().proto.toystore.v1;
    const decode = (reply: Buffer): BuyResponse__Output => BuyResponse.deserialize(reply);
    const stockBefore = await store.client().query("Fox");
    assert.equal(stockBefore.kind, "in_stock");
    const left = stockBefore.kind === "in_stock" ? stockBefore.stock : 0;
    // BuyRequest { name = 1: "Fox" }, then the same with field 2 (varint 5), encoded by hand.
    const plain = Buffer.from([0x0a, 0x03, 0x46, 0x6f, 0x78]);
    const older = Buffer.concat([plain, Buffer.from([0x10, 0x05])]);
    for (const [i, bytes] of [plain, older].entries()) {
      const response = await rawCall(store.target, "Buy", bytes, decode);
      assert.equal(response.status, "BUY_STATUS_BOUGHT");
      assert.equal(response.quantity, 1);
      assert.equal(response.stockLeft, left - 1 - i);
    }
  });

  test("the method table serves every method of the contract", () => {
    const { service } = loadToyStoreContract();
    assert.deepEqual(Object.keys(GRPC_METHODS).sort(), Object.keys(service).sort());
  });
});

describe("gRPC admission through the worker pool", () => {
  test("at most maxConcurrency calls run at once; a full queue answers RESOURCE_EXHAUSTED", async () => {
    const store = await startTestGrpcServer({ maxConcurrency: 1, maxQueued: 1, workMs: 300 });
    try {
      const client = store.client();
      const running = client.query("Tux");
      await waitFor(() => store.server.stats().pool.busy === 1, "the first call to run");
      const queued = client.query("Fox");
      await waitFor(() => store.server.stats().pool.queued === 1, "the second call to queue");
      const refused = await rejection(client.query("Bird"));
      assert.equal(refused.code, "busy");
      assert.equal((refused.cause as grpc.ServiceError).code, grpc.status.RESOURCE_EXHAUSTED);
      assert.equal((await running).kind, "in_stock");
      assert.equal((await queued).kind, "in_stock");
      assert.equal(store.server.stats().pool.rejected, 1);
    } finally {
      await store.close();
    }
  });

  test("a call whose deadline passes while queued is not run and gets DEADLINE_EXCEEDED", async () => {
    const store = await startTestGrpcServer({ maxConcurrency: 1, workMs: 400 });
    try {
      const client = store.client();
      const running = client.buy("Tux");
      await waitFor(() => store.server.stats().pool.busy === 1, "the first call to run");
      const expired = await rejection(client.buy("Tux", { timeoutMs: 50 }));
      assert.equal(expired.code, "deadline_exceeded");
      assert.deepEqual(await running, bought(99, "1", 1999));
      await waitFor(() => store.server.stats().pool.busy === 0, "the pool to drain");
      assert.equal(store.server.stats().expiredInQueue, 1);
      // The expired buy sold nothing.
      assert.deepEqual(await client.query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 99 });
    } finally {
      await store.close();
    }
  });

  test("a deadline beyond 2^31 - 1 ms is sent as the longest a grpc-js server can hold, not failed at once", async () => {
    const store = await startTestGrpcServer();
    try {
      const client = store.client();
      for (const timeoutMs of [MAX_GRPC_DEADLINE_MS, 2 ** 31 - 1, 10 * 2 ** 31])
        assert.equal((await client.query("Tux", { timeoutMs })).kind, "in_stock", `timeoutMs ${timeoutMs}`);
    } finally {
      await store.close();
    }
  });

  test("calls cancelled while queued are not run: cancelled buys sell nothing", async () => {
    const store = await startTestGrpcServer({ maxConcurrency: 1, workMs: 400 });
    const { ToyStore } = loadToyStoreContract().proto.toystore.v1;
    const raw = new ToyStore(store.target, grpc.credentials.createInsecure());
    try {
      const client = store.client();
      const running = client.buy("Fox");
      await waitFor(() => store.server.stats().pool.busy === 1, "the first call to run");
      const outcomes: Promise<grpc.status>[] = [];
      const calls: grpc.ClientUnaryCall[] = [];
      for (let i = 0; i < 3; i++) {
        outcomes.push(
          new Promise((resolve) => {
            calls.push(raw.Buy({ name: "Fox" }, (error) => resolve(error ? error.code : grpc.status.OK)));
          }),
        );
      }
      await waitFor(() => store.server.stats().pool.queued === 3, "three buys to queue");
      for (const call of calls) call.cancel();
      assert.deepEqual(await Promise.all(outcomes), [
        grpc.status.CANCELLED,
        grpc.status.CANCELLED,
        grpc.status.CANCELLED,
      ]);
      assert.deepEqual(await running, bought(99, "1", 1575));
      await waitFor(
        () => store.server.stats().pool.queued === 0 && store.server.stats().pool.busy === 0,
        "the pool to drain",
      );
      assert.equal(store.server.stats().cancelledInQueue, 3);
      assert.deepEqual(await client.query("Fox"), { kind: "in_stock", priceCents: 1575, stock: 99 });
    } finally {
      raw.close();
      await store.close();
    }
  });

  test("queued calls run in arrival order", async () => {
    const store = await startTestGrpcServer({
      maxConcurrency: 1,
      workMs: 20,
      toys: [{ name: "Tux", priceCents: 1, stock: 10 }],
    });
    try {
      const client = store.client();
      const first = client.buy("Tux");
      await waitFor(() => store.server.stats().pool.busy === 1, "the first call to run");
      const rest: Promise<unknown>[] = [];
      for (let i = 0; i < 5; i++) {
        rest.push(client.buy("Tux"));
        await waitFor(
          () => store.server.stats().pool.queued === i + 1 || store.server.stats().pool.completed > 0,
          "the call to queue",
        );
      }
      const results = await Promise.all([first, ...rest]);
      assert.deepEqual(
        results.map((r) => (r as { stockLeft: number }).stockLeft),
        [9, 8, 7, 6, 5, 4],
      );
    } finally {
      await store.close();
    }
  });
});
