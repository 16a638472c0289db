// `npm run stress`: a bounded stress and fuzz run against a live server.
//
// Starts `toystore serve` on free loopback ports with a catalog of large
// stocks. Well-behaved sessions (queries and buys, every answer checked) run
// over both transports in processes of the shared fleet: from the
// start barrier through --warmup seconds alone, then for --duration seconds
// alongside hostile sessions (the abuse cases, picked at random), run here.
// Then it runs the checks (checks.ts), prints what it did and what it
// checked, and exits 1 if a check failed (2 on a usage error).

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type NodeEntry, PACKAGE_ROOT, tsxExecArgv } from "../../src/study/measure/entry-point.js";
import { collectEnvironment } from "../../src/study/measure/environment.js";
import { runOnFleet } from "../../src/study/measure/fleet.js";
import { Rng } from "../../src/study/measure/random.js";
import { overallStopReason } from "../../src/study/measure/results.js";
import type { ServerProcess } from "../../src/study/measure/server.js";
import { startToystore } from "../../src/study/measure/toystore-launch.js";
import { GRPC_SERVER_DEFAULTS } from "../../src/transport/grpc/grpc-options.js";
import { SOCKET_SERVER_DEFAULTS } from "../../src/transport/socket/socket-server.js";
import { checkAfterLoad, checkMemory, checkShutdown } from "./checks.js";
import { type HostileCase, runHostile, type ServerLimits } from "./hostile.js";
import { GRPC_CASES } from "./hostile-grpc.js";
import { SOCKET_CASES } from "./hostile-socket.js";
import { parseStressOptions, type StressOptions, USAGE } from "./options.js";
import { mergeWellBehaved, printReport, type StressReport } from "./report.js";
import type { StressToy, WellBehavedPlan, WellBehavedResult } from "./well-behaved.js";

/** What the store sells: the toys the well-behaved sessions trade in, the hostile ones' decoy, one sold out. */
const STORE = {
  toys: ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"].map(
    (name, i): StressToy => ({ name, priceCents: 999 + i * 250, stock: 10_000_000 }),
  ),
  decoy: { name: "Decoy", priceCents: 100, stock: 10_000_000 },
  soldOut: "Gone",
};
// Short timeouts, so that the hostile cases that wait for them finish within the run.
const LIMITS: ServerLimits = {
  maxLineBytes: SOCKET_SERVER_DEFAULTS.maxLineBytes,
  lineTimeoutMs: 2000,
  writeStallTimeoutMs: 3000,
  lingerMs: SOCKET_SERVER_DEFAULTS.lingerMs,
  grpcMaxMessageBytes: GRPC_SERVER_DEFAULTS.maxMessageBytes,
  grpcMaxConcurrentStreams: GRPC_SERVER_DEFAULTS.maxConcurrentStreams,
};
const WORKER: NodeEntry = {
  file: join(PACKAGE_ROOT, "tools/stress/well-behaved-process.ts"),
  execArgv: tsxExecArgv(),
  runtime: "source",
};
/** After the plans' duration, how long the processes may take to report (a call in flight may take 15 s). */
const REPORT_SLACK_MS = 30_000;

/** The hostile cases `--only` picks (all without it); a RangeError when it picks none. */
function pickCases(only: readonly string[]): HostileCase[] {
  const cases = [...SOCKET_CASES, ...GRPC_CASES].filter(
    (c) => only.length === 0 || only.some((word) => c.name.toLowerCase().includes(word)),
  );
  if (cases.length === 0) throw new RangeError(`--only ${only.join(",")} matches no hostile case`);
  return cases;
}

function startServer(options: StressOptions): Promise<ServerProcess> {
  const { lineTimeoutMs, writeStallTimeoutMs } = LIMITS;
  const toys = [...STORE.toys, STORE.decoy, { name: STORE.soldOut, priceCents: 500, stock: 0 }];
  return startToystore({
    flags: { workMs: options.workMs, lineTimeoutMs, writeStallTimeoutMs },
    catalog: toys.map(({ name, priceCents, stock }) => ({
      name,
      price: (priceCents / 100).toFixed(2),
      stock,
    })),
    // A V8 old-space limit, as on a small machine: a leak then ends in a crash the run sees.
    nodeArgs: [`--max-old-space-size=${options.serverHeapMiB}`],
    entry: options.fromDist
      ? { file: join(PACKAGE_ROOT, "dist/cli/main.js"), execArgv: [], runtime: "compiled" }
      : { file: join(PACKAGE_ROOT, "src/cli/main.ts"), execArgv: tsxExecArgv(), runtime: "source" },
  });
}

const ports = (server: ServerProcess) => ({ socketPort: server.ports.socket!, grpcPort: server.ports.grpc! });

