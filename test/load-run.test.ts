// Tests of the load generator against a stand-in store (test/helpers): the
// closed and open loops, worker processes and the barrier, merging, error
// counting, and early stops. Structure only: no timing is asserted.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createLoadFleet, partition, runLoad } from "../src/study/load/run-load.js";

import { decodeHistogram } from "../src/study/measure/latency-histogram.js";
import { connect } from "./helpers/load-test-client.js";
import { type LoadTestServer, startLoadTestServer } from "./helpers/load-test-server.js";

const connectModule = fileURLToPath(new URL("./helpers/load-test-client.ts", import.meta.url));

describe("runLoad", () => {
  let server: LoadTestServer;
  before(async () => {
    server = await startLoadTestServer({ parallelism: 2, workMs: 5 });
  });
  after(async () => {
    await server.close();
  });

  it("runs every client's requests in-process and merges them", async () => {
    const results = await runLoad(
      { transport: "socket", port: server.port, clients: 3, requests: 4, inProcess: true },
      { connect },
    );
    assert.equal(results.kind, "toystore-load");
    assert.equal(results.latency.count, 12);
    assert.equal(results.perClient.length, 3);
    assert.deepEqual(
      results.perClient.map((c) => [c.client, c.count, c.stopReason]),
      [0, 1, 2].map((i) => [i, 4, "completed"]),
    );
    assert.deepEqual(results.outcomes, { in_stock: 12 });
    assert.deepEqual(results.errors, {});
    assert.equal(results.stopReason, "completed");
    assert.equal(decodeHistogram(results.histogram).totalCount, 12);
    assert.ok(results.latency.mean > 0 && results.latency.max >= results.latency.p50);
    assert.ok(results.throughputPerSecond > 0);
    assert.equal(results.environment.node, process.version);
  });

  it("runs one worker process per client by default, behind the barrier", async () => {
    let started = 0;
    const results = await runLoad(
      { transport: "socket", port: server.port, clients: 3, requests: 2, op: "buy" },
      { connectModule, onStart: () => started++ },
    );
    assert.equal(started, 1);
    assert.equal(results.latency.count, 6);
    assert.deepEqual(
      results.perClient.map((c) => c.process),
      [0, 1, 2],
    );
    assert.deepEqual(results.outcomes, { bought: 6 });
  });

  it("reuses a fleet's worker processes from run to run", async () => {
    const fleet = createLoadFleet();
    try {
      const first = await runLoad(
        { transport: "socket", port: server.port, clients: 2, requests: 2 },
        { connectModule, fleet },
      );
      const pids = fleet.take(2).map((worker) => worker.pid);
      const second = await runLoad(
        { transport: "socket", port: server.port, clients: 3, requests: 2 },
        { connectModule, fleet },
      );
      assert.deepEqual(
        fleet.take(2).map((worker) => worker.pid),
        pids,
      );
      assert.equal(first.latency.count, 4);
      assert.equal(second.latency.count, 6);
    } finally {
      await fleet.close();
    }
    assert.throws(() => fleet.take(1), /closed/);
  });

  it("multiplexes clients per process when asked", async () => {
    const results = await runLoad(
      { transport: "socket", port: server.port, clients: 3, requests: 2, clientsPerProcess: 2 },
      { connectModule },
    );
    assert.deepEqual(
      results.perClient.map((c) => c.process),
      [0, 0, 1],
    );
    assert.equal(results.latency.count, 6);
  });

  it("primes each client with untimed queries before the barrier", async () => {
    const before = server.served();
    const results = await runLoad(
      {
        transport: "socket",
        port: server.port,
        clients: 2,
        requests: 3,
        primeRequests: 2,
        op: "buy",
        inProcess: true,
      },
      { connect },
    );
    assert.equal(server.served() - before, 2 * (3 + 2));
    assert.equal(results.latency.count, 6);
    assert.deepEqual(results.outcomes, { bought: 6 });
  });

  it("counts failed requests by error code and leaves them out of the latencies", async () => {
    const results = await runLoad(
      {
        transport: "socket",
        port: server.port,
        clients: 2,
        requests: 3,
        toys: ["fail:busy"],
        inProcess: true,
      },
      { connect },
    );
    assert.deepEqual(results.errors, { busy: 6 });
    assert.equal(results.latency.count, 0);
    assert.equal(results.latency.mean, 0);
  });

  it("mixes queries and buys at the requested ratio, repeatably", async () => {
    const run = () =>
      runLoad(
        {
          transport: "socket",
          port: server.port,
          clients: 2,
          requests: 20,
          op: "mix",
          buyRatio: 0.5,
          inProcess: true,
        },
        { connect },
      );
    const first = await run();
    const second = await run();
    assert.ok((first.outcomes.bought ?? 0) > 0 && (first.outcomes.in_stock ?? 0) > 0);
    assert.deepEqual(first.outcomes, second.outcomes);
  });

  it("sends on schedule in open-loop mode", async () => {
    const results = await runLoad(
      {
        transport: "socket",
        port: server.port,
        clients: 2,
        requests: 5,
        ratePerSecond: 400,
        inProcess: true,
      },
      { connect },
    );
    assert.equal(results.latency.count, 10);
    assert.equal(results.stopReason, "completed");
  });

  it("measures open-loop latency from the intended send time (coordinated omission)", async () => {
    // One request at a time (maxInFlight 1) on a schedule of one per 10 ms,
    // against a server that takes at least 30 ms each: the schedule falls
    // behind, and the 10th request, due at 90 ms, cannot finish before
    // 300 ms. Measured from its actual send it would look like 30 ms.
    const slow = await startLoadTestServer({ parallelism: 1, workMs: 30 });
    try {
      const results = await runLoad(
        {
          transport: "socket",
          port: slow.port,
          requests: 10,
          ratePerSecond: 100,
          maxInFlight: 1,
          inProcess: true,
        },
        { connect },
      );
      assert.equal(results.latency.count, 10);
      assert.ok(results.latency.max >= 209, `max ${results.latency.max} ms`);
    } finally {
      await slow.close();
    }
  });

  it("stops at the duration bound, after the warmup", async () => {
    const results = await runLoad(
      { transport: "socket", port: server.port, clients: 2, durationMs: 60, warmupMs: 20, inProcess: true },
      { connect },
    );
    assert.equal(results.stopReason, "duration");
    assert.ok(results.latency.count > 0);
  });

  it("ends early with stop reason aborted when the signal fires", async () => {
    const abort = new AbortController();
    const results = await runLoad(
      { transport: "socket", port: server.port, clients: 2, requests: 1_000_000, inProcess: true },
      { connect, signal: abort.signal, onStart: () => setTimeout(() => abort.abort(), 30) },
    );
    assert.equal(results.stopReason, "aborted");
    assert.ok(results.latency.count < 2_000_000);
  });

  it("ends a client whose connection breaks with stop reason connection_lost", async () => {
    const doomed = await startLoadTestServer({ parallelism: 1, workMs: 5 });
    const results = await runLoad(
      { transport: "socket", port: doomed.port, clients: 2, requests: 1_000_000, inProcess: true },
      { connect, onStart: () => setTimeout(() => void doomed.close(), 30) },
    );
    assert.equal(results.stopReason, "connection_lost");
    assert.ok((results.errors.unavailable ?? 0) >= 1);
  });

  it("rejects with the worker's error code when clients cannot connect", async () => {
    const closed = await startLoadTestServer({ parallelism: 1, workMs: 1 });
    const port = closed.port;
    await closed.close();
    await assert.rejects(runLoad({ transport: "socket", port, clients: 2, requests: 1 }, { connectModule }), {
      name: "FleetError",
      code: "unavailable",
    });
  });

  it("rejects invalid options with a message naming the option", async () => {
    await assert.rejects(runLoad({ transport: "socket", port: 1, clients: 0 }), {
      name: "OptionError",
      message: "--clients must be an integer from 1 to 100000, got 0",
    });
    await assert.rejects(
      runLoad({ transport: "socket", port: 1, buyRatio: 2 }),
      /--buy-ratio must be a number >= 0 and <= 1, got 2/,
    );
    await assert.rejects(
      runLoad({ transport: "grpc", port: 0 }),
      /--grpc-port must be an integer from 1 to 65535, got 0/,
    );
  });
});

describe("partition", () => {
  it("splits clients into consecutive groups of at most the given size", () => {
    assert.deepEqual(partition(5, 2), [[0, 1], [2, 3], [4]]);
    assert.deepEqual(partition(3, 1), [[0], [1], [2]]);
    assert.deepEqual(partition(2, 10), [[0, 1]]);
  });
});
