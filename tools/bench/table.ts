// The one table format every suite prints: a header naming the suite, its
// servers and the run's length; one table of rows (medians, server CPU per
// request, which generator and its CPU); one table of ratios against their
// goals. Markdown, so a table can go into BENCHMARKS.md as it is. It reads
// the report alone (report.ts), as --json prints it.

import type { SuiteReport } from "./report.js";
import type { RowSummary } from "./summary.js";

/** A generator using this share of each of its processes was probably the limit. */
const GENERATOR_BOUND_SHARE = 0.9;

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const figure = (value: number | undefined) => (value === undefined ? "" : number.format(value));
const fixed = (value: number | undefined, digits: number) =>
  value === undefined ? "" : value.toFixed(digits);

/** "0.97 of 1 (bound)": the generator's CPU in cores, of how many processes, and whether it was the limit. */
export function describeGeneratorCpu(row: Pick<RowSummary, "generatorCpu" | "generatorProcesses">): string {
  if (row.generatorCpu === undefined) return "";
  const processes = row.generatorProcesses ?? 1;
  const bound = row.generatorCpu >= GENERATOR_BOUND_SHARE * processes ? " (bound)" : "";
  return `${row.generatorCpu.toFixed(2)} of ${processes}${bound}`;
}

/** One suite's header, rows and ratios. */
export function renderSuite(report: SuiteReport): string {
  const { suite, options } = report;
  const lines = [`## ${suite.name}: ${suite.description}`, ""];
  lines.push(
    `${options.rounds} round(s) of ${options.durationS} s (after ${options.warmupS} s of warm-up each), rows alternated, the first rotating; medians.`,
    "",
  );
  if (report.callgrind)
    lines.push(
      "Under callgrind: req/s, latency, CPU and the ratios' verdicts are valgrind's, some fifty times slower; read instructions/req.",
      "",
    );
  for (const [id, server] of Object.entries(report.servers)) lines.push(`- ${id}: ${server}`);
  lines.push("");
  // --callgrind's column, only when a row has it: the format stays one, its optional column aside.
  const counted = report.summary.rows.some((row) => row.instructionsPerRequest !== undefined);
  const rows = report.summary.rows.map((row) => {
    if (row.unavailable !== undefined) return [row.shape, row.row, row.generator, "not measured"];
    return [
      row.shape,
      row.row,
      row.generator,
      figure(row.requestsPerSecond),
      figure(row.p50Us),
      figure(row.p99Us),
      figure(row.meanUs),
      row.serverCpuUsPerRequest === undefined
        ? ""
        : `${fixed(row.serverCpuUsPerRequest, 1)}${row.cpuScope === "database" ? " (PostgreSQL)" : ""}`,
      describeGeneratorCpu(row),
      `${row.runs}${row.failedRuns > 0 ? ` (+${row.failedRuns} failed)` : ""}`,
      number.format(row.errors),
      ...(counted ? [figure(row.instructionsPerRequest)] : []),
    ];
  });
  lines.push(
    ...markdownTable(
      [
        "shape",
        "row",
        "generator",
        "req/s",
        "p50 µs",
        "p99 µs",
        "mean µs",
        "server CPU µs/req",
        "generator CPU",
        "runs",
        "errors",
        ...(counted ? ["instructions/req"] : []),
      ],
      rows,
      3,
    ),
    "",
  );
  const missing = new Map(
    report.summary.rows.flatMap((row) => (row.unavailable === undefined ? [] : [[row.row, row.unavailable]])),
  );
  if (missing.size > 0)
    lines.push("Not measured:", ...[...missing].map(([row, why]) => `- ${row}: ${why}`), "");
  const ratios = report.summary.ratios.map((ratio) => [
    ratio.name,
    ratio.goal === undefined ? "(information)" : `>= ${ratio.goal.toFixed(2)}x`,
    ratio.value === undefined ? "-" : `${ratio.value.toFixed(2)}x`,
    ratio.value === undefined ? "not measured" : ratio.met === undefined ? "" : ratio.met ? "yes" : "**no**",
    ratio.byCpu === undefined ? "" : `${ratio.byCpu.toFixed(2)}x`,
    ...(counted ? [ratio.byInstructions === undefined ? "" : `${ratio.byInstructions.toFixed(2)}x`] : []),
  ]);
  if (ratios.length > 0)
    lines.push(
      ...markdownTable(
        [
          "ratio (req/s)",
          "goal",
          "value",
          "met",
          "by server CPU per request",
          ...(counted ? ["by instructions per request"] : []),
        ],
        ratios,
        1,
      ),
    );
  return lines.join("\n");
}

/** A Markdown table, columns from `firstNumeric` on right-aligned, padded so it also reads as plain text. */
export function markdownTable(
  header: readonly string[],
  rows: readonly string[][],
  firstNumeric: number,
): string[] {
  const widths = header.map((title, i) =>
    Math.max(title.length, 3, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (i >= firstNumeric ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((width, i) => (i >= firstNumeric ? ` ${"-".repeat(width - 1)}: ` : ` ${"-".repeat(width)} `)).join("|")}|`;
  return [line(header), rule, ...rows.map((row) => line(header.map((_, i) => row[i] ?? "")))];
}
