// bench:compare: our server against the runtime's ceilings (and Redis and the
// Python grpcio reference server where available), measured side by side.
//
// Starts every server once on a free port, then for each load shape runs the
// entries (server x op) in turn, round after round, rotating who goes first,
// so slow drift on a noisy machine hits all of them alike. Prints medians and
// ratios ours / baseline; `--json` prints the runs and the summary instead.
//
// Cores: nothing is pinned. Each server is one Node (or Python, or Redis)
// process; the load comes from one generator process (lineload is one thread,
// grpcload runs with -procs 1, our engine defaults to cores - 1 processes), so on
// a 2-core machine the server and the generator have about a core each.
//
//   node --import tsx tools/compare.ts [--quick] [--rounds 3] [--duration 2] [--json]

import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { parseArgv } from "../src/cli/flags.js";
import { choice, decimal, integer, type Schema, text, toggle } from "../src/options/schema.js";
import { PACKAGE_ROOT } from "../src/study/measure/entry-point.js";
import { collectEnvironment } from "../src/study/measure/environment.js";
import { type ServerProcess, stopOnInterrupt } from "../src/study/measure/server.js";
import type { BenchTransport } from "../src/study/throughput/options.js";
import {
  type CompareRun,
  checkTargets,
  describeScenario,
  type Entry,
  OURS,
  PYTHON,
  renderComparison,
  type Scenario,
  summarize,
} from "./compare-report.js";
import { startServers } from "./compare-servers.js";
import { findExecutable, type LoadShape, runEngine, runGrpcload, runLineload } from "./neutral-load.js";

export interface CompareFlags {
  readonly quick: boolean;
  readonly rounds: number;
  readonly duration: number;
  readonly warmup: number;
  readonly only: BenchTransport | "both";
  readonly lineload: string | null;
  readonly grpcload: string | null;
  readonly noRedis: boolean;
  readonly noPythonServer: boolean;
  readonly oursEntry: string;
  readonly python: string;
  readonly processes: number;
  readonly grpcConns: number;
  readonly json: boolean;
}

const COMPARE_OPTIONS: Schema<CompareFlags> = {
  quick: toggle("--quick", "one short round of everything (under a minute)"),
  rounds: integer("--rounds", "rounds (each entry runs once per round)", 3, 1, 1000),
  duration: decimal("--duration", "measured seconds per run", 2, { min: 0, above: true }),
  warmup: decimal("--warmup", "warm-up seconds per run", 1, { min: 0 }),
  only: choice<CompareFlags["only"]>("--only", "run only one transport", "both", ["socket", "grpc", "both"]),
  lineload: text("--lineload", "neutral C generator (default: lineload on PATH or /tmp/lineload)", null, {
    arg: "<path>",
  }),
  grpcload: text(
    "--grpcload",
    "neutral Go generator (default: grpcload on PATH or /tmp/grpcload-bin/grpcload)",
    null,
    {
      arg: "<path>",
    },
  ),
  noRedis: toggle("--no-redis", "leave Redis out even if redis-server is on the PATH"),
  noPythonServer: toggle("--no-python-server", "leave the Python grpcio reference server out"),
  oursEntry: text("--ours-entry", "our CLI entry point", join(PACKAGE_ROOT, "dist/cli/main.js"), {
    arg: "<path>",
  }),
  python: text("--python", "a python3 with grpcio and grpc_tools", "/usr/bin/python3", { arg: "<path>" }),
  processes: integer(
    "--processes",
    "our engine's processes, when it generates the load (0: its default)",
    0,
    0,
    64,
  ),
  grpcConns: integer("--grpc-conns", "HTTP/2 connections the gRPC load uses", 1, 1, 1000),
  json: toggle("--json", "print runs and summary as JSON"),
};

function parseFlags(): CompareFlags {
  const command = new Command("tools/compare.ts").description(
    "ours vs the baselines, side by side, in alternation",
  );
  const flags = parseArgv(command, COMPARE_OPTIONS);
  return flags.quick ? { ...flags, rounds: 1, duration: 1, warmup: 0.5 } : flags;
}

function buildScenarios(flags: CompareFlags, tools: Tools): Scenario[] {
  const withRedis =
    !flags.noRedis && tools.lineload !== undefined && findExecutable(undefined, "redis-server", []);

  const socketEntries: Entry[] = [
    { server: OURS, op: "query" },
    { server: OURS, op: "buy" },
    { server: "line-baseline", op: "query" },
    ...(withRedis ? [{ server: "redis", op: "query" } as const] : []),
  ];
  const grpcEntries: Entry[] = [
    { server: OURS, op: "query" },
    { server: OURS, op: "buy" },
    { server: "grpc-baseline", op: "query" },
    ...(!flags.noPythonServer ? [{ server: PYTHON, op: "query" } as const] : []),
  ];
  const all: Scenario[] = [
    { id: "socket-c50-p1", transport: "socket", loops: 50, depth: 1, entries: socketEntries },
    { id: "socket-c10-p16", transport: "socket", loops: 10, depth: 16, entries: socketEntries },
    { id: "grpc-c50", transport: "grpc", loops: 50, depth: flags.grpcConns, entries: grpcEntries },
  ];
  return all.filter((scenario) => flags.only === "both" || scenario.transport === flags.only);
}

