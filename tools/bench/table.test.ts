// The one table format: rows with their medians and the generator's CPU,
// ratios with their goals and verdicts, and what was not measured.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCallgrindTotal } from "./callgrind.js";
import type { SuiteReport } from "./report.js";
import { findSuites } from "./suites.js";
import { describeGeneratorCpu, markdownTable, renderSuite } from "./table.js";

describe("the tables", () => {
  it("say how much CPU the generator used, and when it was the limit", () => {
    assert.equal(describeGeneratorCpu({ generatorCpu: 0.5, generatorProcesses: 1 }), "0.50 of 1");
    assert.equal(describeGeneratorCpu({ generatorCpu: 0.95, generatorProcesses: 1 }), "0.95 of 1 (bound)");
    assert.equal(describeGeneratorCpu({ generatorCpu: 0.95, generatorProcesses: 2 }), "0.95 of 2");
    assert.equal(describeGeneratorCpu({}), "");
  });

  it("are Markdown, text left and figures right", () => {
    assert.deepEqual(markdownTable(["name", "req/s"], [["ours", "1,000"]], 1), [
      "| name | req/s |",
      "| ---- | ----: |",
      "| ours | 1,000 |",
    ]);
  });

  it("show each ratio with its goal and verdict, and why a row was not measured", () => {
    const suite = findSuites(["metrics"])[0]!;
    const report: SuiteReport = {
      suite,
      options: { rounds: 1, durationS: 1, warmupS: 0.5 },
      callgrind: false,
      servers: {
        "metrics-on": "toystore serve ...",
        "metrics-off": "not started: unknown option '--metrics'",
      },
      runs: [],
      summary: {
        rows: [
          {
            shape: "c50-p1",
            row: "metrics on",
            server: "metrics-on",
            generator: "engine",
            runs: 3,
            failedRuns: 0,
            errors: 0,
            requestsPerSecond: 40_000,
            serverCpuUsPerRequest: 12.34,
            generatorCpu: 0.4,
            generatorProcesses: 1,
          },
          {
            shape: "c50-p1",
            row: "metrics off",
            server: "metrics-off",
            generator: "engine",
            runs: 0,
            failedRuns: 0,
            errors: 0,
            unavailable: "server metrics-off: unknown option '--metrics'",
          },
        ],
        ratios: [
          {
            shape: "c50-p1",
            of: "metrics on",
            over: "metrics off",
            goal: 0.97,
            name: "c50-p1: metrics on / metrics off",
          },
          {
            shape: "c10-p16",
            of: "metrics on",
            over: "metrics off",
            goal: 0.97,
            name: "c10-p16: metrics on / metrics off",
            value: 0.95,
            met: false,
          },
        ],
      },
    };
    const text = renderSuite(report);
    assert.match(text, /^## metrics: /);
    assert.match(text, /\| c50-p1 +\| metrics on +\| engine +\| +40,000 \|/);
    assert.match(text, /12\.3 \|/);
    assert.match(text, /- metrics off: server metrics-off: unknown option '--metrics'/);
    assert.match(text, /c50-p1: metrics on \/ metrics off +\| +>= 0\.97x \| +- \| not measured \|/);
    assert.match(text, /c10-p16: metrics on \/ metrics off +\| +>= 0\.97x \| 0\.95x \| +\*\*no\*\* \|/);
  });

  it("read callgrind's instruction total from a dump", () => {
    assert.equal(
      parseCallgrindTotal("version: 1\nsummary: 28827644\n\nfn=main\n1 2\ntotals: 30098154\n"),
      30098154,
    );
    assert.equal(parseCallgrindTotal("summary: 5\n"), 5);
    assert.equal(parseCallgrindTotal("nothing"), undefined);
  });
});
