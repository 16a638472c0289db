// The rounds: each shape's rows take turns, A, B, C, then B, C, A, ..., the
// first rotating each round, so slow drift on a noisy machine hits every row
// alike. One measurement is a warm-up run, then the measured run with the
// server's CPU time (/proc) read just before and just after it.

import { dumpInstructions, zeroInstructions } from "./callgrind.js";
import { generatorMissing, runGenerator } from "./generators.js";
import type { LoadFigures } from "./load-request.js";
import { processTreeCpuMs } from "./process-cpu.js";
import type { SuiteServers } from "./servers.js";
import type { RowSpec, ShapeSpec, Suite } from "./suite.js";

/** How long and how often. */
export interface RoundOptions {
  readonly rounds: number;
  /** Measured seconds per run. */
  readonly durationS: number;
  /** Seconds of load before each measured run (0: none, except for generators that size their run by it). */
  readonly warmupS: number;
  /** The engine's processes; undefined: its default. */
  readonly processes?: number;
}

/** One measured run of one row, or why it failed. */
export interface RunRecord {
  readonly shape: string;
  readonly row: string;
  readonly round: number;
  readonly figures?: LoadFigures & {
    /** The server's CPU over the measured run, ms (the whole process tree). */
    readonly serverCpuMs?: number;
    /** The server's CPU per reply, µs. */
    readonly serverCpuUsPerRequest?: number;
    /** --callgrind: the instructions the server executed over the measured run, and per reply. */
    readonly instructions?: number;
    readonly instructionsPerRequest?: number;
  };
  readonly error?: string;
}

/** Round `round` (1-based) runs the items starting at index round - 1, wrapping around. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const start = (round - 1) % Math.max(1, items.length);
  return [...items.slice(start), ...items.slice(0, start)];
}

/** Why a row cannot run here: its server is not running, or its generator is not installed. */
export function rowUnavailable(
  row: RowSpec,
  servers: Pick<SuiteServers, "running" | "unavailable">,
): string | undefined {
  if (!servers.running.has(row.server))
    return `server ${row.server}: ${servers.unavailable.get(row.server) ?? "not started"}`;
  return generatorMissing(row.generator);
}

/** redis-benchmark counts requests, so it needs a warm-up's rate to size the measured run. */
const SIZED_BY_WARMUP: ReadonlySet<RowSpec["generator"]> = new Set(["redis-benchmark"]);
/** The shortest warm-up such a generator gets when --warmup is 0. */
const MIN_SIZING_WARMUP_S = 0.3;

/** Runs every shape of the suite, round after round; `log` gets one line per run. */
export async function runRounds(
  suite: Suite,
  servers: SuiteServers,
  options: RoundOptions,
  log: (line: string) => void,
): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for (const shape of suite.shapes) {
    const rows = shape.rows.filter((row) => rowUnavailable(row, servers) === undefined);
    for (let round = 1; round <= options.rounds; round++) {
      for (const row of roundOrder(rows, round)) {
        const label = `${suite.name} ${shape.id} | ${row.id} | round ${round}`;
        try {
          const figures = await measureRow(suite, shape, row, servers, options);
          records.push({ shape: shape.id, row: row.id, round, figures });
          const cpu = figures.serverCpuUsPerRequest;
          log(
            `${label}: ${figures.requestsPerSecond} req/s${cpu === undefined ? "" : `, ${cpu.toFixed(1)} µs server CPU/req`}`,
          );
        } catch (error) {
          records.push({ shape: shape.id, row: row.id, round, error: (error as Error).message });
          log(`${label} failed: ${(error as Error).message}`);
        }
      }
    }
  }
  return records;
}

/** One row once: a warm-up run, then the measured run inside two reads of the server's CPU. */
async function measureRow(
  suite: Suite,
  shape: ShapeSpec,
  row: RowSpec,
  servers: SuiteServers,
  options: RoundOptions,
): Promise<NonNullable<RunRecord["figures"]>> {
  const server = servers.running.get(row.server)!;
  const request = {
    transport: suite.transport,
    shape,
    row,
    server,
    scratch: servers.scratch,
    ...(options.processes === undefined ? {} : { processes: options.processes }),
    ...(row.pgbench === undefined ? {} : { pgbenchScript: suite.pgbenchScripts?.[row.pgbench] }),
  };
  const warmupS = SIZED_BY_WARMUP.has(row.generator)
    ? Math.max(options.warmupS, MIN_SIZING_WARMUP_S)
    : options.warmupS;
  // A run of its own rather than the generator's warm-up phase: the CPU reads below then bracket the measured window alone.
  const warm = warmupS > 0 ? await runGenerator({ ...request, durationS: warmupS }) : undefined;
  if (server.callgrind) await zeroInstructions(server.pid);
  const before = await processTreeCpuMs(server.pid);
  const figures = await runGenerator({
    ...request,
    durationS: options.durationS,
    ...(warm === undefined ? {} : { expectedRps: warm.requestsPerSecond }),
  });
  const after = await processTreeCpuMs(server.pid);
  const instructions = server.callgrind ? await dumpInstructions(server.pid, servers.scratch) : undefined;
  if (figures.requests === 0) return figures;
  return {
    ...figures,
    ...(before === undefined || after === undefined
      ? {}
      : { serverCpuMs: after - before, serverCpuUsPerRequest: ((after - before) * 1000) / figures.requests }),
    ...(instructions === undefined
      ? {}
      : { instructions, instructionsPerRequest: instructions / figures.requests }),
  };
}
