// The `bench` command's flags, for commander: one definition shared by
// bench/run.ts and the project CLI's `toystore bench`.

import { type Command, InvalidArgumentError, Option } from "commander";
import type { BenchOp, BenchOptions, BenchTransport } from "./options.js";

/** The parsed flags, as commander hands them to the action. */
export interface BenchFlags {
  readonly transport: BenchTransport;
  readonly host: string;
  readonly port?: number;
  readonly op: BenchOp;
  readonly name: string;
  readonly connections?: number;
  readonly pipeline?: number;
  readonly concurrency?: number;
  readonly channels?: number;
  readonly workers?: number;
  readonly duration: number;
  readonly warmup: number;
  readonly json?: boolean;
}

function integer(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed))
      throw new InvalidArgumentError(`${flag} takes an integer, got "${value}"`);
    return parsed;
  };
}

function seconds(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) {
      throw new InvalidArgumentError(`${flag} takes seconds (a number >= 0), got "${value}"`);
    }
    return parsed;
  };
}

/** Adds the benchmark's flags to a command (its action receives BenchFlags). */
export function addBenchFlags(command: Command): Command {
  return command
    .addOption(
      new Option("--transport <kind>", "socket or grpc").choices(["socket", "grpc"]).default("socket"),
    )
    .option("--host <host>", "server address", "127.0.0.1")
    .option("--port <port>", "server port", integer("--port"))
    .addOption(
      new Option("--op <op>", "request kind (mix alternates Query and Buy)")
        .choices(["query", "buy", "mix"])
        .default("query"),
    )
    .option("--name <toy>", "toy named in every request", "Tux")
    .option(
      "--connections <n>",
      "socket: connections, each a closed loop (default 50)",
      integer("--connections"),
    )
    .option("--pipeline <n>", "socket: requests in flight per connection (default 1)", integer("--pipeline"))
    .option("--concurrency <n>", "gRPC: calls in flight (default 50)", integer("--concurrency"))
    .option("--channels <n>", "gRPC: HTTP/2 connections the calls share (default 4)", integer("--channels"))
    .option(
      "--workers <n>",
      "load generator processes (default: cores - 1, at least 1)",
      integer("--workers"),
    )
    .option("--duration <s>", "measured seconds", seconds("--duration"), 10)
    .option("--warmup <s>", "warm-up seconds before measuring", seconds("--warmup"), 2)
    .option("--json", "print the result as JSON");
}

/** Turns parsed flags into runBench options; the port must be known by now. */
export function benchOptionsFromFlags(flags: BenchFlags, port: number): BenchOptions {
  return {
    transport: flags.transport,
    host: flags.host,
    port,
    op: flags.op,
    name: flags.name,
    connections: flags.connections,
    pipeline: flags.pipeline,
    concurrency: flags.concurrency,
    channels: flags.channels,
    workers: flags.workers,
    durationMs: Math.round(flags.duration * 1000),
    warmupMs: Math.round(flags.warmup * 1000),
  } as BenchOptions;
}
