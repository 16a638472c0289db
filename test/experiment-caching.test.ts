// The caching study end to end, tiny: `toystore experiment --session
// --servers-per-cell 2 --query-cache off,on` on a throwaway PostgreSQL
// cluster, two probabilities, no work. Every cell runs two real servers on
// one new database, the clients spread over them; the test checks that each
// server's /api/stats was read (with the cache on: its counters and bound,
// and every sale announced to both servers), the orders, and the report.
// No timing asserted.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPORT_FILES, readResults, SESSION_CHART_FILE } from "../src/study/load/report/write-report.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import { runCli } from "./helpers/cli.js";
import { postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

describe("toystore experiment: the caching study", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster | undefined;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(() => cluster?.stop());

  it("runs each probability with the cache off and on, on two servers of one database", async () => {
    const out = await mkdtemp(join(tmpdir(), "toystore-caching-experiment-"));
    try {
      const run = await runCli(
        [
          ...["experiment", "--session", "--stores", cluster!.url()],
          ...["--servers-per-cell", "2", "--query-cache", "off,on", "--query-cache-size", "4"],
          ...["--buy-probability", "0,0.6", "--clients", "2", "--work-ms", "0", "--requests", "20"],
          ...["--out", out, "--no-progress"],
        ],
        180_000,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /^socket rwlock on postgres session P = 0 cache on, 2 clients +query +[\d.]+ ms .* hit ratio [\d.]+, staleness p99 /m,
      );

      const results = await readResults(join(out, REPORT_FILES.json));
      const cells = results.sessionCells ?? [];
      assert.deepEqual(
        cells.map((cell) => [cell.buyProbability, cell.queryCache, cell.servers]),
        [
          [0, false, 2],
          [0, true, 2],
          [0.6, false, 2],
          [0.6, true, 2],
        ],
      );
      for (const cell of cells) {
        const name = `P = ${cell.buyProbability}, cache ${cell.queryCache ? "on" : "off"}`;
        assert.equal(cell.stopReason, "completed", name);
        assert.deepEqual(cell.errors, {}, name);
        assert.equal(cell.query.latency.count, 40, name);
        assert.equal(cell.orders.verified, cell.orders.recorded, name);
        const stats = cell.serverStats ?? [];
        assert.equal(stats.length, 2, name);
        for (const [k, server] of stats.entries()) {
          const which = `${name}, server ${k}`;
          if (cell.queryCache) {
            // Each server has a client of its own, so each answered queries from its cache or filled it.
            assert.ok(server.cache !== null, which);
            assert.ok(server.cache.hits + server.cache.misses > 0, which);
            assert.ok(server.cache.entries <= 4, `${which}: the cache's bound`);
            // 21 queries over 8 toys, 4 of them cached at a time, nothing sold: some find theirs there.
            if (cell.buyProbability === 0) assert.ok(server.cache.hits > 0, which);
          }
          // Announcements are heard where something listens: a cache here (an event stream would too).
          if (cell.queryCache && cell.buyProbability > 0) {
            // Every sale, through either server, is announced to both; each server's client bought some.
            assert.ok(server.announcements !== null, which);
            assert.ok(server.announcements.received > 0, which);
            const others = server.announcements.fromOthers;
            assert.ok(others !== null && others.received > 0, which);
            const { p50, p99, max } = others.delayMs;
            assert.ok(p50 !== null && p99 !== null && max !== null, which);
            assert.ok(p50 <= p99, which);
          }
        }
      }

      const markdown = await readFile(join(out, REPORT_FILES.markdown), "utf8");
      assert.match(markdown, /^# toystore experiment: the caching study/);
      assert.match(markdown, /## The caching study: latency, hit ratio and staleness/);
      assert.match(await readFile(join(out, REPORT_FILES.csv), "utf8"), /,hit_ratio,/);
      assert.match(await readFile(join(out, SESSION_CHART_FILE), "utf8"), /query cache off and on/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
