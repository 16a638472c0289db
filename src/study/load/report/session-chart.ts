// A session experiment's chart (`experiment --session`) as a standalone SVG:
// mean latency against the buy probability P, one panel per request type
// (query, buy), one line per transport and lock as the study's chart draws
// them (chart.ts: the same colours, symbols and legend). In the caching study
// the lines are cache off and cache on, and each has its p99 dashed beside
// its mean. Drawn with Observable Plot on a linkedom document, then framed
// with a title and legend.

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { LOCK_KINDS, type LockKind } from "../../../concurrency/section-lock.js";
import type { ExperimentResults } from "../results.js";
import { isCachingStudy } from "./caching-table.js";
import {
  type ChartOptions,
  type ElementLike,
  LEGEND_ROW_HEIGHT,
  LOCK_SYMBOLS,
  legendMarker,
  lockDots,
  OP_TITLES,
  SERIES_COLOURS,
  TITLE_HEIGHT,
  TRANSPORT_LABELS,
} from "./chart.js";
import { escapeHtml } from "./html.js";
import { probabilitiesOf, sessionSeries, severalClientCounts } from "./session-tables.js";

/** Colours for series the study's chart has none for (a store's, a client count's), in order (Tableau 10). */
const MORE_COLOURS = ["#b07aa1", "#edc948", "#ff9da7", "#bab0ac", "#86bcb6", "#d37295", "#8cd17d"];
/** The caching study's colours, in series order: cache off, cache on, then any further pair (Tableau 10). */
const CACHING_COLOURS = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#b07aa1",
  "#9c755f",
  "#edc948",
];

interface SessionPoint {
  readonly op: "query" | "buy";
  readonly transport: string;
  readonly series: string;
  readonly lock: LockKind;
  readonly probability: number;
  /** The mean, or (the caching study) the p99 drawn dashed beside it. */
  readonly stat: "mean" | "p99";
  readonly ms: number;
}

/**
 * Renders the chart as an SVG document (a string starting with "<svg"), from
 * the results' session cells alone. A request type with no measured request
 * in a cell (no buys at P = 0) has no point there.
 */