/**
 * What lineload sends for an entry and the prefix every reply must have: Redis
 * gets inline GETs of a missing key (a one-line "$-1" reply); ours and the
 * baseline answer "19.99 100" to a Query and "1" to a Buy, so "1" catches
 * errors, unknown toys and sold-out alike.
 */
function lineRequests(entry: Entry): { lines: string[]; replyPrefix: string } {
  if (entry.server === "redis") return { lines: ["GET tux\\n"], replyPrefix: "$-1" };
  return { lines: [entry.op === "query" ? "Query: Tux\\n" : "Buy: Tux\\n"], replyPrefix: "1" };
}

type Generator = "lineload" | "grpcload" | "engine";

interface Tools {
  readonly lineload?: string;
  readonly grpcload?: string;
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** The neutral tools when built (they cost the machine least), else our engine. */
function generatorFor(transport: BenchTransport, tools: Tools): Generator {
  if (transport === "socket") return tools.lineload ? "lineload" : "engine";
  return tools.grpcload ? "grpcload" : "engine";
}

function runEntry(
  generator: Generator,
  tools: Tools,
  scenario: Scenario,
  entry: Entry,
  shape: LoadShape,
  processes: number | undefined,
) {
  if (generator === "lineload") {
    const { lines, replyPrefix } = lineRequests(entry);
    return runLineload(tools.lineload!, shape, lines, replyPrefix);
  }
  if (generator === "grpcload") return runGrpcload(tools.grpcload!, shape);
  return runEngine(scenario.transport, shape, processes);
}

/** Every scenario, round after round, each entry once per round, the first entry rotating. */
async function runScenarios(
  scenarios: readonly Scenario[],
  servers: ReadonlyMap<string, ServerProcess>,
  tools: Tools,
  flags: CompareFlags,
): Promise<CompareRun[]> {
  const runs: CompareRun[] = [];
  for (const scenario of scenarios) {
    const generator = generatorFor(scenario.transport, tools);
    for (let round = 1; round <= flags.rounds; round++) {
      const count = scenario.entries.length;
      for (let i = 0; i < count; i++) {
        // Rotating the start each round: no entry always runs first or last.
        const entry = scenario.entries[(i + round - 1) % count]!;
        const server = servers.get(`${scenario.transport}:${entry.server}`);
        if (server === undefined) continue;
        const shape: LoadShape = {
          port: server.port,
          op: entry.op,
          loops: scenario.loops,
          depth: scenario.depth,
          durationS: flags.duration,
          warmupS: flags.warmup,
        };
        const run = { scenario: scenario.id, ...entry, round, generator };
        const label = `${describeScenario(scenario)} | ${entry.server} ${entry.op} | round ${round}`;
        try {
          const figures = await runEntry(
            generator,
            tools,
            scenario,
            entry,
            shape,
            flags.processes || undefined,
          );
          runs.push({ ...run, figures });
          log(`${label}: ${figures.requestsPerSecond} req/s`);
        } catch (error) {
          runs.push({ ...run, error: (error as Error).message });
          log(`${label} failed: ${(error as Error).message}`);
        }
      }
    }
  }
  return runs;
}

async function main(): Promise<void> {
  const flags = parseFlags();
  const tools: Tools = {
    lineload: findExecutable(flags.lineload ?? undefined, "lineload", ["/tmp/lineload"]),
    grpcload: findExecutable(flags.grpcload ?? undefined, "grpcload", ["/tmp/grpcload-bin/grpcload"]),
  };
  const generators = { socket: generatorFor("socket", tools), grpc: generatorFor("grpc", tools) };
  const scenarios = buildScenarios(flags, tools);
  const servers = new Map<string, ServerProcess>();
  const stopAll = () => Promise.all([...servers.values()].map((server) => server.stop()));
  stopOnInterrupt(() => servers.values());
  try {
    const unavailable = await startServers(scenarios, flags, servers);
    log(
      `${availableParallelism()} cores, nothing pinned: one server under load at a time, ` +
        `generators socket=${generators.socket} gRPC=${generators.grpc}; ` +
        `${flags.rounds} round(s) of ${flags.duration} s + ${flags.warmup} s warm-up per run`,
    );
    const runs = await runScenarios(scenarios, servers, tools, flags);
    const summaries = summarize(scenarios, runs);
    const targets = checkTargets(summaries);
    if (flags.json) {
      const report = {
        tool: "toystore-compare",
        options: { ...flags, generators },
        environment: collectEnvironment(),
        unavailable: Object.fromEntries(unavailable),
        scenarios,
        runs,
        summaries,
        targets,
      };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderComparison(scenarios, summaries, targets)}\n`);
    }
  } finally {
    await stopAll();
  }
}

await main();
