// A suite's summary, from its runs alone: the medians of every row, and each
// ratio of medians against its goal. The table (table.ts) and --json both
// read this, so they always agree.

import { median } from "../../src/study/measure/stats.js";
import type { RunRecord } from "./rounds.js";
import type { CpuScope } from "./servers.js";
import { type RatioSpec, ratioName, type Suite } from "./suite.js";

/** One row of one shape, over its runs: medians of what the runs measured. */
export interface RowSummary {
  readonly shape: string;
  readonly row: string;
  readonly server: string;
  readonly generator: string;
  /** Runs that produced figures. */
  readonly runs: number;
  /** Runs that failed. */
  readonly failedRuns: number;
  /** Errors the generators counted, over every run. */
  readonly errors: number;
  readonly requestsPerSecond?: number;
  readonly p50Us?: number;
  readonly p99Us?: number;
  readonly meanUs?: number;
  readonly serverCpuUsPerRequest?: number;
  /** --callgrind: instructions the server executed per reply. */
  readonly instructionsPerRequest?: number;
  /** Whose CPU the figure above counts. */
  readonly cpuScope?: CpuScope;
  /** The generator's CPU, cores. */
  readonly generatorCpu?: number;
  readonly generatorProcesses?: number;
  /** Why it was not measured: its server or generator is missing here. */
  readonly unavailable?: string;
}

/** A ratio of two rows' median req/s, against its goal. */
export interface RatioResult extends RatioSpec {
  readonly name: string;
  /** of / over, req/s medians; absent when either row has no figures. */
  readonly value?: number;
  /** value >= goal; absent when not measured or when the ratio has no goal. */
  readonly met?: boolean;
  /**
   * The same comparison by server CPU per request (over's µs / of's µs, so
   * above 1 means ours costs less), when both rows count the same kind of CPU.
   */
  readonly byCpu?: number;
  /** --callgrind: the same by instructions per request (over / of). */
  readonly byInstructions?: number;
}

export interface SuiteSummary {
  readonly rows: readonly RowSummary[];
  readonly ratios: readonly RatioResult[];
}

/** What the summary needs to know of the servers: whose CPU each counts, and why any is missing. */
export interface RowContext {
  /** Why a row could not run here; undefined when it could. */
  unavailable(row: Suite["shapes"][number]["rows"][number]): string | undefined;
  cpuScope(server: string): CpuScope | undefined;
}

/** Medians per row and the ratios, from the runs alone. */
export function summarizeSuite(suite: Suite, runs: readonly RunRecord[], context: RowContext): SuiteSummary {
  const rows = suite.shapes.flatMap((shape) =>
    shape.rows.map((row): RowSummary => {
      const mine = runs.filter((run) => run.shape === shape.id && run.row === row.id);
      const figures = mine.flatMap((run) => (run.figures === undefined ? [] : [run.figures]));
      const pick = (values: (number | undefined)[]) =>
        median(values.filter((value): value is number => value !== undefined && Number.isFinite(value)));
      const unavailable = context.unavailable(row);
      const cpuScope = context.cpuScope(row.server);
      return withoutUndefined({
        shape: shape.id,
        row: row.id,
        server: row.server,
        generator: row.generator,
        runs: figures.length,
        failedRuns: mine.length - figures.length,
        errors: figures.reduce((sum, f) => sum + f.errors, 0),
        requestsPerSecond: pick(figures.map((f) => f.requestsPerSecond)),
        p50Us: pick(figures.map((f) => f.p50Us)),
        p99Us: pick(figures.map((f) => f.p99Us)),
        meanUs: pick(figures.map((f) => f.meanUs)),
        serverCpuUsPerRequest: pick(figures.map((f) => f.serverCpuUsPerRequest)),
        instructionsPerRequest: pick(figures.map((f) => f.instructionsPerRequest)),
        cpuScope,
        generatorCpu: pick(figures.map((f) => f.generatorCpu)),
        generatorProcesses: pick(figures.map((f) => f.generatorProcesses)),
        unavailable,
      });
    }),
  );
  const find = (shape: string, row: string) => rows.find((each) => each.shape === shape && each.row === row);
  const ratios = suite.ratios.map((ratio): RatioResult => {
    const of = find(ratio.shape, ratio.of);
    const over = find(ratio.shape, ratio.over);
    const value =
      of?.requestsPerSecond !== undefined && over?.requestsPerSecond
        ? of.requestsPerSecond / over.requestsPerSecond
        : undefined;
    const sameCpu = of?.cpuScope !== undefined && of.cpuScope === over?.cpuScope;
    const byCpu =
      sameCpu && of.serverCpuUsPerRequest && over?.serverCpuUsPerRequest !== undefined
        ? over.serverCpuUsPerRequest / of.serverCpuUsPerRequest
        : undefined;
    const byInstructions =
      of?.instructionsPerRequest && over?.instructionsPerRequest !== undefined
        ? over.instructionsPerRequest / of.instructionsPerRequest
        : undefined;
    return withoutUndefined({
      ...ratio,
      name: ratioName(ratio),
      value: round2(value),
      met: value === undefined || ratio.goal === undefined ? undefined : round2(value)! >= ratio.goal,
      byCpu: round2(byCpu),
      byInstructions: round2(byInstructions),
    });
  });
  return { rows, ratios };
}

/** Two decimals, as the tables print them, so the verdict agrees with the figure shown. */
function round2(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 100) / 100;
}

/** The object without its undefined fields: the JSON then lists only what was measured. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
