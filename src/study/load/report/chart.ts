// The experiment's chart as a standalone SVG: mean latency against the number
// of clients, one panel per op, one solid line per transport and lock, the
// queueing predictions dashed. Drawn with Observable Plot on a linkedom
// document (no browser), then framed with a title and a legend.

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { LOCK_KINDS, type LockKind } from "../../../concurrency/section-lock.js";
import { type ExperimentResults, lockLabel } from "../results.js";
import { escapeHtml } from "./html.js";

export interface ChartOptions {
  /** Width of the whole image in pixels (default 860). */
  readonly width?: number;
  /** Height of the plot area in pixels, title and legend excluded (default 420). */
  readonly plotHeight?: number;
}

/** The transport/lock combinations keep their colours from chart to chart (Tableau 10). */
export const SERIES_COLOURS: Readonly<Record<string, string>> = {
  "socket, mutex": "#e15759",
  "socket, rwlock": "#4e79a7",
  "grpc, mutex": "#f28e2b",
  "grpc, rwlock": "#59a14f",
  "http, mutex": "#9c755f",
  "http, rwlock": "#76b7b2",
};
/** How the legend names each transport. */
export const TRANSPORT_LABELS: Readonly<Record<string, string>> = {
  socket: "socket",
  grpc: "gRPC",
  http: "HTTP",
};
/** One symbol per lock policy, so the chart reads in greyscale too; mutex points hollow (see below). */
export const LOCK_SYMBOLS: Readonly<Record<LockKind, "circle" | "square" | "triangle" | "diamond">> = {
  mutex: "circle",
  rwlock: "square",
  "per-toy": "triangle",
  atomic: "diamond",
};
const PREDICTION_COLOUR = "#6b6b6b";
export const OP_TITLES: Readonly<Record<string, string>> = { query: "Query", buy: "Buy" };

export const TITLE_HEIGHT = 66;
export const LEGEND_ROW_HEIGHT = 22;

/** The little of a DOM element this file uses (the project compiles without the DOM lib). */
export interface ElementLike {
  setAttribute(name: string, value: string): void;
  readonly outerHTML: string;
}

interface MeasuredPoint {
  readonly op: string;
  readonly transport: string;
  readonly series: string;
  readonly lock: string;
  readonly clients: number;
  readonly ms: number;
}

interface PredictedPoint {
  readonly op: string;
  readonly parallelism: number;
  readonly clients: number;
  readonly ms: number;
}

/**
 * Renders the chart as an SVG document (a string starting with "<svg"),
 * from the results alone. Axes carry their units; the legend names every
 * series and says what the dashed lines are.
 */
export function renderLatencyChart(results: ExperimentResults, options: ChartOptions = {}): string {
  const width = options.width ?? 860;
  const plotHeight = options.plotHeight ?? 420;
  const { measured, predicted } = chartData(results);
  const series = [...new Set(measured.map((point) => point.series))];
  const transports = [...new Set(measured.map((point) => point.transport))];
  const ops = results.options.ops.filter((op) => measured.some((point) => point.op === op));
  const clients = [...new Set(results.cells.map((cell) => cell.clients))].sort((a, b) => a - b);

  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const plot = Plot.plot({
    document: document as unknown as NonNullable<Plot.PlotOptions["document"]>,
    width,
    height: plotHeight,
    marginLeft: 64,
    marginRight: 56,
    marginBottom: 44,
    fx: { domain: ops, tickFormat: (op: string) => OP_TITLES[op] ?? op, label: null, padding: 0.2 },
    x: {
      type: "linear",
      ticks: clients,
      tickFormat: "d",
      label: "concurrent clients (N)",
      labelAnchor: "center",
    },
    y: { label: "mean latency (ms)", grid: true, zero: true, nice: true, labelAnchor: "center" },
    color: { domain: series, range: series.map((name) => SERIES_COLOURS[name] ?? "#b07aa1") },
    symbol: { domain: Object.keys(LOCK_SYMBOLS), range: Object.values(LOCK_SYMBOLS) },
    marks: [
      Plot.frame({ stroke: "#dddddd" }),
      // One line and one set of points per transport, nudged a few pixels
      // apart: series that measure the same (e.g. both transports under the
      // mutex) would otherwise hide each other exactly.
      ...transports.flatMap((transport, k) => {
        const points = measured.filter((point) => point.transport === transport);
        const dx = (k - (transports.length - 1) / 2) * 4;
        return [
          Plot.lineY(points, {
            x: "clients",
            y: "ms",
            z: "series",
            fx: "op",
            stroke: "series",
            strokeWidth: 2,
            dx,
          }),
          ...lockDots(
            points,
            "clients",
            dx,
            (point) => `${point.series}, ${point.op}, N = ${point.clients}: ${point.ms.toFixed(1)} ms`,
          ),
        ];
      }),
      // Predictions last, on top: where a measured line matches its prediction,
      // the dashes show on it.
      Plot.lineY(predicted, {
        x: "clients",
        y: "ms",
        z: "parallelism",
        fx: "op",
        stroke: PREDICTION_COLOUR,
        strokeWidth: 1.5,
        strokeDasharray: "6,4",
      }),
      Plot.text(
        predicted,
        Plot.selectLast({
          x: "clients",
          y: "ms",
          z: "parallelism",
          fx: "op",
          text: (point: PredictedPoint) => `c = ${point.parallelism}`,
          textAnchor: "start",
          dx: 9,
          fill: PREDICTION_COLOUR,
          fontSize: 11,
        }),
      ),
    ],
  }) as unknown as ElementLike;
  plot.setAttribute("x", "0");
  plot.setAttribute("y", String(TITLE_HEIGHT));

  const legendRows = series.length + 1;
  const height = TITLE_HEIGHT + plotHeight + 12 + legendRows * LEGEND_ROW_HEIGHT + 8;
  const { workMs, requests } = results.options;
  const title = "Mean latency against the number of concurrent clients";
  const subtitle = [
    `Each of N clients sends ${requests} requests one after the other; each request does ${workMs} ms of simulated work, inside its lock where it has one.`,
    "Solid lines: measured mean. Dashed: the queueing prediction for a server running c requests at once.",
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
    legend(series, TITLE_HEIGHT + plotHeight + 12),
    "</svg>",
    "",
  ].join("\n");
}

