// The benchmark runner: runs the suites named (suites.ts), each against its
// own servers, and prints one table per suite with the ratios and their
// goals (or, with --json, the whole report).
//
//   node --import tsx tools/bench/run.ts [--suite socket,http] [--rounds 3] [--duration 3] [--warmup 1] [--quick] [--json]
//   node --import tsx tools/bench/run.ts --list
//
// Cores: nothing is pinned. Under load there is one server and one generator
// (our engine runs cores - 1 processes, 1 on a 2-core machine; the Debian
// tools one thread), so on 2 cores each gets about one; the table shows the
// generator's CPU, so a row where it was the limit is visible.

import { availableParallelism } from "node:os";
import { Command } from "commander";
import { parseArgv } from "../../src/cli/flags.js";
import { oneOf } from "../../src/options/rules.js";
import { decimal, integer, list, type Schema, text, toggle } from "../../src/options/schema.js";
import { collectEnvironment } from "../../src/study/measure/environment.js";
import { callgrindMissing } from "./callgrind.js";
import { type BenchReport, missedRatios, type SuiteReport } from "./report.js";
import { type RoundOptions, rowUnavailable, runRounds } from "./rounds.js";
import { startSuiteServers } from "./servers.js";
import { type Suite, selectShapes } from "./suite.js";
import { DEFAULT_SUITES, describeSuites, findSuites, SUITES } from "./suites.js";
import { summarizeSuite } from "./summary.js";
import { renderSuite } from "./table.js";

interface RunnerFlags {
  readonly suite: readonly string[];
  /** Whether --suite was given (then --list prints only those suites). */
  readonly suiteGiven: boolean;
  readonly shape: string | null;
  readonly rounds: number;
  readonly duration: number;
  readonly warmup: number;
  readonly quick: boolean;
  readonly json: boolean;
  readonly list: boolean;
  readonly processes: number;
  readonly python: string;
  readonly callgrind: boolean;
}

const SUITE_NAMES = ["all", ...SUITES.map((suite) => suite.name)];

const OPTIONS: Schema<Omit<RunnerFlags, "suiteGiven">> = {
  suite: list(
    "--suite",
    "suites to run, comma-separated (all: every suite)",
    DEFAULT_SUITES,
    oneOf(SUITE_NAMES),
  ),
  shape: text(
    "--shape",
    "run only these shapes of the suites, comma-separated (e.g. c50-p1,postgres-c10)",
    null,
    {
      arg: "<list>",
    },
  ),
  rounds: integer("--rounds", "rounds: each row runs once per round", 3, 1, 1000),
  duration: decimal("--duration", "measured seconds per run", 3, { min: 0, above: true }),
  warmup: decimal("--warmup", "seconds of load before each measured run", 1, { min: 0 }),
  quick: toggle(
    "--quick",
    "a smoke run: 1 round of 1 s after 0.5 s of warm-up, unless those flags are given",
  ),
  json: toggle("--json", "print the whole report (options, environment, runs, summaries) as JSON"),
  list: toggle("--list", "print the suites, their rows and ratios, and exit"),
  processes: integer("--processes", "our engine's generator processes (0: its default, cores - 1)", 0, 0, 64),
  callgrind: toggle(
    "--callgrind",
    "run our servers and the Node baselines under valgrind's callgrind and report instructions per request (apt-get install valgrind)",
  ),
  python: text(
    "--python",
    "a python3 with grpcio, for the Python grpcio reference server",
    "/usr/bin/python3",
    {
      arg: "<path>",
    },
  ),
};

