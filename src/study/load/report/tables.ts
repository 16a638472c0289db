// The report's tables, built from ExperimentResults alone as plain rows of
// text, so that the Markdown and HTML writers print the same numbers.

import type { ExperimentCell, ExperimentResults } from "../results.js";
import { lockLabel, toleranceMs } from "../results.js";

/** A table of already formatted cells; `numeric[i]` right-aligns column i. */
export interface Table {
  readonly title: string;
  /** One sentence under the title saying how to read the table. */
  readonly caption: string;
  readonly header: readonly string[];
  readonly numeric: readonly boolean[];
  readonly rows: readonly (readonly string[])[];
}

/** Milliseconds with one decimal. */
export function formatMs(ms: number): string {
  return ms.toFixed(1);
}

/** A signed difference with one decimal: "+3.2", "-0.4". */
export function formatSigned(value: number, digits = 1): string {
  const text = value.toFixed(digits);
  return value >= 0 && !text.startsWith("-") ? `+${text}` : text;
}

/** "busy=2, unavailable=1", or "0". */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  return entries.length === 0 ? "0" : entries.map(([key, n]) => `${key}=${n}`).join(", ");
}

const OP_TITLE: Record<string, string> = { query: "Query", buy: "Buy" };

/**
 * The tables of an experiment report, in reading order: the original design's
 * summary (one per op: mean latency by client count, measured next to
 * predicted), then every cell in detail, then the per-client means.
 */
export function buildTables(results: ExperimentResults): Table[] {
  return [...summaryTables(results), detailTable(results), perClientTable(results)];
}

function summaryTables(results: ExperimentResults): Table[] {
  const clients = [...new Set(results.cells.map((cell) => cell.clients))].sort((a, b) => a - b);
  const ops = [...new Set(results.cells.map((cell) => cell.op))];
  return ops.map((op) => {
    const cells = results.cells.filter((cell) => cell.op === op);
    const series = [...new Set(cells.map((cell) => `${cell.transport}\u0000${lockLabel(cell)}`))];
    return {
      title: `${OP_TITLE[op] ?? op}: mean latency (ms), measured / predicted`,
      caption: `Each of N clients sends ${results.options.requests} sequential ${op} requests; the server holds each for ${results.options.workMs} ms inside the lock.`,
      header: ["transport", "lock", ...clients.map((n) => `N = ${n}`)],
      numeric: [false, false, ...clients.map(() => true)],
      rows: series.map((key) => {
        const [transport, lock] = key.split("\u0000") as [string, string];
        return [
          transport,
          lock,
          ...clients.map((n) => {
            const cell = cells.find(
              (c) => c.transport === transport && lockLabel(c) === lock && c.clients === n,
            );
            return cell === undefined
              ? ""
              : `${formatMs(cell.measured.mean)} / ${formatMs(cell.predicted.meanMs)}`;
          }),
        ];
      }),
    };
  });
}

function detailTable(results: ExperimentResults): Table {
  const header = [
    "transport",
    "lock",
    "op",
    "N",
    "c",
    "mean ms",
    "p50 ms",
    "p99 ms",
    "max ms",
    "predicted ms",
    "diff ms",
    "diff %",
    "on target",
    "req/s",
    "errors",
  ];
  return {
    title: "Every cell",
    caption:
      "c is the number of requests the server runs side by side for the cell; diff = measured mean - predicted; on target = within 5 ms or 2.5% of the prediction, whichever is larger.",
    header,
    numeric: header.map((_, i) => i >= 3 && i !== 12 && i !== 14),
    rows: results.cells.map((cell) => [
      cell.transport,
      lockLabel(cell),
      cell.op,
      String(cell.clients),
      String(cell.predicted.parallelism),
      formatMs(cell.measured.mean),
      formatMs(cell.measured.p50),
      formatMs(cell.measured.p99),
      formatMs(cell.measured.max),
      formatMs(cell.predicted.meanMs),
      formatSigned(cell.differenceMs),
      formatSigned(cell.differencePercent),
      onTarget(cell),
      cell.throughputPerSecond.toFixed(1),
      formatCounts(cell.errors),
    ]),
  };
}

function perClientTable(results: ExperimentResults): Table {
  return {
    title: "Mean latency of each client (ms)",
    caption: "The Toy Store study's figure: each client's own mean over its requests, by client number.",
    header: ["transport", "lock", "op", "N", "per-client means"],
    numeric: [false, false, false, true, false],
    rows: results.cells.map((cell) => [
      cell.transport,
      lockLabel(cell),
      cell.op,
      String(cell.clients),
      cell.perClientMeansMs.map(formatMs).join(", "),
    ]),
  };
}

function onTarget(cell: ExperimentCell): string {
  if (cell.stopReason !== "completed") return `stopped early (${cell.stopReason})`;
  return cell.withinTolerance ? "yes" : `no (±${formatMs(toleranceMs(cell.predicted.meanMs))})`;
}
