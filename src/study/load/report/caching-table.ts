// The caching study's table (`experiment --session --query-cache off,on`),
// built from ExperimentResults alone: for each buy probability, the cells
// without and with the query cache side by side, with their latency, the
// hit ratio over every server and the staleness window (caching-stats.ts).

import { cachingFigures } from "../caching-stats.js";
import { type ExperimentResults, lockLabel, type SessionCell } from "../results.js";
import { formatMs, type Table } from "./tables.js";

/** Whether the results are the caching study's (their cells ran with the cache off or on). */
export function isCachingStudy(results: ExperimentResults): boolean {
  return (results.sessionCells ?? []).some((cell) => cell.queryCache !== undefined);
}

/** A mean or p99, or a dash where no request of the type was measured (no buys at P = 0). */
function figureOrDash(op: SessionCell["query"], figure: "mean" | "p99"): string {
  return op.latency.count === 0 ? "-" : formatMs(op.latency[figure]);
}

/** A delay with two decimals (sub-millisecond windows matter), or a dash. */
function delay(ms: number | undefined): string {
  return ms === undefined ? "-" : ms.toFixed(2);
}

/** The table: one row per cell, grouped by transport and lock, then P, then cache setting. */
export function buildCachingTable(results: ExperimentResults): Table {
  const cells = (results.sessionCells ?? []).filter((cell) => cell.queryCache !== undefined);
  const group = (cell: SessionCell) => `${cell.transport}, ${lockLabel(cell)}, N = ${cell.clients}`;
  const groups = [...new Set(cells.map(group))];
  const ordered = groups.flatMap((name) =>
    cells
      .filter((cell) => group(cell) === name)
      .sort((a, b) => a.buyProbability - b.buyProbability || Number(a.queryCache) - Number(b.queryCache)),
  );
  const { options } = results;
  const servers = Math.max(...cells.map((cell) => cell.servers ?? 1));
  const header = [
    "transport, lock, N",
    "P",
    "cache",
    "query mean ms",
    "query p99 ms",
    "buy mean ms",
    "buy p99 ms",
    "hit ratio",
    "cached toys",
    "announcements (from others)",
    "staleness p50 ms",
    "staleness p99 ms",
    "staleness max ms",
  ];
  return {
    title: "The caching study: latency, hit ratio and staleness against the buy probability P",
    caption:
      `${servers} server${servers === 1 ? "" : "s"} per cell on one PostgreSQL database, client i on server i mod ${servers}; each cell once without and once with serve --query-cache` +
      `${options.queryCacheSize === null || options.queryCacheSize === undefined ? "" : ` (--query-cache-size ${options.queryCacheSize})`}, ${options.workMs} ms of work per request. ` +
      "Hit ratio: hits / (hits + misses) summed over the servers' /api/stats at the end of the cell; cached toys: entries summed over the servers; " +
      "announcements: stock changes heard, summed over the servers (each hears its own too; in brackets, those another server made); staleness: the delay from another server's announcing statement to its arrival, the worst server's figure: how long a cache may miss another server's sale. \"-\": nothing measured.",
    header,
    numeric: header.map((name) => name !== "transport, lock, N" && name !== "cache"),
    rows: ordered.map((cell) => {
      const figures = cell.serverStats === undefined ? undefined : cachingFigures(cell.serverStats);
      return [
        group(cell),
        String(cell.buyProbability),
        cell.queryCache ? "on" : "off",
        figureOrDash(cell.query, "mean"),
        figureOrDash(cell.query, "p99"),
        figureOrDash(cell.buy, "mean"),
        figureOrDash(cell.buy, "p99"),
        figures?.hitRatio === null || figures === undefined ? "-" : figures.hitRatio.toFixed(3),
        figures === undefined ? "-" : String(figures.entries),
        figures === undefined ? "-" : `${figures.announcements} (${figures.fromOthers})`,
        delay(figures?.delayMs?.p50),
        delay(figures?.delayMs?.p99),
        delay(figures?.delayMs?.max),
      ];
    }),
  };
}