/** The flags, with --quick's values for the round flags that were not given. */
function parseFlags(): RunnerFlags {
  const command = new Command("tools/bench/run.ts").description(
    "the benchmark suites: ours against the baselines, alternated",
  );
  const parsed = parseArgv(command, OPTIONS);
  const given = (name: string) => command.getOptionValueSource(name) === "cli";
  const flags = { ...parsed, suiteGiven: given("suite") };
  if (!flags.quick) return flags;
  return {
    ...flags,
    rounds: given("rounds") ? flags.rounds : 1,
    duration: given("duration") ? flags.duration : 1,
    warmup: given("warmup") ? flags.warmup : 0.5,
  };
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** The suites the flags name, cut down to --shape's shapes; undefined (and a message) when none is left. */
function chooseSuites(flags: RunnerFlags): Suite[] | undefined {
  const named = findSuites(flags.suite.includes("all") ? SUITES.map((suite) => suite.name) : flags.suite);
  const shapes = flags.shape?.split(",").map((id) => id.trim());
  const suites = named.flatMap((suite) => selectShapes(suite, shapes) ?? []);
  if (suites.length > 0) return suites;
  log(
    `--shape: no shape ${flags.shape} in the suites ${named.map((suite) => suite.name).join(", ")} (see --list)`,
  );
  return undefined;
}

/** One suite: its servers started, its rounds run, its summary; the servers stopped whatever happens. */
async function runSuite(
  suite: Suite,
  flags: RunnerFlags,
  options: RoundOptions,
  register: (close: () => Promise<void>) => void,
): Promise<SuiteReport> {
  const servers = await startSuiteServers(
    suite,
    { python: flags.python, callgrind: flags.callgrind },
    register,
  );
  try {
    if (servers.oursEntry.runtime === "source")
      log(
        "note: our servers run from source through tsx (dist/ is missing or older than src/: npm run build)",
      );
    for (const [id, why] of servers.unavailable) log(`note: ${suite.name}: server ${id} left out: ${why}`);
    const runs = await runRounds(suite, servers, options, log);
    const summary = summarizeSuite(suite, runs, {
      unavailable: (row) => rowUnavailable(row, servers),
      cpuScope: (id) => servers.running.get(id)?.cpuScope,
    });
    const described = Object.keys(suite.servers).map((id) => [
      id,
      servers.running.get(id)?.command ?? `not started: ${servers.unavailable.get(id) ?? "unknown"}`,
    ]);
    return {
      suite,
      options,
      callgrind: flags.callgrind,
      servers: Object.fromEntries(described),
      runs,
      summary,
    };
  } finally {
    await servers.close();
  }
}

/** The last line on stderr: which goals were missed, and how many ratios could not be measured. */
function verdict(report: BenchReport): string {
  const missed = missedRatios(report);
  const unmeasured = report.suites.flatMap((each) =>
    each.summary.ratios.filter((ratio) => ratio.value === undefined),
  );
  return (
    `${missed.length === 0 ? "no measured goal missed" : `goals missed: ${missed.join("; ")}`}` +
    `${unmeasured.length === 0 ? "" : `; ${unmeasured.length} ratio(s) not measured`}`
  );
}

async function main(): Promise<void> {
  const flags = parseFlags();
  if (flags.list) {
    // Every suite, or those --suite names (with --shape, cut down to those shapes).
    const listed = flags.suiteGiven ? chooseSuites(flags) : SUITES;
    if (listed === undefined) process.exitCode = 2;
    else process.stdout.write(`${describeSuites(listed)}\n`);
    return;
  }
  const suites = chooseSuites(flags);
  const missing = flags.callgrind ? callgrindMissing() : undefined;
  if (missing !== undefined) log(missing);
  if (suites === undefined || missing !== undefined) {
    process.exitCode = 2;
    return;
  }
  const options: RoundOptions = {
    rounds: flags.rounds,
    durationS: flags.duration,
    warmupS: flags.warmup,
    ...(flags.processes === 0 ? {} : { processes: flags.processes }),
  };
  const environment = collectEnvironment();
  // What to stop on an interrupt: the servers (by PID), the cluster, the scratch folders.
  const closers = new Set<() => Promise<void>>();
  const onSignal = () => {
    void Promise.all([...closers].map((close) => close())).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  log(
    `${availableParallelism()} cores, nothing pinned; suites ${suites.map((suite) => suite.name).join(", ")}; ` +
      `${options.rounds} round(s) of ${options.durationS} s after ${options.warmupS} s of warm-up per run`,
  );
  const reports: SuiteReport[] = [];
  for (const suite of suites) {
    const report = await runSuite(suite, flags, options, (close) => closers.add(close));
    reports.push(report);
    // Each suite's table as soon as it is done: a long run shows its results as it goes.
    if (!flags.json) process.stdout.write(`\n${renderSuite(report)}\n`);
  }
  const report: BenchReport = {
    kind: "toystore-bench-suites",
    version: 1,
    options: { ...options, suites: suites.map((suite) => suite.name) },
    environment,
    suites: reports,
  };
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  log(verdict(report));
}

await main();
