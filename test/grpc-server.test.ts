// The gRPC server's admission rules: results as values, invalid arguments,
// a full queue, deadlines and cancellations while queued.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { MAX_GRPC_DEADLINE_MS } from "../src/client/grpc-client.js";
import type { QueryResponse__Output } from "../src/generated/toystore/v1/QueryResponse.js";
import { loadToyStoreContract } from "../src/transport/grpc/contract.js";
import { rejection, startTestGrpcServer, type TestGrpcServer, waitFor } from "./helpers/grpc-server.js";

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
    assert.deepEqual(await client.buy("tux"), { kind: "bought", stockLeft: 2, orderId: "1" });
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
    const client = new grpc.Client(store.target, grpc.credentials.createInsecure());
    const { QueryResponse } = loadToyStoreContract().proto.toystore.v1;
    try {
      const response = await new Promise<QueryResponse__Output>((resolve, reject) => {
        client.makeUnaryRequest(
          "/toystore.v1.ToyStore/Query",
          (raw: Buffer) => raw,
          (reply: Buffer) => QueryResponse.deserialize(reply),
          bytes,
          (error, value) => (error ? reject(error) : resolve(value!)),
        );
      });
      assert.equal(response.status, "QUERY_STATUS_IN_STOCK");
      assert.equal(response.priceCents, 1999);
    } finally {
      client.close();
    }
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
      assert.deepEqual(await running, { kind: "bought", stockLeft: 99, orderId: "1" });
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
      assert.deepEqual(await running, { kind: "bought", stockLeft: 99, orderId: "1" });
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
