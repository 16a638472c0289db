// `toystore experiment --session` end to end, tiny: the CLI runs session
// cells on real servers it starts (socket and gRPC, P = 0 and 1), checks
// every cell's orders, and writes the report with the session's table and
// chart. No timing asserted.

import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPORT_FILES, readResults, SESSION_CHART_FILE } from "../src/study/load/report/write-report.js";
import { runCli } from "./helpers/cli.js";

describe("toystore experiment --session", () => {
  it("measures query and buy latency against P on real servers and writes the report", async () => {
    const out = await mkdtemp(join(tmpdir(), "toystore-session-experiment-"));
    try {
      const run = await runCli(
        [
          "experiment",
          "--session",
          "--transports",
          "socket,grpc",
          "--locks",
          "rwlock",
          "--buy-probability",
          "0,1",
          "--clients",
          "2",
          "--work-ms",
          "2",
          "--requests",
          "3",
          "--out",
          out,
          "--no-progress",
        ],
        120_000,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /^socket rwlock session P = 0, 2 clients +query +[\d.]+ ms +buy +- ms \(0 buys\)/m,
      );
      assert.match(run.stdout, /report written to /);

      const results = await readResults(join(out, REPORT_FILES.json));
      assert.equal(results.options.session, true);
      assert.deepEqual(results.cells, []);
      const cells = results.sessionCells ?? [];
      assert.deepEqual(
        cells.map((cell) => [cell.transport, cell.buyProbability]),
        [
          ["socket", 0],
          ["socket", 1],
          ["grpc", 0],
          ["grpc", 1],
        ],
      );
      for (const cell of cells) {
        const name = `${cell.transport} P = ${cell.buyProbability}`;
        assert.equal(cell.query.latency.count, 6, name);
        assert.deepEqual(cell.errors, {}, name);
        assert.equal(cell.stopReason, "completed", name);
        assert.equal(cell.orders.verified, cell.orders.recorded, name);
        assert.equal(cell.buy.latency.count, cell.orders.recorded, name);
        if (cell.buyProbability === 0) assert.equal(cell.buy.latency.count, 0, name);
        else assert.ok(cell.buy.latency.count > 0, name);
      }

      assert.ok((await readdir(out)).includes(SESSION_CHART_FILE));
      const markdown = await readFile(join(out, REPORT_FILES.markdown), "utf8");
      assert.match(markdown, /## Mean latency \(ms\) against the buy probability P, query \/ buy/);
      assert.match(markdown, /\| socket, rwlock \| [\d.]+ \/ - \| [\d.]+ \/ [\d.]+ \|/);
      const svg = await readFile(join(out, SESSION_CHART_FILE), "utf8");
      assert.match(svg, /buy probability \(P\)/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
