// The benchmark's options: defaults in one object, validated once, and the
// split of the load into one plan per worker process.

import { availableParallelism } from "node:os";

export type BenchTransport = "socket" | "grpc";
/** `mix` alternates Query and Buy, one for one, on every connection or call loop. */
export type BenchOp = "query" | "buy" | "mix";

export interface BenchOptions {
  readonly transport: BenchTransport;
  /** Server address. Default "127.0.0.1". */
  readonly host?: string;
  readonly port: number;
  /** Default "query". */
  readonly op?: BenchOp;
  /** Toy named in every request; it must exist in the server's catalog. Default "Tux". */
  readonly name?: string;
  /** Socket: connections, each a closed loop. Default 50. */
  readonly connections?: number;
  /** Socket: requests kept in flight per connection (pipeline depth). Default 1. */
  readonly pipeline?: number;
  /** gRPC: calls kept in flight in total. Default 50. */
  readonly concurrency?: number;
  /** gRPC: client channels (HTTP/2 connections) the calls are spread over, in total. Default 4. */
  readonly channels?: number;
  /** Load generator processes. Default: cores - 1 (at least 1), leaving a core to the server. */
  readonly workers?: number;
  /** Measured window, ms. Default 10000. */
  readonly durationMs?: number;
  /** Load before the measured window (connections warm, JIT done), ms. Default 2000. */
  readonly warmupMs?: number;
}

export type ResolvedBenchOptions = Required<BenchOptions>;

export const BENCH_DEFAULTS = Object.freeze({
  host: "127.0.0.1",
  op: "query" as BenchOp,
  name: "Tux",
  connections: 50,
  pipeline: 1,
  concurrency: 50,
  channels: 4,
  durationMs: 10_000,
  warmupMs: 2_000,
});

/** What one worker process runs: its share of the connections or calls, and the window. */
export interface WorkerPlan {
  readonly transport: BenchTransport;
  readonly host: string;
  readonly port: number;
  readonly op: BenchOp;
  readonly name: string;
  /** Socket: this worker's connections. gRPC: this worker's calls in flight. */
  readonly loops: number;
  /** Socket: pipeline depth. gRPC: channels this worker opens. */
  readonly depth: number;
  readonly durationMs: number;
  readonly warmupMs: number;
}

/** A worker's load once connected: started on the parent's signal, so all workers start together. */
export interface PreparedLoad {
  /** Runs warm-up and the measured window. */
  run(): Promise<void>;
  /** Closes its connections (after the run, or instead of it). */
  close(): void;
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`bench: ${name} must be an integer between ${min} and ${max}, got ${String(value)}`);
  }
}

/** Fills in defaults and checks every option; throws a RangeError naming the option and the bad value. */
export function resolveBenchOptions(options: BenchOptions): ResolvedBenchOptions {
  const resolved: ResolvedBenchOptions = {
    ...BENCH_DEFAULTS,
    workers: Math.max(1, availableParallelism() - 1),
    ...definedOnly(options),
  } as ResolvedBenchOptions;
  if (resolved.transport !== "socket" && resolved.transport !== "grpc") {
    throw new RangeError(
      `bench: transport must be "socket" or "grpc", got ${JSON.stringify(resolved.transport)}`,
    );
  }
  if (!["query", "buy", "mix"].includes(resolved.op)) {
    throw new RangeError(`bench: op must be query, buy or mix, got ${JSON.stringify(resolved.op)}`);
  }
  if (resolved.name.trim() === "" || resolved.name.includes("\n")) {
    throw new RangeError(`bench: name must be a non-empty single line, got ${JSON.stringify(resolved.name)}`);
  }
  requireInteger("port", resolved.port, 1, 65535);
  requireInteger("connections", resolved.connections, 1, 100_000);
  requireInteger("pipeline", resolved.pipeline, 1, 10_000);
  requireInteger("concurrency", resolved.concurrency, 1, 100_000);
  requireInteger("channels", resolved.channels, 1, 1_000);
  requireInteger("workers", resolved.workers, 1, 64);
  requireInteger("durationMs", resolved.durationMs, 1, 3_600_000);
  requireInteger("warmupMs", resolved.warmupMs, 0, 3_600_000);
  return resolved;
}

// `{ port: undefined }` must not overwrite a default.
function definedOnly(options: BenchOptions): Partial<BenchOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/**
 * Splits the load over the workers as evenly as integers allow. A worker never
 * gets zero loops: with fewer loops than workers, fewer workers run.
 */
export function planWorkers(options: ResolvedBenchOptions): WorkerPlan[] {
  const socket = options.transport === "socket";
  const loops = socket ? options.connections : options.concurrency;
  const count = Math.min(options.workers, loops);
  const channels = Math.max(count, Math.min(options.channels, loops));
  return Array.from({ length: count }, (_, i) => ({
    transport: options.transport,
    host: options.host,
    port: options.port,
    op: options.op,
    name: options.name,
    loops: share(loops, count, i),
    depth: socket ? options.pipeline : share(channels, count, i),
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
  }));
}

function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}
