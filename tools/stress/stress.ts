// `npm run stress`: a bounded stress and fuzz run against a live server.
//
// Starts `toystore serve` on free loopback ports with a catalog of large
// stocks, warms it up with valid traffic, then for --duration seconds runs
// well-behaved sessions (queries and buys, every answer checked) over both
// transports alongside hostile sessions (the abuse cases, picked at random).
// Afterwards it checks that the server still answers correctly, that the books
// balance (initial stock = acknowledged buys + stock left, per toy), that the
// well-behaved clients saw no error, that its memory came back down, and that
// it shuts down cleanly. It prints what it did and what it checked, and exits
// 1 if a check failed (2 on a usage error).
//
//   npx tsx tools/stress/stress.ts [--duration 40] [--seed N] [--help]

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "../../src/client/connect.js";
import { PACKAGE_ROOT, tsxExecArgv } from "../../src/measure/entry-point.js";
import { collectEnvironment } from "../../src/measure/environment.js";
import { Rng } from "../../src/measure/random.js";
import { startToystore } from "../../src/measure/server.js";
import { GRPC_SERVER_DEFAULTS } from "../../src/transport/grpc/grpc-options.js";
import { SOCKET_SERVER_DEFAULTS } from "../../src/transport/socket/socket-server.js";
import { type Check, checkAfterLoad, checkMemory } from "./checks.js";
import type { ServerLimits } from "./hostile.js";
import { GRPC_CASES } from "./hostile-grpc.js";
import { newHostileTally, runHostile } from "./hostile-runner.js";
import { SOCKET_CASES } from "./hostile-socket.js";
import { parseStressOptions, type StressOptions, USAGE } from "./options.js";
import { type MemoryTrace, printReport, type StressReport } from "./report.js";
import { newValidTally, runValidSessions, type StressToy } from "./well-behaved.js";

const TOYS: readonly StressToy[] = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"].map(
  (name, i) => ({
    name,
    priceCents: 999 + i * 250,
    stock: 10_000_000,
  }),
);
const DECOY = { name: "Decoy", priceCents: 100, stock: 10_000_000 };
const SOLD_OUT = "Gone";

