// The comparison's data model, its summary (medians, ratios, targets) and its
// table. Summaries are computed from the runs alone and the table reads only
// the summaries, so `--json` and the printed table always agree.

import type { BenchTransport } from "../src/study/throughput/options.js";
import type { LoadFigures } from "./neutral-load.js";

/** The id of our own server in every scenario. */
export const OURS = "ours";
/** The id of the Python grpcio reference server (tools/baselines/python-grpc-reference.py). */
export const PYTHON = "python-grpc-reference";

/** One server under one request kind: the unit that takes turns within a scenario. */
export interface Entry {
  readonly server: string;
  readonly op: "query" | "buy";
}

/** One load shape, run against each of its entries in turn, round after round. */
export interface Scenario {
  readonly id: string;
  readonly transport: BenchTransport;
  /** Socket: connections. gRPC: calls in flight. */
  readonly loops: number;
  /** Socket: pipeline depth. gRPC: HTTP/2 connections. */
  readonly depth: number;
  readonly entries: readonly Entry[];
}

export interface CompareRun extends Entry {
  readonly scenario: string;
  readonly round: number;
  readonly generator: string;
  readonly figures?: LoadFigures;
  readonly error?: string;
}

export interface EntrySummary extends Entry {
  readonly scenario: string;
  /** Runs that produced figures. */
  readonly runs: number;
  readonly medianRps: number;
  readonly medianP50Us: number;
  readonly medianP99Us: number;
  readonly errors: number;
  /** Ours (same op) / this entry, from the medians; absent for ours itself or without data. */
  readonly oursRatio?: number;
}

export interface TargetCheck {
  readonly target: string;
  readonly goal: number;
  readonly ratio?: number;
  readonly met?: boolean;
}

export function describeScenario(scenario: Scenario): string {
  return scenario.transport === "socket"
    ? `socket, ${scenario.loops} connections x pipeline ${scenario.depth}`
    : `gRPC, ${scenario.loops} calls in flight over ${scenario.depth} connection(s)`;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Medians per scenario and entry, and ours' ratio to each other server under the same op. */
export function summarize(scenarios: readonly Scenario[], runs: readonly CompareRun[]): EntrySummary[] {
  const summaries: EntrySummary[] = [];
  for (const scenario of scenarios) {
    const rows = scenario.entries.map((entry) => {
      const figures = runs
        .filter((run) => run.scenario === scenario.id && run.server === entry.server && run.op === entry.op)
        .flatMap((run) => (run.figures ? [run.figures] : []));
      return {
        scenario: scenario.id,
        ...entry,
        runs: figures.length,
        medianRps: Math.round(median(figures.map((f) => f.requestsPerSecond))),
        medianP50Us: Math.round(median(figures.map((f) => f.p50Us))),
        medianP99Us: Math.round(median(figures.map((f) => f.p99Us))),
        errors: figures.reduce((sum, f) => sum + f.errors, 0),
      };
    });
    for (const row of rows) {
      const ours = rows.find((other) => other.server === OURS && other.op === row.op);
      const comparable = row.server !== OURS && ours && ours.runs > 0 && row.runs > 0 && row.medianRps > 0;
      summaries.push(comparable ? { ...row, oursRatio: round2(ours.medianRps / row.medianRps) } : row);
    }
  }
  return summaries;
}

/** The targets, each as a ratio of medians measured side by side in this run. */
export function checkTargets(summaries: readonly EntrySummary[]): TargetCheck[] {
  const find = (scenario: string, server: string, op: Entry["op"]) =>
    summaries.find(
      (row) => row.scenario === scenario && row.server === server && row.op === op && row.runs > 0,
    );
  const versus = (target: string, scenario: string, server: string, goal: number): TargetCheck =>
    check(target, goal, find(scenario, server, "query")?.oursRatio);
  const buyOverQuery = (target: string, scenario: string): TargetCheck => {
    const buy = find(scenario, OURS, "buy");
    const query = find(scenario, OURS, "query");
    return check(target, 0.8, buy && query?.medianRps ? round2(buy.medianRps / query.medianRps) : undefined);
  };
  return [
    versus("socket Query C=50 P=1: ours / line baseline", "socket-c50-p1", "line-baseline", 0.9),
    versus("socket Query C=10 P=16: ours / line baseline", "socket-c10-p16", "line-baseline", 0.9),
    buyOverQuery("socket Buy / Query, ours, C=50 P=1", "socket-c50-p1"),
    buyOverQuery("socket Buy / Query, ours, C=10 P=16", "socket-c10-p16"),
    versus("gRPC Query c=50: ours / grpc-js empty handler", "grpc-c50", "grpc-baseline", 0.9),
    versus("gRPC Query c=50: ours / Python grpcio reference", "grpc-c50", PYTHON, 3),
  ];
}

function check(target: string, goal: number, ratio: number | undefined): TargetCheck {
  return ratio === undefined ? { target, goal } : { target, goal, ratio, met: ratio >= goal };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The printed tables: one block per scenario, then the targets. */
export function renderComparison(
  scenarios: readonly Scenario[],
  summaries: readonly EntrySummary[],
  targets: readonly TargetCheck[],
): string {
  const number = new Intl.NumberFormat("en-US");
  const lines: string[] = [];
  const header = ["server", "op", "req/s (median)", "runs", "p50 us", "p99 us", "errors", "ours / this"];
  for (const scenario of scenarios) {
    const rows = summaries
      .filter((row) => row.scenario === scenario.id)
      .map((row) => [
        row.server,
        row.op,
        row.runs ? number.format(row.medianRps) : "-",
        String(row.runs),
        row.runs ? number.format(row.medianP50Us) : "-",
        row.runs ? number.format(row.medianP99Us) : "-",
        number.format(row.errors),
        row.oursRatio === undefined ? "" : `${row.oursRatio.toFixed(2)}x`,
      ]);
    lines.push("", describeScenario(scenario), ...renderTable(header, rows));
  }
  lines.push("", "targets (ratios of medians from this run)");
  for (const target of targets) {
    const verdict = target.met === undefined ? "not measured" : target.met ? "met" : "MISSED";
    const ratio = target.ratio === undefined ? "-" : `${target.ratio.toFixed(2)}x`;
    lines.push(`  ${target.target}: ${ratio} (goal >= ${target.goal}x) ${verdict}`);
  }
  return lines.join("\n");
}

function renderTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: string[]): string =>
    `  ${cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")}`;
  return [format(header), ...rows.map(format)];
}
