// The caching study (`experiment --session --servers-per-cell 2 --query-cache
// off,on`) without servers: its options and what they refuse, its cells,
// what a server's /api/stats gives it, and its report on fake results (the
// table with hit ratio and staleness, the CSV, the one chart, the folder).

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cachingFigures, parseCachingStats } from "../src/study/load/caching-stats.js";
import { describeSessionCell, planSessionCells } from "../src/study/load/cell-plan.js";
import { resolveExperimentOptions } from "../src/study/load/experiment-options.js";
import { buildCachingTable } from "../src/study/load/report/caching-table.js";
import { CACHING_CSV_COLUMNS, renderCsv, SESSION_CSV_COLUMNS } from "../src/study/load/report/csv.js";
import { renderHtml } from "../src/study/load/report/html.js";
import { renderMarkdown } from "../src/study/load/report/markdown.js";
import { renderSessionChart } from "../src/study/load/report/session-chart.js";
import { buildSessionTables } from "../src/study/load/report/session-tables.js";
import { readResults, SESSION_CHART_FILE, writeReport } from "../src/study/load/report/write-report.js";
import { sessionServerSetup } from "../src/study/load/session-cell.js";
import { fakeCachingResults } from "./helpers/caching-fake-results.js";
import { fakeSessionResults } from "./helpers/session-fake-results.js";

const CACHING = { session: true, stores: ["postgres"], queryCache: ["off", "on"] } as const;

describe("the caching study's options", () => {
  it("default to one transport and the read-write lock, two servers only when asked", () => {
    const options = resolveExperimentOptions({ ...CACHING, serversPerCell: 2 });
    assert.deepEqual(options.transports, ["socket"]);
    assert.deepEqual(options.locks, ["rwlock"]);
    assert.deepEqual(options.buyProbabilities, [0, 0.2, 0.4, 0.6, 0.8]);
    assert.deepEqual(options.clients, [5]);
    assert.equal(options.workMs, 200, "the original study's work, unless --work-ms says otherwise");
    assert.equal(options.serversPerCell, 2);
    assert.equal(options.queryCacheSize, null);
    const given = resolveExperimentOptions({ ...CACHING, transports: ["http"], locks: ["mutex"], workMs: 0 });
    assert.deepEqual([given.transports, given.locks, given.workMs], [["http"], ["mutex"], 0]);
  });

  it("leave the study and the session experiment as they were without the new flags", () => {
    for (const options of [resolveExperimentOptions(), resolveExperimentOptions({ session: true })]) {
      assert.equal(options.serversPerCell, 1);
      assert.equal(options.queryCache, null);
      assert.deepEqual(options.transports, ["socket", "grpc"]);
      assert.deepEqual(options.locks, ["mutex", "rwlock"]);
    }
    const plain = planSessionCells(resolveExperimentOptions({ session: true }));
    assert.ok(plain.every((cell) => !("queryCache" in cell)));
  });

  it("refuse what the caching study cannot run", () => {
    assert.throws(() => resolveExperimentOptions({ session: true, queryCache: ["on"] }), {
      name: "OptionError",
      message: /^--query-cache needs --stores postgres \(or a postgres:\/\/ URL\): memory answers/,
    });
    assert.throws(() => resolveExperimentOptions({ stores: ["postgres"], queryCache: ["on"] }), {
      message: /^--query-cache needs --session/,
    });
    assert.throws(() => resolveExperimentOptions({ session: true, serversPerCell: 2 }), {
      message: /^--servers-per-cell 2 needs a store the servers share \(postgres\); memory belongs/,
    });
    assert.throws(() => resolveExperimentOptions({ ...CACHING, queryCacheSize: 0 }), {
      message: /^--query-cache-size must be an integer from 1 to/,
    });
    assert.throws(() => resolveExperimentOptions({ session: true, queryCacheSize: 4 }), {
      message: "--query-cache-size needs --query-cache",
    });
    assert.throws(() => resolveExperimentOptions({ ...CACHING, queryCache: ["on", "on"] }), {
      message: /^--query-cache must be a comma-separated list of distinct items, each one of off, on/,
    });
  });

  it("plan each probability with the cache off, then on", () => {
    const cells = planSessionCells(resolveExperimentOptions({ ...CACHING, buyProbabilities: [0, 0.4] }));
    assert.deepEqual(
      cells.map((cell) => [cell.buyProbability, cell.queryCache]),
      [
        [0, false],
        [0, true],
        [0.4, false],
        [0.4, true],
      ],
    );
    assert.equal(
      describeSessionCell(cells[1]!),
      "socket rwlock on postgres session P = 0 cache on, 5 clients",
    );
  });

  it("start the servers with HTTP for /api/stats, and the cache and its size only when on", () => {
    const options = resolveExperimentOptions({ ...CACHING, queryCacheSize: 4 });
    const [off, on] = planSessionCells(options);
    assert.deepEqual(sessionServerSetup(off!, options), { http: true });
    assert.deepEqual(sessionServerSetup(on!, options), {
      http: true,
      switches: ["--query-cache"],
      flags: { queryCacheSize: 4 },
    });
    const plain = resolveExperimentOptions({ session: true });
    assert.deepEqual(sessionServerSetup(planSessionCells(plain)[0]!, plain), {});
  });
});

