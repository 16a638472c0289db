// report.html: one self-contained page with the chart inline and the same
// tables as report.md (a session experiment's own, for one), written from
// ExperimentResults alone.

import type { ExperimentResults } from "../results.js";
import { isCachingStudy } from "./caching-table.js";
import { buildSessionTables } from "./session-tables.js";
import { buildTables, type Table } from "./tables.js";

/** The page; `chartSvg` is the chart document (see chart.ts), embedded inline. */
export function renderHtml(results: ExperimentResults, chartSvg: string): string {
  const env = results.environment;
  const session = results.sessionCells;
  const cells =
    session === undefined
      ? `${results.cells.length} cells, ${results.options.workMs} ms of work, ${results.options.requests} requests per client`
      : `${session.length} session cells${isCachingStudy(results) ? " of the caching study (query cache off and on)" : ""}, ${results.options.workMs} ms of work, ${results.options.requests} session steps per client`;
  const about = `${cells}. ${env.cpuModel} (${env.cpuCores} cores), Node.js ${env.node}, ${results.startedAt}${env.gitCommit === null ? "" : `, commit ${env.gitCommit.slice(0, 12)}`}.`;
  return [
    "<!doctype html>",
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>toystore experiment</title>',
    "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#222}" +
      "table{border-collapse:collapse;margin:0.5rem 0 1.5rem}th,td{border:1px solid #ddd;padding:0.25rem 0.6rem}" +
      "th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}svg{max-width:100%;height:auto}</style>",
    "</head>",
    "<body>",
    "<h1>toystore experiment</h1>",
    `<p>${escapeHtml(about)}</p>`,
    chartSvg,
    ...(session === undefined ? buildTables(results) : buildSessionTables(results)).map(renderTable),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function renderTable(table: Table): string {
  const head = table.header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join("");
  const rows = table.rows
    .map(
      (row) =>
        `<tr>${row.map((cell, i) => `<td${table.numeric[i] ? ' class="n"' : ""}>${escapeHtml(cell)}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<h2>${escapeHtml(table.title)}</h2>\n<p>${escapeHtml(table.caption)}</p>\n<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/** Escapes text for HTML and SVG (element content and quoted attributes). */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
