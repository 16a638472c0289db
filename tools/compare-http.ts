// bench:http: our HTTP transport against a bare node:http server answering
// the same bytes (tools/baselines/http-baseline.ts), side by side.
//
// Starts both once on free ports (ours compiled from dist/, work 0, a stock no
// run exhausts), then for each load shape and op runs autocannon against one
// and then the other, round after round, rotating who goes first, so slow
// drift on a noisy machine hits both alike. Prints medians of req/s, p50 and
// p99 and the ratios ours / baseline; `--json` prints the runs too.
//
// Cores: nothing is pinned. Each server is one Node process; the load comes
// from autocannon in this process (one thread), so on a 2-core machine the
// server and the generator have about a core each. autocannon's latency
// histogram has a resolution of 1 ms.
//
//   npm run build && node --import tsx tools/compare-http.ts [--rounds 3] [--duration 3] [--json]

import { availableParallelism } from "node:os";
import { join } from "node:path";
import autocannon, { type Result } from "autocannon";
import { Command } from "commander";
import { parseArgv } from "../src/cli/flags.js";
import { wholeNumber } from "../src/options/rules.js";
import { decimal, integer, list, type Schema, text, toggle } from "../src/options/schema.js";
import { PACKAGE_ROOT, tsxExecArgv } from "../src/study/measure/entry-point.js";
import { collectEnvironment } from "../src/study/measure/environment.js";
import { type ServerProcess, startServerProcess, stopOnInterrupt } from "../src/study/measure/server.js";
import { startToystore, unlimitedCatalog } from "../src/study/measure/toystore-launch.js";
import { isMainModule } from "./baselines/baseline-args.js";

export interface CompareHttpFlags {
  readonly rounds: number;
  readonly duration: number;
  readonly warmup: number;
  readonly connections: readonly number[];
  readonly oursEntry: string;
  readonly json: boolean;
}

const OPTIONS: Schema<CompareHttpFlags> = {
  rounds: integer("--rounds", "rounds (each server runs once per round and load)", 3, 1, 1000),
  duration: decimal("--duration", "measured seconds per run", 3, { min: 0, above: true }),
  warmup: decimal("--warmup", "warm-up seconds per run (autocannon's own warm-up run)", 1, { min: 0 }),
  connections: list("--connections", "comma-separated connection counts", [50, 10], wholeNumber(1, 10_000)),
  oursEntry: text("--ours-entry", "our CLI entry point", join(PACKAGE_ROOT, "dist/cli/main.js"), {
    arg: "<path>",
  }),
  json: toggle("--json", "print runs and summary as JSON"),
};

export type HttpOp = "query" | "buy";
export const SERVERS = ["ours", "http-baseline"] as const;
export type ServerId = (typeof SERVERS)[number];

/** One autocannon run, reduced to what the table shows. */
export interface HttpRun {
  readonly server: ServerId;
  readonly op: HttpOp;
  readonly connections: number;
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors, timeouts and non-2xx responses. */
  readonly errors: number;
}

