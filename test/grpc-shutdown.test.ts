// The gRPC server's lifecycle: graceful and forced shutdown, option checks,
// and the client's own close.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_CATALOG } from "../src/catalog/default-catalog.js";
import { InMemoryCatalog } from "../src/catalog/memory-store.js";
import { GrpcStoreClient } from "../src/client/grpc-client.js";
import { StoreService } from "../src/service/store-service.js";
import { startGrpcServer } from "../src/transport/grpc/grpc-server.js";
import { rejection, startTestGrpcServer, waitFor } from "./helpers/grpc-server.js";

describe("gRPC graceful shutdown", () => {
  test("close() lets running and queued calls finish and refuses new ones with UNAVAILABLE", async () => {
    const store = await startTestGrpcServer({ maxConcurrency: 1, workMs: 200 });
    try {
      const client = store.client();
      const running = client.buy("Tux");
      await waitFor(() => store.server.stats().pool.busy === 1, "the first call to run");
      const queued = client.buy("Tux");
      await waitFor(() => store.server.stats().pool.queued === 1, "the second call to queue");

      const closed = store.server.close();
      assert.equal(store.server.close(), closed, "close() is idempotent");
      const late = await rejection(store.client().query("Tux", { timeoutMs: 2000 }));
      assert.ok(["unavailable", "shutting_down"].includes(late.code), `got ${late.code}: ${late.message}`);

      assert.deepEqual(await running, {
        kind: "bought",
        stockLeft: 99,
        orderId: "1",
        unitPriceCents: 1999,
        quantity: 1,
      });
      assert.deepEqual(await queued, {
        kind: "bought",
        stockLeft: 98,
        orderId: "2",
        unitPriceCents: 1999,
        quantity: 1,
      });
      await closed;
      assert.deepEqual(await store.service.run({ op: "query", name: "Tux" }), {
        kind: "in_stock",
        name: "Tux",
        priceCents: 1999,
        stock: 98,
      });
    } finally {
      await store.close();
    }
  });

  test("calls still running when the grace period ends are cancelled, and close() resolves", async () => {
    const store = await startTestGrpcServer({ maxConcurrency: 1, workMs: 1000 });
    try {
      const client = store.client();
      const running = rejection(client.query("Tux"));
      await waitFor(() => store.server.stats().pool.busy === 1, "the call to run");
      await store.server.close(20);
      const error = await running;
      assert.ok(["cancelled", "unavailable"].includes(error.code), `got ${error.code}: ${error.message}`);
      store.server.forceClose(); // idempotent after close
    } finally {
      await store.close();
    }
  });

  test("the server's own grace period (--grpc-shutdown-grace-ms) holds when the caller allows longer", async () => {
    // The CLI passes its --grace-ms to close(); the shorter gRPC grace must
    // still cut the call, which would otherwise finish its work and be answered.
    const store = await startTestGrpcServer({ maxConcurrency: 1, workMs: 1500, shutdownGraceMs: 20 });
    try {
      const client = store.client();
      const running = rejection(client.query("Tux"));
      await waitFor(() => store.server.stats().pool.busy === 1, "the call to run");
      await store.server.close(60_000);
      const error = await running;
      assert.ok(["cancelled", "unavailable"].includes(error.code), `got ${error.code}: ${error.message}`);
    } finally {
      await store.close();
    }
  });
});

describe("gRPC server options", () => {
  test("a bad option is refused with a message naming it", async () => {
    const service = new StoreService(new InMemoryCatalog(DEFAULT_CATALOG));
    await assert.rejects(
      startGrpcServer({ service, port: 0, maxConcurrency: 0 }),
      /^OptionError: --grpc-max-concurrency must be an integer from 1 to 10000, got 0$/,
    );
    await assert.rejects(
      startGrpcServer({ service, port: 70000 }),
      /--grpc-port must be an integer from 0 to 65535, got 70000/,
    );
    await assert.rejects(
      startGrpcServer({ service, port: 0, maxMessageBytes: 1.5 }),
      /--grpc-max-message-bytes/,
    );
  });

  test("binding a port in use rejects", async () => {
    const store = await startTestGrpcServer();
    try {
      await assert.rejects(
        startGrpcServer({ service: store.service, host: "127.0.0.1", port: store.server.address.port }),
      );
    } finally {
      await store.close();
    }
  });
});

describe("gRPC client lifecycle", () => {
  test("close() rejects calls in flight with unavailable", async () => {
    const store = await startTestGrpcServer({ workMs: 300 });
    try {
      const client = store.client();
      const pending = client.query("Tux");
      await waitFor(() => store.server.stats().pool.busy === 1, "the call to run");
      await client.close();
      const error = await rejection(pending);
      assert.equal(error.code, "unavailable");
    } finally {
      await store.close();
    }
  });

  test("a client with no server answers unavailable; waitForReady gives up", async () => {
    const store = await startTestGrpcServer();
    const port = store.server.address.port;
    await store.close();
    const client = new GrpcStoreClient({ port, ownConnection: true });
    try {
      assert.equal((await rejection(client.query("Tux"))).code, "unavailable");
      assert.equal((await rejection(client.waitForReady(100))).code, "unavailable");
    } finally {
      await client.close();
    }
  });

  test("a bad timeout is refused with a message naming it", () => {
    assert.throws(
      () => new GrpcStoreClient({ defaultTimeoutMs: -1 }),
      /defaultTimeoutMs must be a number > 0/,
    );
  });
});
