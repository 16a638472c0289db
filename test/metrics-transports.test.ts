// The transports report to StoreMetrics: every answered request counted by
// op and outcome (refusals included), and the pools and the open connections
// read at scrape time, against real servers on ephemeral ports.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { GrpcStoreClient } from "../src/client/grpc-client.js";
import { SocketStoreClient } from "../src/client/socket-client.js";
import { StoreMetrics } from "../src/observability/store-metrics.js";
import { rejection, startTestGrpcServer, type TestGrpcServer } from "./helpers/grpc-server.js";
import { RawConnection, startTestSocketServer, type TestSocketServer } from "./helpers/socket-server.js";

const TOYS = [
  { name: "Tux", priceCents: 1999, stock: 2 },
  { name: "Lion", priceCents: 4200, stock: 0 },
];

/** The value of one sample line of the exposition, or undefined if absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const requests = (transport: string, op: string, outcome: string): string =>
  `toystore_requests_total{transport="${transport}",op="${op}",outcome="${outcome}"}`;

describe("transports record to StoreMetrics", () => {
  const metrics = new StoreMetrics();
  let socketServer: TestSocketServer;
  let grpcServer: TestGrpcServer;
  before(async () => {
    socketServer = await startTestSocketServer({ toys: TOYS, server: { metrics } });
    grpcServer = await startTestGrpcServer({ toys: TOYS, metrics });
  });
  after(async () => {
    await socketServer.close();
    await grpcServer.close();
  });

  it("counts the socket's answers by op and outcome, and watches its pool and connections", async () => {
    const client = await SocketStoreClient.connect({ port: socketServer.port });
    assert.deepEqual(await client.query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 2 });
    assert.equal((await client.buy("Tux")).kind, "bought");
    assert.equal((await client.buy("Tux")).kind, "bought");
    assert.equal((await client.buy("Tux")).kind, "sold_out");
    assert.equal((await client.query("Nope")).kind, "not_found");
    assert.equal((await rejection(client.query(""))).code, "bad_request");

    const text = await metrics.text();
    assert.equal(sample(text, requests("socket", "buy", "bought")), 2);
    assert.equal(sample(text, requests("socket", "buy", "sold_out")), 1);
    assert.equal(sample(text, requests("socket", "query", "in_stock")), 1);
    assert.equal(sample(text, requests("socket", "query", "not_found")), 1);
    assert.equal(sample(text, requests("socket", "query", "bad_request")), 1);
    assert.equal(sample(text, 'toystore_request_duration_seconds_count{transport="socket",op="query"}'), 3);
    assert.equal(sample(text, 'toystore_request_duration_seconds_count{transport="socket",op="buy"}'), 3);
    assert.equal(sample(text, 'toystore_open_connections{transport="socket"}'), 1);
    assert.equal(sample(text, 'toystore_pool_busy{transport="socket"}'), 0);
    assert.equal(sample(text, 'toystore_pool_queued{transport="socket"}'), 0);
    await client.close();
  });

  it("counts the gRPC server's answers by op and outcome, and watches its pool", async () => {
    const client = grpcServer.client();
    assert.equal((await client.buy("Tux")).kind, "bought");
    assert.equal((await client.buy("Lion")).kind, "sold_out");
    assert.equal((await client.query("Lion")).kind, "sold_out");
    assert.equal((await client.query("Tux")).kind, "in_stock");
    assert.equal((await client.query("Tux")).kind, "in_stock");
    assert.equal((await rejection(client.buy(""))).code, "bad_request");

    const text = await metrics.text();
    assert.equal(sample(text, requests("grpc", "buy", "bought")), 1);
    assert.equal(sample(text, requests("grpc", "buy", "sold_out")), 1);
    assert.equal(sample(text, requests("grpc", "buy", "bad_request")), 1);
    assert.equal(sample(text, requests("grpc", "query", "sold_out")), 1);
    assert.equal(sample(text, requests("grpc", "query", "in_stock")), 2);
    assert.equal(sample(text, 'toystore_request_duration_seconds_count{transport="grpc",op="query"}'), 3);
    assert.equal(sample(text, 'toystore_pool_busy{transport="grpc"}'), 0);
    // The socket's counts are its own.
    assert.equal(sample(text, requests("socket", "buy", "bought")), 2);

    const stats = metrics.stats().transports;
    assert.ok(stats.grpc!.requestsPerSecond > 0 && stats.socket!.requestsPerSecond > 0);
    assert.ok(stats.grpc!.p99Ms !== null && stats.grpc!.p99Ms > 0);
  });
});

describe("transports record their refusals", () => {
  // One worker, no queue, and work that holds it: a second request at once is refused as busy.
  const busyLimits = { workMs: 300 };

  it("socket: a request the pool cannot take is counted as busy", async () => {
    const metrics = new StoreMetrics();
    const server = await startTestSocketServer({
      toys: TOYS,
      service: busyLimits,
      server: { metrics, poolSize: 1, maxQueued: 0 },
    });
    try {
      const first = await RawConnection.open(server.port);
      const second = await RawConnection.open(server.port);
      await first.write("Query: Tux\n");
      await second.write("Buy: Tux\n");
      assert.match((await second.lines(1))[0]!, /^ERR busy/);
      let text = await metrics.text();
      assert.equal(sample(text, requests("socket", "buy", "busy")), 1);
      assert.equal(sample(text, 'toystore_pool_busy{transport="socket"}'), 1);
      assert.equal(sample(text, 'toystore_open_connections{transport="socket"}'), 2);
      assert.deepEqual(await first.lines(1), ["19.99 2"]);
      text = await metrics.text();
      assert.equal(sample(text, requests("socket", "query", "in_stock")), 1);
      assert.equal(sample(text, 'toystore_pool_busy{transport="socket"}'), 0);
      await first.close();
      await second.close();
    } finally {
      await server.close();
    }
  });

  it("gRPC: a call the pool cannot take is counted as busy", async () => {
    const metrics = new StoreMetrics();
    const server: TestGrpcServer = await startTestGrpcServer({
      toys: TOYS,
      ...busyLimits,
      metrics,
      maxConcurrency: 1,
      maxQueued: 0,
    });
    try {
      const a: GrpcStoreClient = server.client();
      const running = a.query("Tux");
      // The first call holds the one handler; wait until it is admitted.
      while (metrics.stats().transports.grpc!.busy === 0) await new Promise((r) => setTimeout(r, 5));
      assert.equal((await rejection(server.client().buy("Tux"))).code, "busy");
      assert.equal((await running).kind, "in_stock");
      const text = await metrics.text();
      assert.equal(sample(text, requests("grpc", "buy", "busy")), 1);
      assert.equal(sample(text, requests("grpc", "query", "in_stock")), 1);
    } finally {
      await server.close();
    }
  });
});
