// Writes an experiment's report folder: results.json (the data), and from it
// alone results.csv, report.md, report.html and the SVG chart (a session
// experiment's own chart, latency against the buy probability, for one).

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ExperimentResults } from "../results.js";
import { renderLatencyChart } from "./chart.js";
import { renderCsv } from "./csv.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { renderSessionChart } from "./session-chart.js";

/** The files of a report folder. */
export const REPORT_FILES = {
  json: "results.json",
  csv: "results.csv",
  markdown: "report.md",
  html: "report.html",
  chart: "latency-vs-clients.svg",
} as const;

/** A session experiment's chart, in place of REPORT_FILES.chart. */
export const SESSION_CHART_FILE = "latency-vs-buy-probability.svg";

/** The files of a report folder for these results: a session experiment's chart has a name of its own. */
export function reportFiles(results: ExperimentResults): Record<keyof typeof REPORT_FILES, string> {
  return results.sessionCells === undefined ? REPORT_FILES : { ...REPORT_FILES, chart: SESSION_CHART_FILE };
}

/**
 * Creates `dir` if needed and writes every report file into it, overwriting
 * earlier ones. Returns the paths written, by kind.
 */
export async function writeReport(
  results: ExperimentResults,
  dir: string,
): Promise<Record<keyof typeof REPORT_FILES, string>> {
  await mkdir(dir, { recursive: true });
  const files = reportFiles(results);
  const paths = Object.fromEntries(
    Object.entries(files).map(([kind, file]) => [kind, join(dir, file)]),
  ) as Record<keyof typeof REPORT_FILES, string>;
  const chart =
    results.sessionCells === undefined ? renderLatencyChart(results) : renderSessionChart(results);
  await writeFile(paths.json, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(paths.csv, renderCsv(results));
  await writeFile(paths.markdown, renderMarkdown(results, { charts: [files.chart] }));
  await writeFile(paths.chart, chart);
  await writeFile(paths.html, renderHtml(results, chart));
  return paths;
}

/**
 * Reads a results.json back, checking that it is an experiment's, so reports
 * can be re-rendered from data alone (`toystore report <dir>`).
 */
export async function readResults(path: string): Promise<ExperimentResults> {
  const data = JSON.parse(await readFile(path, "utf8")) as Partial<ExperimentResults>;
  if (data.kind !== "toystore-experiment" || data.version !== 1 || !Array.isArray(data.cells)) {
    throw new Error(`${path} is not a toystore experiment's results.json (version 1)`);
  }
  const results = data as ExperimentResults;
  // Results written before the toy choice and the store existed ran the uniform choice in memory;
  // before sessions, none was a session experiment; before the caching study, one server per cell, no cache.
  return {
    ...results,
    options: {
      ...results.options,
      toyChoices: results.options.toyChoices ?? ["uniform"],
      stores: results.options.stores ?? ["memory"],
      session: results.options.session ?? false,
      buyProbabilities: results.options.buyProbabilities ?? [],
      serversPerCell: results.options.serversPerCell ?? 1,
      queryCache: results.options.queryCache ?? null,
      queryCacheSize: results.options.queryCacheSize ?? null,
    },
    cells: results.cells.map((cell) => ({
      ...cell,
      toyChoice: cell.toyChoice ?? "uniform",
      store: cell.store ?? "memory",
    })),
  };
}
