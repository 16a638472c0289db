// bench:stores: the durable stores against their anchors, side by side.
//
// - sqlite against Redis with every write synced before its reply (AOF,
//   appendfsync always), and against the memory store, with lineload at
//   50 connections x 1 and 10 connections x 16 pipelined;
// - postgres against pgbench on the same statements and the same client
//   count (10), on one throwaway cluster with fsync and synchronous_commit on;
// - `serve --workers 1` against `--workers 2` on PostgreSQL, next to pgbench
//   running the statements the store runs (postgres-workers).
//
// Every server starts once; then, round after round, each entry of a scenario
// runs in turn, the first rotating, so drift on a noisy machine hits all
// alike. Prints medians and the ratios the targets name; --json the runs too.
//
//   npm run bench:stores -- [--rounds 3] [--duration 3] [--warmup 1] [--json]

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Command } from "commander";
import { normalizeName } from "../src/catalog/toy.js";
import { parseArgv } from "../src/cli/flags.js";
import { oneOf } from "../src/options/rules.js";
import { decimal, integer, list, type Schema, text, toggle } from "../src/options/schema.js";
import { PACKAGE_ROOT } from "../src/study/measure/entry-point.js";
import { collectEnvironment } from "../src/study/measure/environment.js";
import { postgresBinaries } from "../src/study/measure/postgres-binaries.js";
import { type PostgresCluster, startPostgresCluster } from "../src/study/measure/postgres-cluster.js";
import { type ServerProcess, stopOnInterrupt } from "../src/study/measure/server.js";
import { startToystore, unlimitedCatalog } from "../src/study/measure/toystore-launch.js";
import { startRedis } from "./compare-servers.js";
import { findExecutable, type LoadFigures, runLineload } from "./neutral-load.js";

const run = promisify(execFile);

const SCENARIO_IDS = ["c50-p1", "c10-p16", "postgres-c10", "postgres-workers"] as const;
const POSTGRES_SCENARIOS: readonly string[] = ["postgres-c10", "postgres-workers"];

interface Flags {
  readonly rounds: number;
  readonly duration: number;
  readonly warmup: number;
  readonly poolSize: number;
  readonly lineload: string | null;
  readonly only: readonly string[];
  readonly json: boolean;
}

const OPTIONS: Schema<Flags> = {
  rounds: integer("--rounds", "rounds (each entry runs once per round)", 3, 1, 1000),
  duration: decimal("--duration", "measured seconds per run", 3, { min: 0, above: true }),
  warmup: decimal("--warmup", "warm-up seconds per run", 1, { min: 0 }),
  poolSize: integer(
    "--pool-size",
    "socket workers of our servers (the original design's 5 would cap a batch at 5)",
    64,
    1,
    10_000,
  ),
  lineload: text("--lineload", "the neutral C generator (default: lineload on PATH or /tmp/lineload)", null, {
    arg: "<path>",
  }),
  only: list(
    "--only",
    "run only these scenarios: c50-p1, c10-p16, postgres-c10, postgres-workers",
    SCENARIO_IDS,
    oneOf(SCENARIO_IDS),
  ),
  json: toggle("--json", "print runs and summary as JSON"),
};

/** The toys every server holds: one hot toy, and eight to spread buys over. */
const SPREAD = Array.from({ length: 8 }, (_, i) => `Toy ${i + 1}`);
const TOYS = ["Tux", ...SPREAD];

/** One thing measured in a scenario: a server under one kind of request. */
interface Entry {
  readonly id: string;
  /** lineload against one of our servers or Redis, or pgbench with one script. */
  readonly lineload?: { readonly server: string; readonly lines: readonly string[]; readonly prefix: string };
  readonly pgbench?: string;
}

interface Scenario {
  readonly id: string;
  readonly connections: number;
  readonly pipeline: number;
  readonly entries: readonly Entry[];
}

interface Figures {
  readonly rps: number;
  /** Mean latency, µs (pgbench reports no percentiles without logging every transaction). */
  readonly meanUs?: number;
  readonly p50Us?: number;
  readonly p99Us?: number;
  readonly errors: number;
}

interface Run {
  readonly scenario: string;
  readonly entry: string;
  readonly round: number;
  readonly figures?: Figures;
  readonly error?: string;
}

const lines = (op: "Query" | "Buy", names: readonly string[]) => names.map((name) => `${op}: ${name}\\n`);