export interface HttpSummary {
  readonly op: HttpOp;
  readonly connections: number;
  readonly server: ServerId;
  readonly runs: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

/** The request of each op: the paths and methods our server and the baseline both answer. */
export function requestFor(op: HttpOp): { readonly path: string; readonly method: "GET" | "POST" } {
  return op === "query"
    ? { path: "/api/toys/Tux", method: "GET" }
    : { path: "/api/toys/Tux/buy", method: "POST" };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Medians per (op, connections, server), in the order the loads ran. */
export function summarizeHttp(runs: readonly HttpRun[]): HttpSummary[] {
  const groups = new Map<string, HttpRun[]>();
  for (const run of runs) {
    const key = `${run.op}|${run.connections}|${run.server}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => ({
    op: group[0]!.op,
    connections: group[0]!.connections,
    server: group[0]!.server,
    runs: group.length,
    requestsPerSecond: Math.round(median(group.map((run) => run.requestsPerSecond))),
    p50Ms: median(group.map((run) => run.p50Ms)),
    p99Ms: median(group.map((run) => run.p99Ms)),
    errors: group.reduce((sum, run) => sum + run.errors, 0),
  }));
}

const OP_TITLE: Readonly<Record<HttpOp, string>> = { query: "Query", buy: "Buy" };

const ratio = (ours: number, baseline: number) =>
  baseline > 0 && Number.isFinite(ours) ? (ours / baseline).toFixed(2) : "-";

/** The table: one row per op and load, ours and the baseline side by side, and the ratios. */
export function renderHttpComparison(summaries: readonly HttpSummary[]): string {
  const header = [
    "op",
    "connections",
    "ours req/s",
    "baseline req/s",
    "req/s ours/baseline",
    "ours p50 ms",
    "baseline p50 ms",
    "p50 ours/baseline",
    "ours p99 ms",
    "baseline p99 ms",
    "p99 ours/baseline",
    "errors (ours, baseline)",
  ];
  const rows: string[][] = [];
  const keys = [...new Set(summaries.map((s) => `${s.op}|${s.connections}`))];
  for (const key of keys) {
    const pick = (server: ServerId) =>
      summaries.find((s) => `${s.op}|${s.connections}` === key && s.server === server);
    const ours = pick("ours");
    const base = pick("http-baseline");
    const any = (ours ?? base)!;
    const figure = (value: number | undefined) =>
      value === undefined || Number.isNaN(value) ? "-" : String(value);
    rows.push([
      OP_TITLE[any.op],
      String(any.connections),
      figure(ours?.requestsPerSecond),
      figure(base?.requestsPerSecond),
      ratio(ours?.requestsPerSecond ?? Number.NaN, base?.requestsPerSecond ?? 0),
      figure(ours?.p50Ms),
      figure(base?.p50Ms),
      ratio(ours?.p50Ms ?? Number.NaN, base?.p50Ms ?? 0),
      figure(ours?.p99Ms),
      figure(base?.p99Ms),
      ratio(ours?.p99Ms ?? Number.NaN, base?.p99Ms ?? 0),
      `${figure(ours?.errors)}, ${figure(base?.errors)}`,
    ]);
  }
  const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    row(header),
    `|${header.map((_, i) => (i < 2 ? " --- " : " ---: ")).join("|")}|`,
    ...rows.map(row),
  ].join("\n");
}

/** Our server (compiled), serving HTTP alone with work 0 and a stock no run exhausts. */
function startOurs(flags: CompareHttpFlags): Promise<ServerProcess> {
  return startToystore({
    transports: ["http"],
    flags: { workMs: 0 },
    catalog: unlimitedCatalog(),
    entry: { file: flags.oursEntry, execArgv: [], runtime: "compiled" },
  });
}

function startBaseline(): Promise<ServerProcess> {
  return startServerProcess({
    command: process.execPath,
    args: [...tsxExecArgv(), join(PACKAGE_ROOT, "tools", "baselines", "http-baseline.ts"), "--port", "0"],
  });
}

async function runAutocannon(
  server: ServerProcess,
  op: HttpOp,
  connections: number,
  flags: CompareHttpFlags,
): Promise<Omit<HttpRun, "server" | "op" | "connections" | "round">> {
  const { path, method } = requestFor(op);
  const result: Result = await autocannon({
    url: `http://${server.host}:${server.port}${path}`,
    method,
    connections,
    pipelining: 1,
    duration: flags.duration,
    ...(flags.warmup > 0 ? { warmup: { connections, duration: flags.warmup } } : {}),
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(): Promise<void> {
  const flags = parseArgv(
    new Command("tools/compare-http.ts").description(
      "our HTTP transport vs a bare node:http server, alternated, with autocannon",
    ),
    OPTIONS,
  );
  const servers = new Map<ServerId, ServerProcess>();
  const stopAll = () => Promise.all([...servers.values()].map((server) => server.stop()));
  stopOnInterrupt(() => servers.values());
  try {
    servers.set("ours", await startOurs(flags));
    servers.set("http-baseline", await startBaseline());
    const environment = collectEnvironment();
    log(
      `${availableParallelism()} cores, nothing pinned; ours pid ${servers.get("ours")!.pid}, baseline pid ${servers.get("http-baseline")!.pid}; ` +
        `autocannon in this process, pipelining 1; ${flags.rounds} round(s) of ${flags.duration} s + ${flags.warmup} s warm-up per run`,
    );
    const runs: HttpRun[] = [];
    for (const connections of flags.connections) {
      for (const op of ["query", "buy"] as const) {
        for (let round = 1; round <= flags.rounds; round++) {
          // Rotating the start each round: neither server always runs first.
          const order = round % 2 === 1 ? SERVERS : ([...SERVERS].reverse() as ServerId[]);
          for (const id of order) {
            const figures = await runAutocannon(servers.get(id)!, op, connections, flags);
            runs.push({ server: id, op, connections, round, ...figures });
            log(
              `c${connections} ${op} | ${id} | round ${round}: ${figures.requestsPerSecond} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms${figures.errors > 0 ? `, ${figures.errors} errors` : ""}`,
            );
          }
        }
      }
    }
    const summaries = summarizeHttp(runs);
    if (flags.json) {
      const report = { tool: "toystore-compare-http", options: flags, environment, runs, summaries };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderHttpComparison(summaries)}\n`);
    }
  } finally {
    await stopAll();
  }
}

if (isMainModule(import.meta.url)) {
  await main();
}
