// The runner's summary: medians over the runs that produced figures, ratios
// of medians against their goals, and what was not measured.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunRecord } from "./rounds.js";
import type { Suite } from "./suite.js";
import { type RowContext, summarizeSuite } from "./summary.js";

const suite: Suite = {
  name: "t",
  description: "a test suite",
  transport: "socket",
  servers: {
    ours: { kind: "toystore", transport: "socket", flags: { workMs: 0 } },
    "line-baseline": { kind: "baseline", name: "line-baseline" },
    redis: { kind: "redis", aof: false },
  },
  shapes: [
    {
      id: "c50-p1",
      connections: 50,
      rows: [
        { id: "ours query", server: "ours", op: "query", generator: "engine" },
        { id: "ours buy", server: "ours", op: "buy", generator: "engine" },
        { id: "line-baseline query", server: "line-baseline", op: "query", generator: "engine" },
        { id: "redis get", server: "redis", op: "query", generator: "redis-benchmark", redisTest: "get" },
      ],
    },
  ],
  ratios: [
    { shape: "c50-p1", of: "ours query", over: "line-baseline query", goal: 0.9 },
    { shape: "c50-p1", of: "ours buy", over: "ours query", goal: 0.9 },
    { shape: "c50-p1", of: "ours query", over: "redis get", goal: 0.5 },
    { shape: "c50-p1", of: "ours query", over: "line-baseline query" },
  ],
};

function run(row: string, round: number, rps: number, cpuUs?: number): RunRecord {
  return {
    shape: "c50-p1",
    row,
    round,
    figures: {
      requestsPerSecond: rps,
      requests: rps,
      p50Us: 100,
      p99Us: 900,
      errors: 1,
      generatorCpu: 0.5,
      generatorProcesses: 1,
      ...(cpuUs === undefined ? {} : { serverCpuUsPerRequest: cpuUs }),
    },
  };
}

const context: RowContext = {
  unavailable: (row) => (row.server === "redis" ? "redis-server is not installed" : undefined),
  cpuScope: (server) => (server === "redis" ? undefined : "server"),
};

const runs: RunRecord[] = [
  run("ours query", 1, 40_000, 20),
  run("ours query", 2, 45_000, 10),
  run("ours query", 3, 99_000, 12),
  run("ours buy", 1, 36_000),
  run("ours buy", 2, 36_000),
  run("ours buy", 3, 36_000),
  run("line-baseline query", 1, 50_000, 6),
  run("line-baseline query", 2, 10_000, 6),
  run("line-baseline query", 3, 50_000, 6),
  { shape: "c50-p1", row: "line-baseline query", round: 4, error: "boom" },
];

describe("the runner's summary", () => {
  it("takes medians over the runs that produced figures and counts the failed ones", () => {
    const { rows } = summarizeSuite(suite, runs, context);
    const baseline = rows.find((row) => row.row === "line-baseline query")!;
    assert.equal(baseline.runs, 3);
    assert.equal(baseline.failedRuns, 1);
    assert.equal(baseline.requestsPerSecond, 50_000);
    assert.equal(baseline.errors, 3);
    const ours = rows.find((row) => row.row === "ours query")!;
    assert.equal(ours.requestsPerSecond, 45_000);
    assert.equal(ours.serverCpuUsPerRequest, 12);
  });

  it("checks each ratio of medians against its goal", () => {
    const { ratios } = summarizeSuite(suite, runs, context);
    assert.deepEqual(ratios[0], {
      shape: "c50-p1",
      of: "ours query",
      over: "line-baseline query",
      goal: 0.9,
      name: "c50-p1: ours query / line-baseline query",
      value: 0.9,
      met: true,
      byCpu: 0.5,
    });
    assert.equal(ratios[1]!.value, 0.8);
    assert.equal(ratios[1]!.met, false);
  });

  it("leaves a ratio without a goal unjudged, and one with a row not measured unmeasured", () => {
    const { rows, ratios } = summarizeSuite(suite, runs, context);
    assert.equal(rows.find((row) => row.row === "redis get")!.unavailable, "redis-server is not installed");
    assert.equal(rows.find((row) => row.row === "redis get")!.requestsPerSecond, undefined);
    assert.equal(ratios[2]!.value, undefined);
    assert.equal(ratios[2]!.met, undefined);
    assert.equal(ratios[3]!.value, 0.9);
    assert.equal(ratios[3]!.met, undefined);
  });

  it("compares server CPU only between rows that count the same kind of CPU", () => {
    const { ratios } = summarizeSuite(suite, runs, {
      ...context,
      cpuScope: (server) => (server === "ours" ? "server" : "database"),
    });
    assert.equal(ratios[0]!.byCpu, undefined);
  });
});