// Ours answers a Query "19.99 <stock>" and a Buy "1": "1" catches errors and sold-outs alike.
const ours = (
  server: string,
  op: "Query" | "Buy",
  names: readonly string[] = ["Tux"],
): Entry["lineload"] => ({
  server,
  lines: lines(op, names),
  prefix: "1",
});

function scenarios(withPostgres: boolean): Scenario[] {
  const lineEntries: Entry[] = [
    { id: "memory query", lineload: ours("memory", "Query") },
    { id: "memory buy", lineload: ours("memory", "Buy") },
    { id: "sqlite query", lineload: ours("sqlite", "Query") },
    { id: "sqlite buy", lineload: ours("sqlite", "Buy") },
    // INCR: a write Redis appends and syncs before replying, ":<n>".
    { id: "redis-aof incr", lineload: { server: "redis-aof", lines: ["INCR tux\\n"], prefix: ":" } },
  ];
  const all: Scenario[] = [
    { id: "c50-p1", connections: 50, pipeline: 1, entries: lineEntries },
    { id: "c10-p16", connections: 10, pipeline: 16, entries: lineEntries },
  ];
  if (withPostgres)
    all.push({
      id: "postgres-c10",
      connections: 10,
      pipeline: 1,
      entries: [
        { id: "postgres query", lineload: ours("postgres", "Query") },
        { id: "pgbench select", pgbench: "select" },
        { id: "postgres buy hot", lineload: ours("postgres", "Buy") },
        { id: "pgbench update hot", pgbench: "update-hot" },
        { id: "pgbench buy hot", pgbench: "buy-hot" },
        { id: "postgres buy spread", lineload: ours("postgres", "Buy", SPREAD) },
        { id: "pgbench update spread", pgbench: "update-spread" },
      ],
    });
  if (withPostgres)
    all.push({
      id: "postgres-workers",
      connections: 10,
      pipeline: 1,
      entries: [
        { id: "1 worker query", lineload: ours("postgres", "Query") },
        { id: "2 workers query", lineload: ours("postgres-w2", "Query") },
        { id: "pgbench select", pgbench: "select" },
        { id: "1 worker buy spread", lineload: ours("postgres", "Buy", SPREAD) },
        { id: "2 workers buy spread", lineload: ours("postgres-w2", "Buy", SPREAD) },
        { id: "pgbench buy spread", pgbench: "buy-spread" },
      ],
    });
  return all;
}

/** The ratios the targets name: ours / anchor, from the medians of one scenario. */
const TARGETS = [
  { scenario: "c50-p1", ours: "sqlite buy", anchor: "redis-aof incr", goal: 0.5 },
  { scenario: "c10-p16", ours: "sqlite buy", anchor: "redis-aof incr", goal: 0.3 },
  { scenario: "c50-p1", ours: "sqlite query", anchor: "memory query", goal: 0.9 },
  { scenario: "c10-p16", ours: "sqlite query", anchor: "memory query", goal: 0.9 },
  { scenario: "postgres-c10", ours: "postgres buy hot", anchor: "pgbench update hot", goal: 0.9 },
  { scenario: "postgres-c10", ours: "postgres buy hot", anchor: "pgbench buy hot", goal: 0.9 },
  { scenario: "postgres-c10", ours: "postgres buy spread", anchor: "pgbench update spread", goal: 0.9 },
  { scenario: "postgres-c10", ours: "postgres query", anchor: "pgbench select", goal: 1.0 },
  { scenario: "postgres-workers", ours: "2 workers query", anchor: "1 worker query", goal: 1.0 },
  { scenario: "postgres-workers", ours: "2 workers buy spread", anchor: "1 worker buy spread", goal: 1.0 },
  { scenario: "postgres-workers", ours: "2 workers query", anchor: "pgbench select", goal: 1.0 },
  { scenario: "postgres-workers", ours: "2 workers buy spread", anchor: "pgbench buy spread", goal: 0.9 },
] as const;

