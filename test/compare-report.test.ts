// The comparison's summary: medians, ratios ours / baseline, and the targets.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CompareRun, checkTargets, OURS, type Scenario, summarize } from "../tools/compare-report.js";

const scenario: Scenario = {
  id: "socket-c50-p1",
  transport: "socket",
  loops: 50,
  depth: 1,
  entries: [
    { server: OURS, op: "query" },
    { server: OURS, op: "buy" },
    { server: "line-baseline", op: "query" },
  ],
};

function run(server: string, op: "query" | "buy", round: number, rps: number): CompareRun {
  return {
    scenario: scenario.id,
    server,
    op,
    round,
    generator: "test",
    figures: { requestsPerSecond: rps, p50Us: 100, p99Us: 900, errors: 0, generatorCpu: 0.5 },
  };
}

describe("comparison summary", () => {
  const runs = [
    run(OURS, "query", 1, 40_000),
    run(OURS, "query", 2, 45_000),
    run(OURS, "query", 3, 99_000),
    run(OURS, "buy", 1, 36_000),
    run(OURS, "buy", 2, 36_000),
    run(OURS, "buy", 3, 36_000),
    run("line-baseline", "query", 1, 50_000),
    run("line-baseline", "query", 2, 10_000),
    run("line-baseline", "query", 3, 50_000),
    {
      scenario: scenario.id,
      server: "line-baseline",
      op: "query",
      round: 4,
      generator: "test",
      error: "boom",
    },
  ] satisfies CompareRun[];

  it("takes medians over the runs that produced figures", () => {
    const rows = summarize([scenario], runs);
    const baseline = rows.find((row) => row.server === "line-baseline")!;
    assert.equal(baseline.runs, 3);
    assert.equal(baseline.medianRps, 50_000);
    assert.equal(rows.find((row) => row.server === OURS && row.op === "query")!.medianRps, 45_000);
  });

  it("gives ours / baseline for the same op, and no ratio for ours itself", () => {
    const rows = summarize([scenario], runs);
    assert.equal(rows.find((row) => row.server === "line-baseline")!.oursRatio, 0.9);
    assert.equal(rows.find((row) => row.server === OURS && row.op === "query")!.oursRatio, undefined);
  });

  it("checks the targets it has data for and leaves the others unmeasured", () => {
    const targets = checkTargets(summarize([scenario], runs));
    const byName = (prefix: string) => targets.find((target) => target.target.startsWith(prefix))!;
    assert.deepEqual(byName("socket Query C=50 P=1"), {
      target: "socket Query C=50 P=1: ours / line baseline",
      goal: 0.9,
      ratio: 0.9,
      met: true,
    });
    assert.equal(byName("socket Buy / Query, ours, C=50").ratio, 0.8);
    assert.equal(byName("gRPC Query c=50: ours / Python").met, undefined);
  });
});
