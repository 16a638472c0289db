// The tables of a session experiment's report (`experiment --session`),
// built from ExperimentResults alone: latency per request type against the
// buy probability, then every cell in detail; in the caching study, its own
// table first (caching-table.ts).

import { failedOrders } from "../order-check.js";
import { type ExperimentResults, lockLabel, type SessionCell } from "../results.js";
import { buildCachingTable, isCachingStudy } from "./caching-table.js";
import { formatCounts, formatMs, type Table } from "./tables.js";

/**
 * The series a session cell belongs to: its transport, its lock (with its
 * store), its client count when several were run, and its cache setting in
 * the caching study.
 */
export function sessionSeries(cell: SessionCell, severalClientCounts: boolean): string {
  const clients = severalClientCounts ? `, N = ${cell.clients}` : "";
  return `${cell.transport}, ${lockLabel(cell)}${clients}${cacheLabel(cell)}`;
}

/** ", cache on" / ", cache off" in the caching study; "" otherwise. */
export function cacheLabel(cell: Pick<SessionCell, "queryCache">): string {
  return cell.queryCache === undefined ? "" : `, cache ${cell.queryCache ? "on" : "off"}`;
}

/** Whether the cells ran more than one client count (then every series names its own). */
export function severalClientCounts(cells: readonly SessionCell[]): boolean {
  return new Set(cells.map((cell) => cell.clients)).size > 1;
}

/** The buy probabilities the cells ran, in increasing order. */
export function probabilitiesOf(cells: readonly SessionCell[]): number[] {
  return [...new Set(cells.map((cell) => cell.buyProbability))].sort((a, b) => a - b);
}

/** A mean, or a dash where no request of the type was measured (no buys at P = 0). */
function meanOrDash(op: SessionCell["query"]): string {
  return op.latency.count === 0 ? "-" : formatMs(op.latency.mean);
}

/** The session report's tables, in reading order: (the caching study's,) the summary against P, then every cell. */
export function buildSessionTables(results: ExperimentResults): Table[] {
  const cells = results.sessionCells ?? [];
  const caching = isCachingStudy(results) ? [buildCachingTable(results)] : [];
  return [...caching, summaryTable(results, cells), detailTable(cells)];
}

function summaryTable(results: ExperimentResults, cells: readonly SessionCell[]): Table {
  const probabilities = probabilitiesOf(cells);
  const several = severalClientCounts(cells);
  const series = [...new Set(cells.map((cell) => sessionSeries(cell, several)))];
  const { requests, workMs } = results.options;
  return {
    title: "Mean latency (ms) against the buy probability P, query / buy",
    caption: `Each of N clients (${[...new Set(cells.map((cell) => cell.clients))].join(", ")}) runs ${requests} session steps: it queries a random toy and, when it is in stock, buys 1 to 5 of it with probability P; the server holds each request for ${workMs} ms inside its lock. "-": no buys were measured.`,
    header: [
      `transport, lock${cells.some((cell) => cell.queryCache !== undefined) ? ", cache" : ""}`,
      ...probabilities.map((p) => `P = ${p}`),
    ],
    numeric: [false, ...probabilities.map(() => true)],
    rows: series.map((name) => [
      name,
      ...probabilities.map((p) => {
        const cell = cells.find((c) => sessionSeries(c, several) === name && c.buyProbability === p);
        return cell === undefined ? "" : `${meanOrDash(cell.query)} / ${meanOrDash(cell.buy)}`;
      }),
    ]),
  };
}

function detailTable(cells: readonly SessionCell[]): Table {
  // The caching study's cells differ by their cache setting: a column of its own, after the lock.
  const caching = cells.some((cell) => cell.queryCache !== undefined);
  const header = [
    "transport",
    "lock",
    ...(caching ? ["cache"] : []),
    "N",
    "P",
    "queries",
    "query mean ms",
    "query p99 ms",
    "buys",
    "buy mean ms",
    "buy p99 ms",
    "req/s",
    "orders verified",
    "errors",
  ];
  const textColumns = new Set(["transport", "lock", "cache", "orders verified", "errors"]);
  return {
    title: "Every session cell",
    caption:
      "Latency per request type; orders verified: the orders the clients were told about, read back after the run with the toy and quantity they bought (a failure is named).",
    header,
    numeric: header.map((name) => !textColumns.has(name)),
    rows: cells.map((cell) => [
      cell.transport,
      lockLabel(cell),
      ...(caching ? [cell.queryCache === undefined ? "" : cell.queryCache ? "on" : "off"] : []),
      String(cell.clients),
      String(cell.buyProbability),
      String(cell.query.latency.count),
      meanOrDash(cell.query),
      cell.query.latency.count === 0 ? "-" : formatMs(cell.query.latency.p99),
      String(cell.buy.latency.count),
      meanOrDash(cell.buy),
      cell.buy.latency.count === 0 ? "-" : formatMs(cell.buy.latency.p99),
      cell.throughputPerSecond.toFixed(1),
      ordersColumn(cell),
      formatCounts(cell.errors),
    ]),
  };
}

function ordersColumn(cell: SessionCell): string {
  const { orders } = cell;
  const failed = failedOrders(orders);
  const base = `${orders.verified} of ${orders.recorded}`;
  return failed === 0 ? base : `${base} (${formatCounts(orders.failed)})`;
}