/** The points to draw: one per measured cell, and one per distinct prediction curve (op, c). */
function chartData(results: ExperimentResults): { measured: MeasuredPoint[]; predicted: PredictedPoint[] } {
  const measured = results.cells.map((cell) => ({
    op: cell.op,
    transport: cell.transport,
    series: `${cell.transport}, ${lockLabel(cell)}`,
    lock: cell.lock,
    clients: cell.clients,
    ms: cell.measured.mean,
  }));
  // Cells that share op and c share their prediction: draw it once, so equal
  // dashed lines do not hide each other.
  const predictions = new Map<string, PredictedPoint>();
  for (const cell of results.cells) {
    const key = `${cell.op}/${cell.predicted.parallelism}/${cell.clients}`;
    predictions.set(key, {
      op: cell.op,
      parallelism: cell.predicted.parallelism,
      clients: cell.clients,
      ms: cell.predicted.meanMs,
    });
  }
  const predicted = [...predictions.values()].sort((a, b) => a.clients - b.clients);
  return { measured, predicted };
}

/** The legend's point for a series, drawn as the chart draws it (mutex hollow, the others filled). */
export function legendMarker(symbol: (typeof LOCK_SYMBOLS)[LockKind], colour: string, y: number): string {
  const points = (coords: readonly [number, number][]) =>
    `<polygon points="${coords.map(([x, dy]) => `${x},${y + dy}`).join(" ")}" fill="${colour}"/>`;
  switch (symbol) {
    case "circle":
      return `<circle cx="21" cy="${y}" r="4.5" fill="white" stroke="${colour}" stroke-width="2"/>`;
    case "square":
      return `<rect x="17" y="${y - 4}" width="8" height="8" fill="${colour}"/>`;
    case "triangle":
      return points([
        [21, -5],
        [26, 4],
        [16, 4],
      ]);
    case "diamond":
      return points([
        [21, -5],
        [26, 0],
        [21, 5],
        [16, 0],
      ]);
  }
}

function legend(series: readonly string[], top: number): string {
  const rows = series.map((name, k) => {
    const colour = SERIES_COLOURS[name] ?? "#b07aa1";
    const lock = LOCK_KINDS.find((kind) => name.split(", ")[1]?.startsWith(kind)) ?? "rwlock";
    const y = k * LEGEND_ROW_HEIGHT;
    const marker = legendMarker(LOCK_SYMBOLS[lock], colour, y);
    const [transport = "", ...rest] = name.split(", ");
    const series = [TRANSPORT_LABELS[transport] ?? transport, ...rest].join(", ");
    const label = `${series.replace("rwlock", "read-write lock").replace("per-toy", "lock per toy").replace("atomic", "no lock, atomic step")}: measured mean`;
    return `<line x1="4" x2="38" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="2"/>${marker}<text x="48" y="${y + 4}" font-size="12" fill="#222">${escapeHtml(label)}</text>`;
  });
  const y = series.length * LEGEND_ROW_HEIGHT;
  rows.push(
    `<line x1="4" x2="38" y1="${y}" y2="${y}" stroke="${PREDICTION_COLOUR}" stroke-width="1.5" stroke-dasharray="6,4"/><text x="48" y="${y + 4}" font-size="12" fill="#222">predicted mean with c requests served at once (c = 1: what the lock serializes; otherwise the transport's pool)</text>`,
  );
  return `<g transform="translate(64, ${top + 8})">${rows.join("")}</g>`;
}

/**
 * A line's points as dots, one mark per lock: mutex points hollow and larger,
 * so a read-write-lock point on top stays visible. The x channel is `x`.
 */
export function lockDots<P extends { readonly lock: string }>(
  points: readonly P[],
  x: string,
  dx: number,
  title: (point: P) => string,
): Plot.Dot[] {
  return LOCK_KINDS.map((lock) =>
    Plot.dot(
      points.filter((point) => point.lock === lock),
      {
        x,
        y: "ms",
        fx: "op",
        stroke: "series",
        ...(lock === "mutex" ? { fill: "white", r: 5 } : { fill: "series", r: 4 }),
        symbol: "lock",
        strokeWidth: 2,
        dx,
        title,
      },
    ),
  );
}
