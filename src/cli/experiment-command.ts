// `toystore experiment`: the Toy Store study, every cell on a fresh server,
// measured next to the queueing prediction; writes the results and report.
// With --session, the labs' experiment: session clients against the buy
// probability (with --query-cache, the caching study); a cell whose orders
// do not check out makes it exit 1.

import { resolve } from "node:path";
import type { Command } from "commander";
import { resolveOptions, type Schema, text, toggle } from "../options/schema.js";
import { cachingFigures } from "../study/load/caching-stats.js";
import { describeCell, describeSessionCell } from "../study/load/cell-plan.js";
import { ExperimentError, runExperiment } from "../study/load/experiment.js";
import { EXPERIMENT_OPTIONS } from "../study/load/experiment-options.js";
import { failedOrders, orderCheckFailure } from "../study/load/order-check.js";
import { formatMs, formatSigned } from "../study/load/report/tables.js";
import type { ExperimentCell, ExperimentResults, SessionCell } from "../study/load/results.js";
import type { CellServerPlacement } from "../study/load/run-cell.js";
import { CliFailure } from "./cli-failure.js";
import { abortOnSigint, type CommandIo, failure, PROCESS_IO } from "./command-io.js";
import { addFlags, readFlags } from "./flags.js";
import { createProgressBar } from "./progress-bar.js";

// The report writers pull in the charting library and a DOM; load them only
// when a report is written, so that `serve`, `query` and `buy` start light.
export const loadReportWriters = () => import("../study/load/report/write-report.js");

const OUTPUT: Schema<{ readonly out: string; readonly noProgress: boolean }> = {
  out: text("--out", "folder for the results and report", "results", { arg: "<dir>" }),
  noProgress: toggle("--no-progress", "do not draw the progress bar"),
};

/** `placements` runs each cell's servers on other hosts (the cluster experiment); default one here. */
export function registerExperimentCommand(
  program: Command,
  io: CommandIo = PROCESS_IO,
  placements?: readonly CellServerPlacement[],
): void {
  const command = program
    .command("experiment")
    .description(
      "reproduce the Toy Store study: every transport x lock x op x client count on a fresh server, measured next to the queueing prediction; writes results.json, results.csv, report.md, report.html and an SVG chart (--session: the labs' experiment, latency per request type against the buy probability; with --query-cache off,on on postgres, the caching study)",
    );
  addFlags(command, EXPERIMENT_OPTIONS, OUTPUT).action(async (given: Record<string, unknown>) => {
    const output = resolveOptions(OUTPUT, readFlags(OUTPUT, given));
    const out = resolve(output.out);
    const abort = abortOnSigint();
    const progress = output.noProgress ? undefined : createProgressBar(io.stderr);
    try {
      const results = await runExperiment(readFlags(EXPERIMENT_OPTIONS, given), {
        signal: abort.signal,
        onProgress: (p) => progress?.update(p),
        ...(placements === undefined ? {} : { servers: placements }),
      });
      progress?.stop();
      await (await loadReportWriters()).writeReport(results, out);
      if (results.sessionCells === undefined)
        io.stdout.write(summarizeExperiment(results.cells, out, abort.signal.aborted));
      else {
        io.stdout.write(summarizeSessionExperiment(results.sessionCells, out, abort.signal.aborted));
        const failed = sessionCheckFailure(results);
        if (failed !== undefined) throw new CliFailure(failed);
      }
    } catch (error) {
      progress?.stop();
      const partial = error instanceof ExperimentError ? error.partial : undefined;
      if (partial !== undefined && partial.cells.length + (partial.sessionCells?.length ?? 0) > 0) {
        await (await loadReportWriters()).writeReport(partial, out);
        io.stderr.write(`the cells before the failure are in ${out}\n`);
      }
      throw failure(error);
    } finally {
      abort.dispose();
    }
  });
}

/** "   failed: deadline_exceeded 10" when requests of the cell failed (its latencies then leave them out), else "". */
function failedRequests(cell: ExperimentCell): string {
  const failed = Object.entries(cell.errors).filter(([, count]) => count > 0);
  return failed.length === 0
    ? ""
    : `   failed: ${failed.map(([code, count]) => `${code} ${count}`).join(", ")}`;
}

/** One line per cell: measured against predicted; then where the report is. */
export function summarizeExperiment(cells: readonly ExperimentCell[], out: string, aborted: boolean): string {
  const labels = cells.map((cell) => describeCell(cell));
  const width = Math.max(0, ...labels.map((label) => label.length));
  const lines = cells.map(
    (cell, i) =>
      `${labels[i]!.padEnd(width)} mean ${formatMs(cell.measured.mean).padStart(8)} ms   predicted ${formatMs(cell.predicted.meanMs).padStart(8)} ms   diff ${formatSigned(cell.differenceMs).padStart(7)} ms   p99 ${formatMs(cell.measured.p99).padStart(8)} ms${failedRequests(cell)}`,
  );
  if (aborted) lines.push("interrupted: the report holds the cells measured so far");
  lines.push(`report written to ${out}`);
  return `${lines.join("\n")}\n`;
}

/** One line per session cell: query and buy means, and how its orders checked out; then where the report is. */
export function summarizeSessionExperiment(
  cells: readonly SessionCell[],
  out: string,
  aborted: boolean,
): string {
  const labels = cells.map((cell) => describeSessionCell(cell));
  const width = Math.max(0, ...labels.map((label) => label.length));
  const lines = cells.map((cell, i) => {
    const failed = failedOrders(cell.orders);
    const orders = `orders ${cell.orders.verified}/${cell.orders.recorded} verified${failed === 0 ? "" : `, ${failed} failed`}`;
    const errors = Object.values(cell.errors).reduce((sum, n) => sum + n, 0);
    return `${labels[i]!.padEnd(width)} query ${formatMs(cell.query.latency.mean).padStart(8)} ms   buy ${(cell.buy.latency.count === 0 ? "-" : formatMs(cell.buy.latency.mean)).padStart(8)} ms (${cell.buy.latency.count} buys)   ${orders}${cachingSummary(cell)}${errors === 0 ? "" : `   failed requests: ${errors}`}`;
  });
  if (aborted) lines.push("interrupted: the report holds the cells measured so far");
  lines.push(`report written to ${out}`);
  return `${lines.join("\n")}\n`;
}

/** "   hit ratio 0.950, staleness p99 1.20 ms" for a cell of the caching study; "" for any other. */
function cachingSummary(cell: SessionCell): string {
  if (cell.serverStats === undefined) return "";
  const { hitRatio, delayMs } = cachingFigures(cell.serverStats);
  return `   hit ratio ${hitRatio === null ? "-" : hitRatio.toFixed(3)}, staleness p99 ${delayMs === null ? "-" : `${delayMs.p99.toFixed(2)} ms`}`;
}

/** The failure of a session experiment whose orders did not all check out: the first such cell's; undefined when all did. */
function sessionCheckFailure(results: ExperimentResults): string | undefined {
  const failing = (results.sessionCells ?? []).filter((cell) => failedOrders(cell.orders) > 0);
  const first = failing[0];
  if (first === undefined) return undefined;
  const others = failing.length === 1 ? "" : ` (and in ${failing.length - 1} more cells)`;
  return `session check failed in ${describeSessionCell(first)}${others}: ${orderCheckFailure(first.orders)}`;
}
