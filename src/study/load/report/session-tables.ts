// The tables of a session experiment's report (`experiment --session`),
// built from ExperimentResults alone: latency per request type against the
// buy probability, then every cell in detail.

import { failedOrders } from "../order-check.js";
import { type ExperimentResults, lockLabel, type SessionCell } from "../results.js";
import { formatCounts, formatMs, type Table } from "./tables.js";

/** The series a session cell belongs to: its transport, its lock (with its store), and its client count when several were run. */
export function sessionSeries(cell: SessionCell, severalClientCounts: boolean): string {
  const clients = severalClientCounts ? `, N = ${cell.clients}` : "";
  return `${cell.transport}, ${lockLabel(cell)}${clients}`;
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

/** The session report's tables, in reading order: the summary against P, then every cell. */
export function buildSessionTables(results: ExperimentResults): Table[] {
  const cells = results.sessionCells ?? [];
  return [summaryTable(results, cells), detailTable(cells)];
}

function summaryTable(results: ExperimentResults, cells: readonly SessionCell[]): Table {
  const probabilities = probabilitiesOf(cells);
  const several = severalClientCounts(cells);
  const series = [...new Set(cells.map((cell) => sessionSeries(cell, several)))];
  const { requests, workMs } = results.options;
  return {
    title: "Mean latency (ms) against the buy probability P, query / buy",
    caption: `Each of N clients (${[...new Set(cells.map((cell) => cell.clients))].join(", ")}) runs ${requests} session steps: it queries a random toy and, when it is in stock, buys 1 to 5 of it with probability P; the server holds each request for ${workMs} ms inside its lock. "-": no buys were measured.`,
    header: ["transport, lock", ...probabilities.map((p) => `P = ${p}`)],
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
  const header = [
    "transport",
    "lock",
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
  return {
    title: "Every session cell",
    caption:
      "Latency per request type; orders verified: the orders the clients were told about, read back after the run with the toy and quantity they bought (a failure is named).",
    header,
    numeric: header.map((_, i) => i >= 2 && i !== 11 && i !== 12),
    rows: cells.map((cell) => [
      cell.transport,
      lockLabel(cell),
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