/** The pgbench scripts: the anchor's statements, and ours (the buy with its order, as the store runs it). */
function pgbenchScripts(): Record<string, string> {
  const spread = `\\set k random(1, ${SPREAD.length})\n`;
  // The store's buy: take one unit if any is left and store its order, in one statement.
  const buy = (key: string) =>
    `WITH taken AS (UPDATE toys SET stock = stock - 1 WHERE key = ${key} AND stock > 0 RETURNING key, name, price_cents, stock), placed AS (INSERT INTO orders (toy_key, toy, unit_price_cents) SELECT key, name, price_cents FROM taken RETURNING id) SELECT taken.stock, placed.id FROM taken, placed;\n`;
  return {
    select: "SELECT price_cents, stock FROM toys WHERE key = 'tux';\n",
    "update-hot": "UPDATE toys SET stock = stock - 1 WHERE key = 'tux' AND stock > 0 RETURNING stock;\n",
    "update-spread": `${spread}UPDATE toys SET stock = stock - 1 WHERE key = 'toy ' || :k AND stock > 0 RETURNING stock;\n`,
    "buy-spread": `${spread}${buy("'toy ' || :k")}`,
    "buy-hot": buy("'tux'"),
  };
}

async function runPgbench(
  bin: string,
  cluster: PostgresCluster,
  database: string,
  script: string,
  flags: Flags,
) {
  const { stdout } = await run(
    join(bin, "pgbench"),
    [
      ...cluster.clientArgs(),
      ...["-n", "-M", "prepared", "-j", "1"],
      ...["-c", "10", "-T", String(Math.ceil(flags.duration)), "-f", script, database],
    ],
    { timeout: (flags.duration + 30) * 1000 },
  );
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
  const latency = /latency average = ([\d.]+) ms/.exec(stdout);
  const failed = /number of failed transactions: (\d+)/.exec(stdout);
  if (tps === null) throw new Error(`pgbench printed no tps: ${stdout.slice(0, 300)}`);
  return {
    rps: Math.round(Number(tps[1])),
    ...(latency === null ? {} : { meanUs: Math.round(Number(latency[1]) * 1000) }),
    errors: Number(failed?.[1] ?? 0),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summarize(all: readonly Scenario[], runs: readonly Run[]) {
  const medians = new Map<string, number>();
  const rows = all.flatMap((scenario) =>
    scenario.entries.map((entry) => {
      const figures = runs
        .filter((r) => r.scenario === scenario.id && r.entry === entry.id)
        .flatMap((r) => (r.figures === undefined ? [] : [r.figures]));
      const rps = figures.length === 0 ? 0 : median(figures.map((f) => f.rps));
      medians.set(`${scenario.id}|${entry.id}`, rps);
      const pick = (key: "p50Us" | "p99Us" | "meanUs") => {
        const values = figures.flatMap((f) => (f[key] === undefined ? [] : [f[key]]));
        return values.length === 0 ? undefined : Math.round(median(values));
      };
      return {
        scenario: scenario.id,
        entry: entry.id,
        runs: figures.length,
        medianRps: rps,
        medianP50Us: pick("p50Us"),
        medianP99Us: pick("p99Us"),
        medianMeanUs: pick("meanUs"),
        errors: figures.reduce((n, f) => n + f.errors, 0),
      };
    }),
  );
  const targets = TARGETS.flatMap((t) => {
    const a = medians.get(`${t.scenario}|${t.ours}`);
    const b = medians.get(`${t.scenario}|${t.anchor}`);
    if (a === undefined || b === undefined || b === 0) return [];
    const ratio = a / b;
    return [{ ...t, ratio: Math.round(ratio * 100) / 100, met: ratio >= t.goal }];
  });
  return { rows, targets };
}

function render(summary: ReturnType<typeof summarize>, all: readonly Scenario[]): string {
  const out: string[] = [];
  for (const scenario of all) {
    out.push(`\n${scenario.id}: ${scenario.connections} connections x pipeline ${scenario.pipeline}`);
    out.push(
      "| entry | req/s (median) | p50 µs | p99 µs | mean µs | errors |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const row of summary.rows.filter((r) => r.scenario === scenario.id))
      out.push(
        `| ${row.entry} | ${row.medianRps.toLocaleString("en-US")} | ${row.medianP50Us ?? ""} | ${row.medianP99Us ?? ""} | ${row.medianMeanUs ?? ""} | ${row.errors} |`,
      );
  }
  out.push("\n| target | ratio | goal | met |", "| --- | ---: | ---: | --- |");
  for (const t of summary.targets)
    out.push(
      `| ${t.scenario}: ${t.ours} / ${t.anchor} | ${t.ratio.toFixed(2)}x | ${t.goal}x | ${t.met ? "yes" : "no"} |`,
    );
  return out.join("\n");
}

async function main(): Promise<void> {
  const flags = parseArgv(
    new Command("tools/compare-stores.ts").description("the durable stores against their anchors"),
    OPTIONS,
  );
  const lineload = findExecutable(flags.lineload ?? undefined, "lineload", ["/tmp/lineload"]);
  if (lineload === undefined)
    throw new Error("lineload not found: build it as tools/README.md says, or pass --lineload");
  const binaries = postgresBinaries();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const dir = await mkdtemp(join(tmpdir(), "toystore-bench-stores-"));
  const servers = new Map<string, ServerProcess>();
  stopOnInterrupt(() => servers.values());
  let cluster: PostgresCluster | undefined;
  const entry = { file: join(PACKAGE_ROOT, "dist/cli/main.js"), execArgv: [], runtime: "compiled" as const };
  const catalog = unlimitedCatalog(TOYS);
  const serve = (store?: string, workers = 1) =>
    startToystore({
      transports: ["socket"],
      flags: {
        workMs: 0,
        poolSize: flags.poolSize,
        maxConnections: 10_000,
        // Only to the server that needs it, so the others' arguments stay as they were.
        ...(workers === 1 ? {} : { workers }),
        ...(store === undefined ? {} : { store }),
      },
      catalog,
      entry,
    });
  try {
    const lines = flags.only.some((id) => !POSTGRES_SCENARIOS.includes(id));
    if (lines) {
      servers.set("memory", await serve());
      servers.set("sqlite", await serve(`sqlite:${join(dir, "shop.db")}`));
      servers.set("redis-aof", await startRedis(dir));
    }
    let database = "";
    if ("missing" in binaries) log(`note: postgres left out: ${binaries.missing}`);
    else if (flags.only.some((id) => POSTGRES_SCENARIOS.includes(id))) {
      cluster = await startPostgresCluster();
      database = "bench";
      servers.set("postgres", await serve(await cluster.createDatabase(database)));
      // Its own database (a second server's --catalog would be refused by the first's), same cluster.
      if (flags.only.includes("postgres-workers"))
        servers.set("postgres-w2", await serve(await cluster.createDatabase("bench_w2"), 2));
    }
    const scripts = pgbenchScripts();
    for (const [name, body] of Object.entries(scripts)) await writeFile(join(dir, `${name}.sql`), body);
    const all = scenarios(cluster !== undefined).filter((scenario) => flags.only.includes(scenario.id));
    log(
      `${availableParallelism()} cores, nothing pinned; ${flags.rounds} round(s) of ${flags.duration} s + ${flags.warmup} s warm-up; ` +
        `our servers: --pool-size ${flags.poolSize}; keys ${TOYS.map(normalizeName).join(", ")}`,
    );
    const runs: Run[] = [];
    for (const scenario of all) {
      for (let round = 1; round <= flags.rounds; round++) {
        for (let i = 0; i < scenario.entries.length; i++) {
          const e = scenario.entries[(i + round - 1) % scenario.entries.length]!;
          try {
            let figures: Figures;
            if (e.pgbench !== undefined && cluster !== undefined && "bin" in binaries) {
              figures = await runPgbench(
                binaries.bin,
                cluster,
                database,
                join(dir, `${e.pgbench}.sql`),
                flags,
              );
            } else if (e.lineload !== undefined) {
              const server = servers.get(e.lineload.server);
              if (server === undefined) continue;
              const f: LoadFigures = await runLineload(
                lineload,
                {
                  port: server.port,
                  op: "query",
                  loops: scenario.connections,
                  depth: scenario.pipeline,
                  durationS: flags.duration,
                  warmupS: flags.warmup,
                },
                [...e.lineload.lines],
                e.lineload.prefix,
              );
              figures = {
                rps: f.requestsPerSecond,
                p50Us: Math.round(f.p50Us),
                p99Us: Math.round(f.p99Us),
                errors: f.errors,
              };
            } else continue;
            runs.push({ scenario: scenario.id, entry: e.id, round, figures });
            log(`${scenario.id} | ${e.id} | round ${round}: ${figures.rps} req/s`);
          } catch (error) {
            runs.push({ scenario: scenario.id, entry: e.id, round, error: (error as Error).message });
            log(`${scenario.id} | ${e.id} | round ${round} failed: ${(error as Error).message}`);
          }
        }
      }
    }
    const summary = summarize(all, runs);
    if (flags.json)
      process.stdout.write(
        `${JSON.stringify({ tool: "toystore-compare-stores", options: flags, environment: collectEnvironment(), scenarios: all, runs, ...summary }, null, 2)}\n`,
      );
    else process.stdout.write(`${render(summary, all)}\n`);
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
