// The bench engine: option checks, the split over processes, and short real
// runs (process processes included) against the baselines. Counts only, never
// timing: figures belong to benchmarks, not tests.

import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { planProcesses, resolveBenchOptions } from "../src/study/throughput/options.js";
import { runBench } from "../src/study/throughput/run-bench.js";
import { baselineForSuite } from "./helpers/baseline-suite.js";

const SHORT = { durationMs: 300, warmupMs: 100, processes: 1 } as const;

describe("bench options", () => {
  it("rejects a bad value naming the option", () => {
    assert.throws(() => resolveBenchOptions({ transport: "socket", port: 1, pipeline: 0 }), /pipeline/);
    assert.throws(() => resolveBenchOptions({ transport: "socket", port: 0 }), /port/);
    assert.throws(
      () => resolveBenchOptions({ transport: "grpc" as "socket", port: 1, op: "sell" as "buy" }),
      /op must be/,
    );
  });

  it("splits connections over processes as evenly as integers allow", () => {
    const plans = planProcesses(
      resolveBenchOptions({ transport: "socket", port: 1, connections: 5, processes: 2 }),
    );
    assert.deepEqual(
      plans.map((plan) => plan.loops),
      [3, 2],
    );
  });

  it("never starts a process without load", () => {
    const plans = planProcesses(
      resolveBenchOptions({ transport: "grpc", port: 1, concurrency: 2, processes: 4 }),
    );
    assert.equal(plans.length, 2);
    assert.ok(plans.every((plan) => plan.loops === 1 && plan.depth >= 1));
  });
});

for (const { kind, name, load, processes } of [
  {
    kind: "line",
    name: "counts replies of a pipelined mixed load across two processes, without errors",
    load: { transport: "socket", connections: 4, pipeline: 8, processes: 2 },
    processes: 2,
  },
  {
    kind: "grpc",
    name: "keeps calls in flight over several channels, without errors",
    load: { transport: "grpc", concurrency: 8, channels: 2 },
    processes: undefined,
  },
] as const) {
  describe(`runBench against the ${kind} baseline`, () => {
    const baseline = baselineForSuite(kind);

    it(name, async () => {
      const result = await runBench({ ...SHORT, ...load, port: baseline().port, op: "mix" });
      assert.equal(result.stopReason, "duration");
      if (processes !== undefined) assert.equal(result.processes.length, processes);
      assert.ok(result.latency.count > 0);
      assert.deepEqual(result.errors, {});
      assert.ok(result.latency.p50 <= result.latency.p99 && result.latency.p99 <= result.latency.max);
    });
  });
}

describe("runBench against a server that answers ERR", () => {
  let server: net.Server;
  let port: number;
  before(async () => {
    // Replies "ERR" to every line: each reply must count as an error.
    server = net.createServer((socket) => {
      socket.on("data", (chunk) => {
        let replies = "";
        for (const byte of chunk) if (byte === 0x0a) replies += "ERR nope\n";
        socket.write(replies);
      });
      socket.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("reports every reply as an error", async () => {
    const result = await runBench({ transport: "socket", port, connections: 2, pipeline: 4, ...SHORT });
    assert.ok(result.latency.count > 0);
    assert.deepEqual(result.errors, { failed: result.latency.count });
  });
});

describe("runBench with nothing listening", () => {
  it("rejects with the address it could not reach", async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await assert.rejects(
      runBench({ transport: "socket", port, connections: 1, ...SHORT }),
      /ECONNREFUSED|connect/,
    );
  });
});

describe("runBench over several servers", () => {
  const servers: { server: net.Server; port: number; lines: number }[] = [];
  before(async () => {
    for (let i = 0; i < 2; i++) {
      // Counts the request lines it gets and answers each (with ERR: any reply counts).
      const entry = { server: net.createServer(), port: 0, lines: 0 };
      entry.server.on("connection", (socket) => {
        socket.on("data", (chunk) => {
          let replies = "";
          for (const byte of chunk) {
            if (byte !== 0x0a) continue;
            entry.lines++;
            replies += "ERR nope\n";
          }
          socket.write(replies);
        });
        socket.on("error", () => socket.destroy());
      });
      await new Promise<void>((resolve) => entry.server.listen(0, "127.0.0.1", resolve));
      entry.port = (entry.server.address() as net.AddressInfo).port;
      servers.push(entry);
    }
  });
  after(() =>
    Promise.all(servers.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve())))),
  );

  it("plans the load evenly over the servers, each with processes of its own", () => {
    const endpoints = [
      { host: "127.0.0.1", port: 7001 },
      { host: "127.0.0.1", port: 7002 },
    ];
    const options = { transport: "socket" as const, port: 7001, servers: endpoints };
    const plans = planProcesses(resolveBenchOptions({ ...options, connections: 5, processes: 3 }));
    assert.deepEqual(
      plans.map((plan) => [plan.port, plan.loops]),
      [
        [7001, 2],
        [7001, 1],
        [7002, 1],
        [7002, 1],
      ],
    );
    assert.throws(() => planProcesses(resolveBenchOptions({ ...options, connections: 1 })), {
      name: "OptionError",
      message: /--connections 1 cannot load 2 servers/,
    });
  });

  it("sends requests to every server and counts every reply", async () => {
    const endpoints = servers.map(({ port }) => ({ host: "127.0.0.1", port }));
    const result = await runBench({
      transport: "socket",
      ...endpoints[0]!,
      servers: endpoints,
      connections: 2,
      pipeline: 4,
      ...SHORT,
    });
    assert.equal(result.processes.length, 2, "one process per server");
    for (const [i, { lines }] of servers.entries()) assert.ok(lines > 0, `server ${i} got ${lines} requests`);
    assert.deepEqual(result.errors, { failed: result.latency.count });
  });
});