export function renderSessionChart(results: ExperimentResults, options: ChartOptions = {}): string {
  const width = options.width ?? 860;
  const plotHeight = options.plotHeight ?? 420;
  const cells = results.sessionCells ?? [];
  const several = severalClientCounts(cells);
  const caching = isCachingStudy(results);
  const stats = caching ? (["mean", "p99"] as const) : (["mean"] as const);
  const points: SessionPoint[] = cells.flatMap((cell) =>
    (["query", "buy"] as const)
      .filter((op) => cell[op].latency.count > 0)
      .flatMap((op) =>
        stats.map((stat) => ({
          op,
          transport: cell.transport,
          series: sessionSeries(cell, several),
          lock: cell.lock,
          probability: cell.buyProbability,
          stat,
          ms: cell[op].latency[stat],
        })),
      ),
  );
  const series = [...new Set(cells.map((cell) => sessionSeries(cell, several)))];
  const colours = caching
    ? new Map(series.map((name, k) => [name, CACHING_COLOURS[k % CACHING_COLOURS.length]!]))
    : seriesColours(series);
  const transports = [...new Set(points.map((point) => point.transport))];

  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const plot = Plot.plot({
    document: document as unknown as NonNullable<Plot.PlotOptions["document"]>,
    width,
    height: plotHeight,
    marginLeft: 64,
    marginRight: 40,
    marginBottom: 44,
    fx: {
      domain: ["query", "buy"],
      tickFormat: (op: string) => OP_TITLES[op] ?? op,
      label: null,
      padding: 0.15,
    },
    x: {
      type: "linear",
      ticks: probabilitiesOf(cells),
      label: "buy probability (P)",
      labelAnchor: "center",
    },
    y: {
      label: caching ? "latency (ms): mean, p99 dashed" : "mean latency (ms)",
      grid: true,
      zero: true,
      nice: true,
      labelAnchor: "center",
    },
    color: { domain: series, range: series.map((name) => colours.get(name)!) },
    symbol: { domain: Object.keys(LOCK_SYMBOLS), range: Object.values(LOCK_SYMBOLS) },
    marks: [
      Plot.frame({ stroke: "#dddddd" }),
      // Nudged a few pixels apart per transport, as in the study's chart, so equal lines stay visible.
      ...transports.flatMap((transport, k) => {
        const mine = points.filter((point) => point.transport === transport && point.stat === "mean");
        const tails = points.filter((point) => point.transport === transport && point.stat === "p99");
        const dx = (k - (transports.length - 1) / 2) * 4;
        return [
          Plot.lineY(mine, {
            x: "probability",
            y: "ms",
            z: "series",
            fx: "op",
            stroke: "series",
            strokeWidth: 2,
            dx,
          }),
          ...(tails.length === 0
            ? []
            : [
                Plot.lineY(tails, {
                  x: "probability",
                  y: "ms",
                  z: "series",
                  fx: "op",
                  stroke: "series",
                  strokeWidth: 1.5,
                  strokeDasharray: "5,4",
                  dx,
                  title: (point: SessionPoint) =>
                    `${point.series}, ${point.op}, P = ${point.probability}: p99 ${point.ms.toFixed(1)} ms`,
                }),
              ]),
          ...lockDots(
            mine,
            "probability",
            dx,
            (point) => `${point.series}, ${point.op}, P = ${point.probability}: ${point.ms.toFixed(1)} ms`,
          ),
        ];
      }),
    ],
  }) as unknown as ElementLike;
  plot.setAttribute("x", "0");
  plot.setAttribute("y", String(TITLE_HEIGHT));

  const legendRows = series.length + (caching ? 1 : 0);
  const height = TITLE_HEIGHT + plotHeight + 12 + legendRows * LEGEND_ROW_HEIGHT + 8;
  const { workMs, requests } = results.options;
  const clients = [...new Set(cells.map((cell) => cell.clients))].join(", ");
  const servers = Math.max(...cells.map((cell) => cell.servers ?? 1));
  const title = caching
    ? "Latency of queries and buys against the buy probability, query cache off and on"
    : "Mean latency of queries and buys against the buy probability";
  const subtitle = [
    `Each of N = ${clients} clients runs ${requests} steps: a query of a random toy, then with probability P a buy of 1 to 5 if it is in stock.`,
    caching
      ? `${servers} server${servers === 1 ? "" : "s"} on one PostgreSQL database, ${workMs} ms of work per request. Solid: mean; dashed: p99. Hit ratio and staleness: the report's table.`
      : `Each request does ${workMs} ms of simulated work, inside its lock where it has one. Lines: measured mean, one per transport and lock.`,
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="16" y="22" font-size="15" font-weight="bold" fill="#222">${escapeHtml(title)}</text>`,
    ...subtitle.map(
      (line, k) => `<text x="16" y="${40 + k * 15}" font-size="11" fill="#444">${escapeHtml(line)}</text>`,
    ),
    plot.outerHTML,
    legend(series, colours, TITLE_HEIGHT + plotHeight + 12, caching),
    "</svg>",
    "",
  ].join("\n");
}

/** The study's colour for a plain transport/lock series; the others get the next unused one. */
function seriesColours(series: readonly string[]): Map<string, string> {
  let next = 0;
  return new Map(
    series.map((name) => [name, SERIES_COLOURS[name] ?? MORE_COLOURS[next++ % MORE_COLOURS.length]!]),
  );
}

function legend(
  series: readonly string[],
  colours: ReadonlyMap<string, string>,
  top: number,
  withP99: boolean,
): string {
  const rows = series.map((name, k) => {
    const colour = colours.get(name)!;
    const [transport = "", lockPart = "", ...rest] = name.split(", ");
    const lock = LOCK_KINDS.find((kind) => lockPart.startsWith(kind)) ?? "rwlock";
    const y = k * LEGEND_ROW_HEIGHT;
    const words = [TRANSPORT_LABELS[transport] ?? transport, lockPart, ...rest]
      .join(", ")
      .replace("rwlock", "read-write lock")
      .replace("per-toy", "lock per toy")
      .replace("atomic", "no lock, atomic step");
    return `<line x1="4" x2="38" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="2"/>${legendMarker(LOCK_SYMBOLS[lock], colour, y)}<text x="48" y="${y + 4}" font-size="12" fill="#222">${escapeHtml(`${words}: measured mean`)}</text>`;
  });
  if (withP99) {
    const y = series.length * LEGEND_ROW_HEIGHT;
    rows.push(
      `<line x1="4" x2="38" y1="${y}" y2="${y}" stroke="#666" stroke-width="1.5" stroke-dasharray="5,4"/><text x="48" y="${y + 4}" font-size="12" fill="#222">dashed, in each series' colour: its p99</text>`,
    );
  }
  return `<g transform="translate(64, ${top + 8})">${rows.join("")}</g>`;
}
