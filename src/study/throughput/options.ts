// The benchmark's options: defaults in one object, validated once, and the
// split of the load into one plan per process.

import { availableParallelism } from "node:os";
import { checkTarget, type Target } from "../../client/target.js";
import {
  choice,
  integer,
  OptionError,
  resolveOptions,
  type Schema,
  seconds,
  text,
} from "../../options/schema.js";

export type BenchTransport = Target["transport"];
/** `mix` alternates Query and Buy, one for one, on every connection or call loop. */
export type BenchOp = "query" | "buy" | "mix";
/** How HTTP load is generated: raw node:net with pre-serialised requests, or undici (for comparison). */
export type HttpEngine = "net" | "undici";

/** A benchmark's own options (where it connects aside), fully resolved. */
export interface BenchRunOptions {
  /** Default "query". */
  readonly op: BenchOp;
  /** Toy named in every request; it must exist in the server's catalog. Default "Tux". */
  readonly name: string;
  /** Socket and HTTP: connections, each a closed loop. Default 50. */
  readonly connections: number;
  /** Socket and HTTP: requests kept in flight per connection (pipeline depth). Default 1. */
  readonly pipeline: number;
  /** gRPC: calls kept in flight in total. Default 50. */
  readonly concurrency: number;
  /** gRPC: client channels (HTTP/2 connections) the calls are spread over, in total. Default 4. */
  readonly channels: number;
  /** Load generator processes. Default: cores - 1 (at least 1), leaving a core to the server. */
  readonly processes: number;
  /** Measured window, ms. Default 10000. */
  readonly durationMs: number;
  /** Load before the measured window (connections warm, JIT done), ms. Default 2000. */
  readonly warmupMs: number;
  /** HTTP: the generator, "net" (pre-serialised bytes on node:net, the default) or "undici". */
  readonly httpEngine: HttpEngine;
}

export type ResolvedBenchOptions = Target & BenchRunOptions;
export type BenchOptions = Partial<BenchRunOptions> & Omit<Target, "host"> & { readonly host?: string };

export const BENCH_OPTIONS: Schema<BenchRunOptions> = {
  op: choice<BenchOp>("--op", "request kind (mix alternates Query and Buy)", "query", [
    "query",
    "buy",
    "mix",
  ]),
  name: text("--name", "toy named in every request", "Tux", { arg: "<toy>" }),
  connections: integer("--connections", "socket, HTTP: connections, each a closed loop", 50, 1, 100_000),
  pipeline: integer("--pipeline", "socket, HTTP: requests in flight per connection", 1, 1, 10_000),
  concurrency: integer("--concurrency", "gRPC: calls in flight", 50, 1, 100_000),
  channels: integer("--channels", "gRPC: HTTP/2 connections the calls share", 4, 1, 1_000),
  processes: {
    ...integer("--processes", "load generator processes (default: cores - 1, at least 1)", 1, 1, 64),
    default: Math.max(1, availableParallelism() - 1),
    shown: undefined,
  },
  durationMs: seconds("--duration", "measured seconds", 10_000, { above: true }),
  warmupMs: seconds("--warmup", "warm-up seconds before measuring", 2_000),
  httpEngine: choice<HttpEngine>(
    "--http-engine",
    "HTTP: net (pre-serialised requests on node:net) or undici (to compare the generators' cost)",
    "net",
    ["net", "undici"],
    { hidden: true },
  ),
};

/** Fills in defaults and checks every option; throws an OptionError naming the flag and the bad value. */
export function resolveBenchOptions(options: BenchOptions): ResolvedBenchOptions {
  const { transport, host, port, servers } = checkTarget({ ...options, host: options.host ?? "127.0.0.1" });
  // A connection per request: the bench's pipelined engines cannot speak it (use `toystore load`).
  if (transport === "original-socket")
    throw new OptionError(
      "--transport original-socket: bench has no engine for it (a connection per request); use toystore load",
    );
  const resolved = { transport, host, port, ...(servers === undefined ? {} : { servers }) };
  return { ...resolved, ...resolveOptions(BENCH_OPTIONS, options) };
}

/** What one process runs: its share of the connections or calls, and the window. */
export interface ThroughputPlan {
  readonly transport: BenchTransport;
  readonly host: string;
  readonly port: number;
  readonly op: BenchOp;
  readonly name: string;
  /** Socket, HTTP: this process's connections. gRPC: this process's calls in flight. */
  readonly loops: number;
  /** Socket, HTTP: pipeline depth. gRPC: channels this process opens. */
  readonly depth: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly httpEngine: HttpEngine;
}

/**
 * Splits the load over the processes as evenly as integers allow. A process never
 * gets zero loops: with fewer loops than processes, fewer processes run.
 * With several servers, the load is first split evenly over the servers, and
 * each server gets processes of its own (at least one each, so --processes
 * is rounded up to a multiple of their number).
 */
export function planProcesses(options: ResolvedBenchOptions): ThroughputPlan[] {
  // HTTP, like the socket, is connections with a pipeline each; gRPC is calls over channels.
  const socket = options.transport !== "grpc";
  const loops = socket ? options.connections : options.concurrency;
  const servers = options.servers ?? [{ host: options.host, port: options.port }];
  if (loops < servers.length) {
    const what = socket ? "--connections" : "--concurrency";
    throw new OptionError(`${what} ${loops} cannot load ${servers.length} servers: give at least one each`);
  }
  const perServer = Math.ceil(options.processes / servers.length);
  return servers.flatMap((server, s) => {
    const serverLoops = share(loops, servers.length, s);
    const count = Math.min(perServer, serverLoops);
    const channels = Math.max(count, Math.min(share(options.channels, servers.length, s), serverLoops));
    return Array.from({ length: count }, (_, i) => ({
      transport: options.transport,
      host: server.host,
      port: server.port,
      op: options.op,
      name: options.name,
      loops: share(serverLoops, count, i),
      depth: socket ? options.pipeline : share(channels, count, i),
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      httpEngine: options.httpEngine,
    }));
  });
}

function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}