/** Reads the server's RSS every 250 ms, each reading tagged with the phase the run is in. */
function sampleMemory(server: ServerProcess) {
  const samples: { atMs: number; phase: string; rss: number }[] = [];
  const sampler = {
    samples,
    phase: "start",
    /** Takes a reading now; 0 once the server is gone (or off Linux). */
    async read(): Promise<number> {
      const rss = (await server.memory())?.rss;
      if (rss !== undefined) samples.push({ atMs: Math.round(performance.now()), phase: sampler.phase, rss });
      return rss ?? 0;
    },
    stop: () => clearInterval(timer),
  };
  const timer = setInterval(() => void sampler.read(), 250);
  return sampler;
}

/** The warm-up and the load: the processes' plans last both; the hostile sessions start after the warm-up. */
async function runLoad(
  options: StressOptions,
  server: ServerProcess,
  cases: readonly HostileCase[],
  memory: ReturnType<typeof sampleMemory>,
) {
  const rng = new Rng(options.seed);
  const { socketPort, grpcPort } = ports(server);
  const durationMs = (options.warmupS + options.durationS) * 1000;
  const plans: WellBehavedPlan[] = (["socket", "grpc"] as const)
    .map((transport) => ({
      ...STORE,
      transport,
      port: transport === "socket" ? socketPort : grpcPort,
      sessions: transport === "socket" ? options.socketClients : options.grpcClients,
      requestsPerSession: options.requestsPerSession,
      durationMs,
      seed: rng.int(0, 2 ** 32 - 1),
    }))
    .filter((plan) => plan.sessions > 0);
  const stop = new AbortController();
  let opened = () => {};
  const barrier = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const wellBehaved = runOnFleet<WellBehavedPlan, WellBehavedResult>(WORKER, "well-behaved process", plans, {
    signal: stop.signal,
    onStart: () => opened(),
    resultTimeoutMs: durationMs + REPORT_SLACK_MS,
  });
  try {
    await Promise.race([barrier, wellBehaved]);
    memory.phase = "warm-up";
    console.log(`stress: warm-up, ${options.warmupS} s of valid traffic`);
    await sleep(options.warmupS * 1000);
    const warm = await memory.read();
    memory.phase = "load";
    console.log(
      `stress: ${options.durationS} s of mixed traffic: ${options.socketClients} socket + ${options.grpcClients} gRPC well-behaved sessions, ${options.hostile} hostile`,
    );
    const loadStart = performance.now();
    const deadline = loadStart + options.durationS * 1000;
    const run = { cases, sessions: options.hostile, socketPort, grpcPort, limits: LIMITS, deadline };
    const hostile = await runHostile(run, rng.fork());
    return { wellBehaved: await wellBehaved, hostile, loadMs: performance.now() - loadStart, warm };
  } finally {
    // Had the run failed, the processes stop now rather than at the end of their plans.
    stop.abort();
    await wellBehaved.catch(() => {});
  }
}

async function main(options: StressOptions, cases: readonly HostileCase[]): Promise<number> {
  const startedAt = performance.now();
  console.log(`stress: seed ${options.seed}; starting the server (${options.fromDist ? "dist" : "source"})`);
  const server = await startServer(options);
  const memory = sampleMemory(server);
  try {
    const started = await memory.read();
    const load = await runLoad(options, server, cases, memory);
    memory.phase = "settle";
    console.log(`stress: load stopped; ${options.settleS} s of quiet`);
    await sleep(options.settleS * 1000);
    memory.stop();
    const final = await memory.read();
    const wellBehaved = mergeWellBehaved(load.wellBehaved);
    const checks = [
      ...(await checkAfterLoad({ ...STORE, ...ports(server), wellBehaved, hostile: load.hostile })),
      checkMemory({ warm: load.warm, final }),
      ...(await checkShutdown(server)),
    ];
    const { samples } = memory;
    const report: StressReport = {
      kind: "toystore-stress",
      version: 1,
      options,
      limits: LIMITS,
      environment: collectEnvironment(),
      stopReason: overallStopReason(wellBehaved.map((s) => s.stopReason)),
      durationMs: Math.round(performance.now() - startedAt),
      loadMs: Math.round(load.loadMs),
      wellBehaved,
      hostile: load.hostile,
      memory: { started, warm: load.warm, peak: Math.max(...samples.map((s) => s.rss)), final, samples },
      checks,
    };
    printReport(report);
    if (options.jsonFile !== undefined) {
      await writeFile(options.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`stress: report written to ${options.jsonFile}`);
    }
    return checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    memory.stop();
    if (server.exit === undefined) await server.stop(0);
  }
}

let run: { options: StressOptions; cases: HostileCase[] } | undefined;
try {
  const options = parseStressOptions(process.argv.slice(2));
  run = options && { options, cases: pickCases(options.only) };
} catch (error) {
  console.error(`stress: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (run === undefined) {
  console.log(USAGE);
  process.exit(0);
}
process.exit(await main(run.options, run.cases));
