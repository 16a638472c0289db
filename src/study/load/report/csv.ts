// results.csv: one row per experiment cell (RFC 4180), for spreadsheets and
// plotting tools, with a session experiment's own columns (and the caching
// study's after them); written from ExperimentResults alone.

import { cachingFigures } from "../caching-stats.js";
import { failedOrders } from "../order-check.js";
import type { ExperimentCell, ExperimentResults, SessionCell } from "../results.js";

type Column<Cell> = readonly [string, (cell: Cell) => string | number | boolean];

/** The columns, in order; each reads one value from a cell. Units are in the names. */
const COLUMNS: readonly Column<ExperimentCell>[] = [
  ["transport", (c) => c.transport],
  ["store", (c) => c.store],
  ["lock", (c) => c.lock],
  ["toy_choice", (c) => c.toyChoice],
  ["op", (c) => c.op],
  ["clients", (c) => c.clients],
  ["requests_per_client", (c) => c.requests],
  ["work_ms", (c) => c.workMs],
  ["parallelism", (c) => c.predicted.parallelism],
  ["count", (c) => c.measured.count],
  ["mean_ms", (c) => c.measured.mean],
  ["p50_ms", (c) => c.measured.p50],
  ["p90_ms", (c) => c.measured.p90],
  ["p99_ms", (c) => c.measured.p99],
  ["max_ms", (c) => c.measured.max],
  ["predicted_mean_ms", (c) => c.predicted.meanMs],
  ["steady_state_ms", (c) => c.predicted.steadyStateMs],
  ["difference_ms", (c) => c.differenceMs],
  ["difference_percent", (c) => c.differencePercent],
  ["within_tolerance", (c) => c.withinTolerance],
  ["throughput_per_s", (c) => c.throughputPerSecond],
  ["errors", (c) => Object.values(c.errors).reduce((sum, n) => sum + n, 0)],
  ["errors_by_code", (c) => joinCounts(c.errors)],
  ["outcomes", (c) => joinCounts(c.outcomes)],
  ["stop_reason", (c) => c.stopReason],
  ["per_client_means_ms", (c) => c.perClientMeansMs.map((ms) => round(ms)).join(";")],
];

/** A session cell's columns: latency per request type, and its orders. */
const SESSION_COLUMNS: readonly Column<SessionCell>[] = [
  ["transport", (c) => c.transport],
  ["store", (c) => c.store],
  ["lock", (c) => c.lock],
  ["clients", (c) => c.clients],
  ["steps_per_client", (c) => c.requests],
  ["work_ms", (c) => c.workMs],
  ["buy_probability", (c) => c.buyProbability],
  ...(["query", "buy"] as const).flatMap((op): Column<SessionCell>[] => [
    [`${op}_count`, (c) => c[op].latency.count],
    [`${op}_mean_ms`, (c) => c[op].latency.mean],
    [`${op}_p50_ms`, (c) => c[op].latency.p50],
    [`${op}_p99_ms`, (c) => c[op].latency.p99],
    [`${op}_max_ms`, (c) => c[op].latency.max],
    [`${op}_outcomes`, (c) => joinCounts(c[op].outcomes)],
  ]),
  ["throughput_per_s", (c) => c.throughputPerSecond],
  ["errors", (c) => Object.values(c.errors).reduce((sum, n) => sum + n, 0)],
  ["errors_by_code", (c) => joinCounts(c.errors)],
  ["orders_recorded", (c) => c.orders.recorded],
  ["orders_verified", (c) => c.orders.verified],
  ["orders_failed", (c) => failedOrders(c.orders)],
  ["stop_reason", (c) => c.stopReason],
];

/** The caching study's columns, after the session's: its setting, the servers' cache and the staleness window. */
const CACHING_COLUMNS: readonly Column<SessionCell>[] = (() => {
  const figures = (c: SessionCell) => cachingFigures(c.serverStats ?? []);
  const orBlank = (value: number | null | undefined) => value ?? "";
  return [
    ["servers", (c) => c.servers ?? 1],
    ["query_cache", (c) => (c.queryCache === true ? "on" : "off")],
    ["cache_hits", (c) => figures(c).hits],
    ["cache_misses", (c) => figures(c).misses],
    ["hit_ratio", (c) => orBlank(figures(c).hitRatio)],
    ["cache_entries", (c) => figures(c).entries],
    ["announcements", (c) => figures(c).announcements],
    ["announcements_from_others", (c) => figures(c).fromOthers],
    ["staleness_p50_ms", (c) => orBlank(figures(c).delayMs?.p50)],
    ["staleness_p99_ms", (c) => orBlank(figures(c).delayMs?.p99)],
    ["staleness_max_ms", (c) => orBlank(figures(c).delayMs?.max)],
  ];
})();

/** The CSV text: a header row, then one row per cell, CRLF line ends as RFC 4180 asks. */
export function renderCsv(results: ExperimentResults): string {
  const session = results.sessionCells;
  if (session === undefined) return renderRows(COLUMNS, results.cells);
  const caching = session.some((cell) => cell.queryCache !== undefined);
  return renderRows(caching ? [...SESSION_COLUMNS, ...CACHING_COLUMNS] : SESSION_COLUMNS, session);
}

function renderRows<Cell>(columns: readonly Column<Cell>[], cells: readonly Cell[]): string {
  const lines = [columns.map(([name]) => name).join(",")];
  for (const cell of cells) {
    lines.push(columns.map(([, read]) => quote(format(read(cell)))).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** The column names, in order. */
export const CSV_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

/** A session experiment's column names, in order. */
export const SESSION_CSV_COLUMNS: readonly string[] = SESSION_COLUMNS.map(([name]) => name);

/** The caching study's column names, after the session's. */
export const CACHING_CSV_COLUMNS: readonly string[] = CACHING_COLUMNS.map(([name]) => name);

function format(value: string | number | boolean): string {
  return typeof value === "number" ? String(round(value)) : String(value);
}

/** Three decimals: microsecond resolution for milliseconds, without float noise. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function joinCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([key, n]) => `${key}=${n}`)
    .join(";");
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
