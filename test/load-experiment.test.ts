// End to end: a tiny experiment against the real server (`toystore serve`,
// started per cell by the runner) and the real clients, written as a report
// folder; checks the files exist, parse, and hold every cell. No timing asserted.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runExperiment } from "../src/study/load/experiment.js";
import { CSV_COLUMNS } from "../src/study/load/report/csv.js";
import { REPORT_FILES, readResults, writeReport } from "../src/study/load/report/write-report.js";

describe("toystore experiment, end to end", () => {
  it("measures every cell on real servers and writes a complete report", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toystore-experiment-"));
    try {
      const results = await runExperiment({
        transports: ["socket", "grpc"],
        locks: ["mutex", "rwlock"],
        ops: ["query", "buy"],
        clients: [2],
        workMs: 5,
        requests: 2,
      });
      await writeReport(results, dir);

      const data = await readResults(join(dir, REPORT_FILES.json));
      assert.equal(data.cells.length, 8);
      for (const cell of data.cells) {
        const name = `${cell.transport} ${cell.lock} ${cell.op}`;
        assert.equal(cell.measured.count, 4, name);
        assert.deepEqual(cell.errors, {}, name);
        assert.equal(cell.stopReason, "completed", name);
        assert.equal(cell.perClientMeansMs.length, 2, name);
        assert.ok(cell.measured.mean > 0 && cell.predicted.meanMs > 0, name);
      }
      assert.equal(data.environment.node, process.version);

      const csv = (await readFile(join(dir, REPORT_FILES.csv), "utf8")).trimEnd().split("\r\n");
      assert.equal(csv[0], CSV_COLUMNS.join(","));
      assert.equal(csv.length, 9);

      const markdown = await readFile(join(dir, REPORT_FILES.markdown), "utf8");
      for (const cell of data.cells) {
        assert.ok(markdown.includes(`| ${cell.transport} | ${cell.lock} | ${cell.op} | 2 |`));
      }
      const svg = await readFile(join(dir, REPORT_FILES.chart), "utf8");
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(await readFile(join(dir, REPORT_FILES.html), "utf8"), /<svg/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs the study's cells over the original design's socket protocol", async () => {
    const results = await runExperiment({
      transports: ["original-socket"],
      locks: ["mutex"],
      ops: ["query", "buy"],
      clients: [2],
      workMs: 5,
      requests: 2,
    });
    assert.deepEqual(
      results.cells.map((cell) => `${cell.transport} ${cell.op}`),
      ["original-socket query", "original-socket buy"],
    );
    for (const cell of results.cells) {
      assert.deepEqual(cell.errors, {}, cell.op);
      const answered = Object.values(cell.outcomes).reduce((sum, n) => sum + n, 0);
      assert.equal(answered, 4, cell.op);
    }
    assert.equal(results.cells[1]!.outcomes.bought, 4);
  });

  it("runs the lock ladder on real servers: per-toy and atomic, every client on one toy or each on its own", async () => {
    const results = await runExperiment({
      transports: ["socket"],
      locks: ["per-toy", "atomic"],
      toyChoices: ["same", "distinct"],
      ops: ["buy"],
      clients: [3],
      workMs: 5,
      requests: 2,
    });
    const c = Object.fromEntries(results.cells.map((cell) => [`${cell.lock} ${cell.toyChoice}`, cell]));
    assert.deepEqual(Object.keys(c).sort(), [
      "atomic distinct",
      "atomic same",
      "per-toy distinct",
      "per-toy same",
    ]);
    // One toy under per-toy locks serializes its buys; nothing else does (the pool admits 5).
    assert.equal(c["per-toy same"]!.predicted.parallelism, 1);
    for (const key of ["per-toy distinct", "atomic same", "atomic distinct"]) {
      assert.equal(c[key]!.predicted.parallelism, 5, key);
    }
    for (const cell of results.cells) {
      // Every buy sold one unit of the cell's own catalog, whose stock never runs out.
      assert.deepEqual(cell.outcomes, { bought: 6 }, `${cell.lock} ${cell.toyChoice}`);
      assert.equal(cell.stopReason, "completed");
    }
  });

  it("refuses per-toy locks with random toys, which have no exact prediction", async () => {
    await assert.rejects(
      runExperiment({ locks: ["per-toy"] }),
      /--locks per-toy needs --toy-choices same or distinct/,
    );
  });
});
