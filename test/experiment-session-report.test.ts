// The session experiment's report (`experiment --session`) on fake results:
// its tables (latency per request type against P, every cell), the CSV, the
// chart of query and buy latency against P, the report folder, and that the
// Toy Store study's results still read back as they were written.

import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { renderCsv, SESSION_CSV_COLUMNS } from "../src/study/load/report/csv.js";
import { renderHtml } from "../src/study/load/report/html.js";
import { renderMarkdown } from "../src/study/load/report/markdown.js";
import { renderSessionChart } from "../src/study/load/report/session-chart.js";
import { buildSessionTables } from "../src/study/load/report/session-tables.js";
import {
  REPORT_FILES,
  readResults,
  SESSION_CHART_FILE,
  writeReport,
} from "../src/study/load/report/write-report.js";
import { fakeExperimentResults } from "./helpers/load-fake-results.js";
import { fakeSessionResults } from "./helpers/session-fake-results.js";

const results = fakeSessionResults({ transports: ["socket", "grpc"], locks: ["mutex", "rwlock"] });

describe("the session report's tables", () => {
  const [summary, detail] = buildSessionTables(results);

  it("set query / buy means against P, one row per transport and lock", () => {
    assert.equal(summary?.title, "Mean latency (ms) against the buy probability P, query / buy");
    assert.deepEqual(summary?.header, [
      "transport, lock",
      "P = 0",
      "P = 0.2",
      "P = 0.4",
      "P = 0.6",
      "P = 0.8",
    ]);
    assert.deepEqual(
      summary?.rows.map((row) => row[0]),
      ["socket, mutex", "socket, rwlock", "grpc, mutex", "grpc, rwlock"],
    );
    const cell = results.sessionCells!.find(
      (c) => c.transport === "grpc" && c.lock === "rwlock" && c.buyProbability === 0.4,
    )!;
    assert.equal(
      summary?.rows[3]?.[3],
      `${cell.query.latency.mean.toFixed(1)} / ${cell.buy.latency.mean.toFixed(1)}`,
    );
    // No buys at P = 0: a dash, not a zero.
    assert.match(summary?.rows[0]?.[1] ?? "", / \/ -$/);
  });

  it("list every cell with both request types and its orders", () => {
    assert.equal(detail?.rows.length, 20);
    for (const row of detail!.rows) assert.equal(row.length, detail!.header.length);
    assert.equal(
      detail?.rows[1]?.[11],
      `${results.sessionCells![1]!.orders.verified} of ${results.sessionCells![1]!.orders.recorded}`,
    );
  });

  it("name the orders that did not check out", () => {
    const failing = fakeSessionResults({ transports: ["socket"], locks: ["rwlock"] }, (_, recorded) => ({
      recorded,
      verified: recorded - 1,
      unchecked: 0,
      failed: { mismatch: 1 },
      problems: [],
    }));
    assert.match(buildSessionTables(failing)[1]!.rows[2]![11]!, /^\d+ of \d+ \(mismatch=1\)$/);
  });
});

describe("the session report's files", () => {
  it("write the CSV with the session's columns, one row per cell", () => {
    const lines = renderCsv(results).trimEnd().split("\r\n");
    assert.equal(lines[0], SESSION_CSV_COLUMNS.join(","));
    assert.equal(lines.length, 21);
    for (const column of ["buy_probability", "query_mean_ms", "buy_mean_ms", "orders_verified"])
      assert.ok(SESSION_CSV_COLUMNS.includes(column), column);
  });

  it("draw query and buy latency against P, one line per transport and lock", () => {
    const svg = renderSessionChart(results);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.match(svg, /buy probability \(P\)/);
    assert.match(svg, /mean latency \(ms\)/);
    assert.match(svg, />Query</);
    assert.match(svg, />Buy</);
    for (const label of ["socket, mutex", "socket, read-write lock", "gRPC, mutex", "gRPC, read-write lock"])
      assert.ok(svg.includes(`${label}: measured mean`), label);
    for (const colour of ["#e15759", "#4e79a7", "#f28e2b", "#59a14f"])
      assert.ok(svg.includes(colour), colour);
    assert.equal(svg.match(/<\/svg>/g)?.length, 2, "the plot inside the framed document");
  });

  it("put the tables and the chart in report.md and report.html", () => {
    const markdown = renderMarkdown(results, { charts: [SESSION_CHART_FILE] });
    assert.match(markdown, /^# toystore experiment: session clients/);
    assert.match(markdown, /## Mean latency \(ms\) against the buy probability P, query \/ buy/);
    assert.match(markdown, /## Every session cell/);
    assert.ok(markdown.includes(`](${SESSION_CHART_FILE})`));
    const html = renderHtml(results, renderSessionChart(results));
    assert.equal(html.match(/<table>/g)?.length, 2);
    assert.match(html, /20 session cells/);
  });

  it("write the folder with the session's chart, and read results.json back the same", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toystore-session-report-"));
    try {
      const paths = await writeReport(results, dir);
      assert.deepEqual(
        (await readdir(dir)).sort(),
        [
          REPORT_FILES.csv,
          REPORT_FILES.html,
          REPORT_FILES.json,
          SESSION_CHART_FILE,
          REPORT_FILES.markdown,
        ].sort(),
      );
      assert.equal(paths.chart, join(dir, SESSION_CHART_FILE));
      assert.deepEqual(await readResults(paths.json), results);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("read a Toy Store study's results written before sessions as no session", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toystore-session-report-"));
    try {
      const old = fakeExperimentResults();
      const { session: _session, buyProbabilities: _probabilities, ...oldOptions } = old.options;
      await writeFile(join(dir, "results.json"), JSON.stringify({ ...old, options: oldOptions }));
      const read = await readResults(join(dir, "results.json"));
      assert.equal(read.options.session, false);
      assert.equal(read.sessionCells, undefined);
      await writeReport(read, dir);
      assert.ok((await readdir(dir)).includes(REPORT_FILES.chart));
      assert.match(await readFile(join(dir, REPORT_FILES.markdown), "utf8"), /^# toystore experiment\n/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