describe("a server's /api/stats, read for the caching study", () => {
  it("keeps the cache and the announcements, and null for what is missing or malformed", () => {
    const announcements = {
      received: 4,
      delayMs: { p50: 0.4, p99: 1.5, max: 2 },
      fromOthers: { received: 1, delayMs: { p50: 0.5, p99: 0.5, max: 0.5 } },
    };
    const stats = parseCachingStats({
      transports: {},
      cache: { hits: 9, misses: 1, entries: 3 },
      announcements,
    });
    assert.deepEqual(stats, { cache: { hits: 9, misses: 1, entries: 3 }, announcements });
    assert.deepEqual(parseCachingStats({ transports: {} }), { cache: null, announcements: null });
    assert.deepEqual(parseCachingStats({ cache: { hits: -1, misses: 0, entries: 0 } }).cache, null);
    assert.deepEqual(parseCachingStats(null), { cache: null, announcements: null });
    assert.deepEqual(
      parseCachingStats({ announcements: { received: 0, delayMs: { p50: null } } }).announcements,
      { received: 0, delayMs: { p50: null, p99: null, max: null }, fromOthers: null },
    );
  });

  it("adds hits over the servers and keeps the worst server's delays of others' announcements", () => {
    const others = (p50: number, p99: number, max: number) => ({
      received: 2,
      delayMs: { p50, p99, max },
    });
    const figures = cachingFigures([
      {
        cache: { hits: 8, misses: 2, entries: 3 },
        announcements: { received: 5, delayMs: { p50: 0, p99: 30, max: 90 }, fromOthers: others(1, 3, 9) },
      },
      {
        cache: { hits: 2, misses: 8, entries: 4 },
        announcements: { received: 6, delayMs: { p50: 0, p99: 20, max: 40 }, fromOthers: others(2, 2, 4) },
      },
    ]);
    assert.deepEqual(figures, {
      hits: 10,
      misses: 10,
      hitRatio: 0.5,
      entries: 7,
      announcements: 11,
      fromOthers: 4,
      delayMs: { p50: 2, p99: 3, max: 9 },
    });
    // A server that does not tell others' apart: all of its delays.
    const all = { received: 1, delayMs: { p50: 5, p99: 6, max: 7 }, fromOthers: null };
    assert.deepEqual(cachingFigures([{ cache: null, announcements: all }]).delayMs, {
      p50: 5,
      p99: 6,
      max: 7,
    });
    assert.deepEqual(cachingFigures([{ cache: null, announcements: null }]), {
      hits: 0,
      misses: 0,
      hitRatio: null,
      entries: 0,
      announcements: 0,
      fromOthers: 0,
      delayMs: null,
    });
  });
});

