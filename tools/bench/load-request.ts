// What one generator run is given and what it gives back, whichever
// generator it is (generators.ts, command-generators.ts).

import type { ServedTransport } from "../../src/study/measure/toystore-launch.js";
import type { RunningServer } from "./servers.js";
import type { RowSpec, ShapeSpec } from "./suite.js";

/** One generator run's figures, whatever generated the load. */
export interface LoadFigures {
  /** Replies per second over the run (error replies included, as the engine counts). */
  readonly requestsPerSecond: number;
  /** Replies in the run: what the server's CPU is divided by. */
  readonly requests: number;
  readonly p50Us?: number;
  readonly p99Us?: number;
  /** Mean latency, µs (pgbench reports no percentiles without logging every transaction). */
  readonly meanUs?: number;
  readonly errors: number;
  /** The generator's CPU over the run, in cores: near `generatorProcesses` means it was the limit. */
  readonly generatorCpu?: number;
  /** Processes (or threads) generating: 1 for every tool here but the engine. */
  readonly generatorProcesses: number;
}

/** What one run needs to know. */
export interface LoadRequest {
  /** The transport our engine speaks (the suite's). */
  readonly transport: ServedTransport;
  readonly shape: ShapeSpec;
  readonly row: RowSpec;
  readonly server: RunningServer;
  readonly durationS: number;
  /** Req/s of the warm-up just before: count-based generators (redis-benchmark) size their run with it. */
  readonly expectedRps?: number;
  /** The engine's processes; undefined: its default (cores - 1). */
  readonly processes?: number;
  /** A folder for the run's files (wrk's and pgbench's scripts). */
  readonly scratch: string;
  /** pgbench: the script's text. */
  readonly pgbenchScript?: string;
}

/** The HTTP request of each op: the paths our server and the HTTP baseline both answer. */
export function httpRequestFor(op: RowSpec["op"]): {
  readonly path: string;
  readonly method: "GET" | "POST";
} {
  return op === "query"
    ? { path: "/api/toys/Tux", method: "GET" }
    : { path: "/api/toys/Tux/buy", method: "POST" };
}