async function main(options: StressOptions): Promise<number> {
  const rng = new Rng(options.seed);
  // Short limits, so that hostile cases finish within the run.
  const limits: ServerLimits = {
    maxLineBytes: SOCKET_SERVER_DEFAULTS.maxLineBytes,
    lineTimeoutMs: 2000,
    writeStallTimeoutMs: 3000,
    lingerMs: SOCKET_SERVER_DEFAULTS.lingerMs,
    grpcMaxMessageBytes: GRPC_SERVER_DEFAULTS.maxMessageBytes,
    grpcMaxConcurrentStreams: GRPC_SERVER_DEFAULTS.maxConcurrentStreams,
  };
  console.log(`stress: seed ${options.seed}; starting the server (${options.fromDist ? "dist" : "source"})`);
  const server = await startToystore({
    flags: {
      workMs: options.workMs,
      lineTimeoutMs: limits.lineTimeoutMs,
      writeStallTimeoutMs: limits.writeStallTimeoutMs,
    },
    catalog: [...TOYS, DECOY, { name: SOLD_OUT, priceCents: 500, stock: 0 }].map((t) => ({
      name: t.name,
      price: (t.priceCents / 100).toFixed(2),
      stock: t.stock,
    })),
    // A V8 old-space limit, as on a small machine: a leak then ends in a crash the run sees.
    nodeArgs: [`--max-old-space-size=${options.serverHeapMiB}`],
    entry: options.fromDist
      ? { file: join(PACKAGE_ROOT, "dist", "cli", "main.js"), execArgv: [], runtime: "compiled" }
      : { file: join(PACKAGE_ROOT, "src", "cli", "main.ts"), execArgv: tsxExecArgv(), runtime: "source" },
  });
  const socketPort = server.ports.socket!;
  const grpcPort = server.ports.grpc!;
  const memory: MemoryTrace = { samples: [] };
  const sampleMemory = async (phase: string) => {
    const m = await server.memory();
    if (m !== undefined) memory.samples.push({ atMs: Math.round(performance.now()), phase, rss: m.rss });
    return m;
  };
  let phase = "start";
  const started = (await sampleMemory(phase))?.rss ?? 0;
  const sampler = setInterval(() => void sampleMemory(phase), 250);

  const valid = newValidTally();
  const hostileCases = [...SOCKET_CASES, ...GRPC_CASES].filter(
    (c) => options.only.length === 0 || options.only.some((word) => c.name.toLowerCase().includes(word)),
  );
  if (hostileCases.length === 0)
    throw new RangeError(`--only ${options.only.join(",")} matches no hostile case`);
  const hostile = newHostileTally(hostileCases);
  let stopValid = false;
  const validRuns: Promise<void>[] = [];
  const startedAt = performance.now();
  try {
    for (const [transport, port, count] of [
      ["socket", socketPort, options.socketClients],
      ["grpc", grpcPort, options.grpcClients],
    ] as const) {
      const ctx = {
        transport,
        port,
        toys: TOYS,
        soldOut: SOLD_OUT,
        requestsPerSession: options.requestsPerSession,
        tally: valid,
        stopped: () => stopValid,
      };
      validRuns.push(runValidSessions(ctx, count, rng.fork()));
    }

    phase = "warm-up";
    console.log(`stress: warm-up, ${options.warmupS} s of valid traffic`);
    await sleep(options.warmupS * 1000);
    const warm = (await sampleMemory(phase))?.rss ?? started;

    phase = "load";
    console.log(
      `stress: ${options.durationS} s of mixed traffic: ${options.socketClients} socket + ${options.grpcClients} gRPC well-behaved sessions, ${options.hostile} hostile`,
    );
    const loadStart = performance.now();
    await runHostile(
      {
        cases: hostileCases,
        workers: options.hostile,
        socketPort: socketPort,
        grpcPort: grpcPort,
        limits,
        deadline: loadStart + options.durationS * 1000,
        tally: hostile,
      },
      rng.fork(),
    );
    const left = loadStart + options.durationS * 1000 - performance.now();
    if (left > 0) await sleep(left);
    stopValid = true;
    await Promise.all(validRuns);
    const loadMs = performance.now() - loadStart;

    phase = "settle";
    console.log(`stress: load stopped; ${options.settleS} s of quiet`);
    await sleep(options.settleS * 1000);
    clearInterval(sampler);
    const final = (await sampleMemory(phase))?.rss ?? 0;

    const checks: Check[] = [];
    checks.push(
      ...(await checkAfterLoad({
        connect: (transport) => connect({ transport, port: transport === "socket" ? socketPort : grpcPort }),
        toys: TOYS,
        decoy: DECOY,
        soldOut: SOLD_OUT,
        valid,
        hostile,
        socketPort: socketPort,
      })),
    );
    checks.push(checkMemory({ warm, final }));
    checks.push({
      name: "the server logged no error",
      ok: server.stderr.length === 0,
      detail: server.stderr.length === 0 ? "stderr empty" : server.stderr.slice(0, 5).join(" | "),
    });
    const graceMs = 10_000;
    const exit = await server.stop(graceMs + 5000);
    checks.push({
      name: "SIGTERM: graceful exit 0",
      ok: exit.code === 0 && !exit.killed,
      detail: exit.killed ? "killed after the grace period" : `exit code ${exit.code}, signal ${exit.signal}`,
    });

    const report: StressReport = {
      kind: "toystore-stress",
      options,
      limits,
      environment: collectEnvironment(),
      durationMs: Math.round(performance.now() - startedAt),
      loadMs: Math.round(loadMs),
      valid,
      hostile,
      memory: { started, warm, peak: Math.max(...memory.samples.map((s) => s.rss)), final, trace: memory },
      checks,
    };
    printReport(report);
    if (options.jsonFile !== undefined) {
      await writeFile(options.jsonFile, `${JSON.stringify(report, jsonReplacer, 2)}\n`);
      console.log(`stress: report written to ${options.jsonFile}`);
    }
    return checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    clearInterval(sampler);
    stopValid = true;
    if (server.exit === undefined) await server.stop(0);
  }
}

function jsonReplacer(key: string, value: unknown): unknown {
  // The raw latencies are summarised in the printed report, not stored.
  if (key === "latencies") return undefined;
  return value instanceof Map ? Object.fromEntries(value) : value;
}

let options: StressOptions | undefined;
try {
  options = parseStressOptions(process.argv.slice(2));
} catch (error) {
  console.error(`stress: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (options === undefined) {
  console.log(USAGE);
  process.exit(0);
}
process.exit(await main(options));