describe("the caching study's report", () => {
  const results = fakeCachingResults();
  const cells = results.sessionCells!;

  it("records the servers, the setting and each server's figures in every cell", () => {
    assert.equal(cells.length, 10);
    for (const cell of cells) {
      assert.equal(cell.servers, 2);
      assert.equal(typeof cell.queryCache, "boolean");
      assert.equal(cell.serverStats?.length, 2);
    }
    const plain = fakeSessionResults().sessionCells![0]!;
    for (const key of ["servers", "queryCache", "serverStats"]) assert.ok(!(key in plain), key);
  });

  it("puts its table first: latency, hit ratio and staleness per P, cache off then on", () => {
    const tables = buildSessionTables(results);
    assert.equal(tables.length, 3);
    const table = tables[0]!;
    assert.deepEqual(table, buildCachingTable(results));
    assert.match(table.title, /^The caching study: /);
    assert.match(table.caption, /^2 servers per cell on one PostgreSQL database/);
    assert.equal(table.rows.length, 10);
    const at = (name: string) => table.header.indexOf(name);
    const [off, on] = [table.rows[2]!, table.rows[3]!];
    assert.deepEqual([off[at("P")], off[at("cache")], on[at("cache")]], ["0.2", "off", "on"]);
    const cell = cells.find((c) => c.buyProbability === 0.2 && c.queryCache === true)!;
    const { hitRatio } = cachingFigures(cell.serverStats!);
    assert.equal(on[at("hit ratio")], hitRatio!.toFixed(3));
    assert.equal(off[at("hit ratio")], "-", "no cache, no ratio");
    assert.equal(on[at("query mean ms")], cell.query.latency.mean.toFixed(1));
    // The worst of the two servers.
    assert.deepEqual(
      [on[at("staleness p50 ms")], on[at("staleness p99 ms")], on[at("staleness max ms")]],
      ["1.50", "3.00", "6.00"],
    );
    // No buys at P = 0: nothing announced, no window.
    assert.equal(table.rows[0]![at("staleness p99 ms")], "-");
    assert.equal(table.rows[0]![at("buy mean ms")], "-");
    for (const row of table.rows) assert.equal(row.length, table.header.length);
  });

  it("names the cache setting in the summary's series and the detail's column", () => {
    const [, summary, detail] = buildSessionTables(results);
    assert.deepEqual(
      summary?.rows.map((row) => row[0]),
      ["socket, rwlock on postgres, cache off", "socket, rwlock on postgres, cache on"],
    );
    assert.equal(detail?.header[2], "cache");
    assert.deepEqual(
      detail?.rows.slice(0, 2).map((row) => row[2]),
      ["off", "on"],
    );
  });

  it("writes the caching columns after the session's in the CSV, and only for the caching study", () => {
    const lines = renderCsv(results).trimEnd().split("\r\n");
    assert.equal(lines[0], [...SESSION_CSV_COLUMNS, ...CACHING_CSV_COLUMNS].join(","));
    assert.equal(lines.length, 11);
    assert.equal(renderCsv(fakeSessionResults()).split("\r\n")[0], SESSION_CSV_COLUMNS.join(","));
  });

  it("draws one chart: query and buy against P, cache off and on, means solid and p99 dashed", () => {
    const svg = renderSessionChart(results);
    assert.match(svg, /query cache off and on/);
    assert.match(svg, /buy probability \(P\)/);
    assert.match(svg, /stroke-dasharray="5,4"/);
    for (const label of ["cache off: measured mean", "cache on: measured mean", "its p99"])
      assert.ok(svg.includes(label), label);
    assert.doesNotMatch(renderSessionChart(fakeSessionResults()), /stroke-dasharray="5,4"/);
  });

  it("says what ran in report.md and report.html, and reads results.json back the same", async () => {
    const markdown = renderMarkdown(results, { charts: [SESSION_CHART_FILE] });
    assert.match(markdown, /^# toystore experiment: the caching study/);
    assert.match(markdown, /Each cell ran 2 fresh servers on one new store, client i on server i mod 2/);
    assert.match(markdown, /serve --query-cache off and on/);
    assert.match(markdown, /## The caching study: latency, hit ratio and staleness/);
    assert.equal(renderHtml(results, renderSessionChart(results)).match(/<table>/g)?.length, 3);
    const dir = await mkdtemp(join(tmpdir(), "toystore-caching-report-"));
    try {
      const paths = await writeReport(results, dir);
      assert.deepEqual(await readResults(paths.json), results);
      assert.match(await readFile(paths.chart, "utf8"), /query cache off and on/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
