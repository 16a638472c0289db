// bench:metrics: what recording metrics costs on the socket path. Two socket
// servers on the same code and catalog, one recording into a StoreMetrics and
// one not, each in a process of its own, driven alternately by lineload;
// medians and the ratio with / without.
//
//   npm run bench:metrics -- [--rounds 3] [--duration 3]
//
// Run as a server (what the comparison starts): tools/metrics-cost.ts --serve on|off

import { availableParallelism } from "node:os";
import { Command } from "commander";
import { InMemoryCatalog } from "../src/catalog/memory-store.js";
import { parseArgv } from "../src/cli/flags.js";
import { StoreMetrics } from "../src/observability/store-metrics.js";
import { choice, decimal, integer, type Schema, text } from "../src/options/schema.js";
import { StoreService } from "../src/service/store-service.js";
import { tsxExecArgv } from "../src/study/measure/entry-point.js";
import { type ServerProcess, startServerProcess } from "../src/study/measure/server.js";
import { startSocketServer } from "../src/transport/socket/socket-server.js";
import { findExecutable, runLineload } from "./neutral-load.js";

interface Flags {
  readonly serve: "on" | "off" | "no";
  readonly rounds: number;
  readonly duration: number;
  readonly warmup: number;
  readonly lineload: string | null;
}

const OPTIONS: Schema<Flags> = {
  serve: choice("--serve", "run as one of the two servers (on: with metrics)", "no", ["on", "off", "no"], {
    hidden: true,
  }),
  rounds: integer("--rounds", "rounds (each server runs once per shape per round)", 3, 1, 100),
  duration: decimal("--duration", "measured seconds per run", 3, { min: 0, above: true }),
  warmup: decimal("--warmup", "warm-up seconds per run", 1, { min: 0 }),
  lineload: text("--lineload", "the neutral C generator (default: on PATH or /tmp/lineload)", null, {
    arg: "<path>",
  }),
};

const SHAPES = [
  { connections: 50, pipeline: 1 },
  { connections: 10, pipeline: 16 },
] as const;

async function serve(withMetrics: boolean): Promise<void> {
  const service = new StoreService(new InMemoryCatalog([{ name: "Tux", priceCents: 1999, stock: 1e15 }]));
  const server = await startSocketServer(service, {
    port: 0,
    maxConnections: 10_000,
    ...(withMetrics ? { metrics: new StoreMetrics() } : {}),
  });
  console.log(`socket listening on 127.0.0.1:${server.address.port}`);
  process.once("SIGTERM", () => void server.close(0).then(() => process.exit(0)));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function compare(flags: Flags): Promise<void> {
  const lineload = findExecutable(flags.lineload ?? undefined, "lineload", ["/tmp/lineload"]);
  if (lineload === undefined) throw new Error("lineload not found: build it as tools/README.md says");
  const start = (mode: "on" | "off") =>
    startServerProcess({
      command: process.execPath,
      args: [...tsxExecArgv(), new URL(import.meta.url).pathname, "--serve", mode],
    });
  const servers: Record<"on" | "off", ServerProcess> = { on: await start("on"), off: await start("off") };
  process.stderr.write(
    `${availableParallelism()} cores; ${flags.rounds} rounds of ${flags.duration} s per run\n`,
  );
  try {
    for (const shape of SHAPES) {
      const rps: Record<"on" | "off", number[]> = { on: [], off: [] };
      for (let round = 0; round < flags.rounds; round++) {
        const order: ("on" | "off")[] = round % 2 === 0 ? ["off", "on"] : ["on", "off"];
        for (const mode of order) {
          const figures = await runLineload(
            lineload,
            {
              port: servers[mode].port,
              op: "query",
              loops: shape.connections,
              depth: shape.pipeline,
              durationS: flags.duration,
              warmupS: flags.warmup,
            },
            ["Query: Tux\\n"],
            "1",
          );
          rps[mode].push(figures.requestsPerSecond);
          process.stderr.write(
            `${shape.connections} x ${shape.pipeline} metrics ${mode}: ${figures.requestsPerSecond} req/s\n`,
          );
        }
      }
      const ratio = median(rps.on) / median(rps.off);
      console.log(
        `${shape.connections} connections x pipeline ${shape.pipeline}: without ${median(rps.off)} req/s, with ${median(rps.on)} req/s (runs: ${rps.off.join(", ")} / ${rps.on.join(", ")}), with / without ${ratio.toFixed(2)}x`,
      );
    }
  } finally {
    await Promise.all([servers.on.stop(), servers.off.stop()]);
  }
}

const flags = parseArgv(
  new Command("tools/metrics-cost.ts").description("what recording metrics costs"),
  OPTIONS,
);
if (flags.serve === "no") await compare(flags);
else await serve(flags.serve === "on");
