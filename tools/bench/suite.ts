// What a benchmark suite is, as data: the servers it starts, the load shapes
// it runs, the rows of each shape (a server under one request kind, driven by
// one generator) and the ratios between rows that it checks against goals.
// The runner (run.ts) reads nothing else; suites.ts holds the suites.

import type { ServedTransport, ServeFlagValues } from "../../src/study/measure/toystore-launch.js";

/** The request kind of a row. */
export type Op = "query" | "buy";

/** The load generators the runner knows how to run (generators.ts). */
export type GeneratorName = "engine" | "autocannon" | "wrk" | "redis-benchmark" | "pgbench";

/** The baseline servers in tools/baselines/, each a file there. */
export type BaselineName = "line-baseline" | "grpc-baseline" | "http-baseline";

/** Where one of our servers keeps its catalog: a SQLite file in the run's scratch folder, or a database of the run's PostgreSQL cluster. */
export type StoreChoice =
  | { readonly kind: "sqlite"; readonly file: string }
  | { readonly kind: "postgres"; readonly database: string };

/** A server a suite starts once, before its rounds, and stops at the end. */
export type ServerSpec =
  | {
      readonly kind: "toystore";
      /** The one transport it serves. */
      readonly transport: ServedTransport;
      /** `serve` flags besides --transport, the ports and the catalog (`{ workMs: 0 }` is `--work-ms 0`). */
      readonly flags: ServeFlagValues;
      /** `serve` flags that take no value, after the others (`--query-cache`). */
      readonly switches?: readonly string[];
      /** Default: the memory store. */
      readonly store?: StoreChoice;
      /** The toys of its catalog, each with a stock no run exhausts; default Tux alone. */
      readonly toys?: readonly string[];
    }
  | { readonly kind: "baseline"; readonly name: BaselineName }
  /** tools/baselines/python-grpc-reference.py, run by a python3 with grpcio (--python). */
  | { readonly kind: "python-grpc-reference" }
  /** redis-server; `aof`: every write appended and synced before its reply (appendfsync always). */
  | { readonly kind: "redis"; readonly aof: boolean }
  /**
   * The run's throwaway PostgreSQL cluster itself, what pgbench loads, on one
   * of its databases: list it after the server of ours that fills that
   * database, since pgbench's scripts use our tables.
   */
  | { readonly kind: "postgres"; readonly database: string };

/** One row of a shape: a server under one request kind, driven by one generator. */
export interface RowSpec {
  /** Unique in its shape; ratios name rows by it ("ours query"). */
  readonly id: string;
  /** A key of the suite's `servers`. */
  readonly server: string;
  readonly op: Op;
  readonly generator: GeneratorName;
  /**
   * The toys the requests name, spread evenly over the connections; default
   * Tux. (pgbench's scripts name their own rows: see `pgbench`.)
   */
  readonly toys?: readonly string[];
  /** redis-benchmark: the test it runs (`get`, `incr`). */
  readonly redisTest?: "get" | "incr";
  /** pgbench: the script it runs, a key of the suite's `pgbenchScripts`. */
  readonly pgbench?: string;
}

/** A load shape and the rows that take turns under it. */
export interface ShapeSpec {
  /** Unique in its suite, e.g. "c50-p1". */
  readonly id: string;
  /** Socket and HTTP: connections. gRPC: calls in flight. pgbench: clients. */
  readonly connections: number;
  /** Socket and HTTP: requests in flight per connection; default 1. */
  readonly pipeline?: number;
  /** gRPC: HTTP/2 connections the calls share; default 1. */
  readonly channels?: number;
  readonly rows: readonly RowSpec[];
}

/** A ratio of two rows' median req/s in one shape, and the least it should be. */
export interface RatioSpec {
  readonly shape: string;
  /** The row on top (ours, usually). */
  readonly of: string;
  /** The row below (the anchor). */
  readonly over: string;
  /** The goal: `of / over >= goal`. Absent: shown for information, never missed. */
  readonly goal?: number;
}

/** A suite: everything one `--suite NAME` runs. */
export interface Suite {
  readonly name: string;
  /** One line: what it compares. */
  readonly description: string;
  /** The transport our engine speaks to its servers (pgbench and redis-benchmark rows aside). */
  readonly transport: ServedTransport;
  readonly servers: Readonly<Record<string, ServerSpec>>;
  readonly shapes: readonly ShapeSpec[];
  readonly ratios: readonly RatioSpec[];
  /** pgbench's scripts by name, for the pgbench rows: the anchor's statements, each ending in a newline. */
  readonly pgbenchScripts?: Readonly<Record<string, string>>;
}

/** "c50 p1" for the table: connections, then pipeline or channels when not 1. */
export function describeShape(shape: ShapeSpec, transport: ServedTransport): string {
  if (transport === "grpc")
    return `${shape.connections} calls in flight over ${shape.channels ?? 1} channel(s)`;
  return `${shape.connections} connections x pipeline ${shape.pipeline ?? 1}`;
}

/** A ratio's name in the tables: "c50-p1: ours query / line-baseline query". */
export function ratioName(ratio: RatioSpec): string {
  return `${ratio.shape}: ${ratio.of} / ${ratio.over}`;
}

/**
 * Checks a suite's references: every row's server exists, row ids are unique
 * in their shape, every ratio names a shape and two of its rows. Throws on
 * the first mistake, naming it (suites are data: a typo must not silently
 * leave a ratio unmeasured).
 */
export function checkSuite(suite: Suite): void {
  const fail = (what: string): never => {
    throw new Error(`suite ${suite.name}: ${what}`);
  };
  const shapes = new Map<string, ShapeSpec>();
  for (const shape of suite.shapes) {
    if (shapes.has(shape.id)) fail(`two shapes named ${shape.id}`);
    shapes.set(shape.id, shape);
    const ids = new Set<string>();
    for (const row of shape.rows) {
      if (ids.has(row.id)) fail(`shape ${shape.id} has two rows named ${row.id}`);
      ids.add(row.id);
      if (!(row.server in suite.servers)) fail(`row ${row.id} names an unknown server ${row.server}`);
      if (row.generator === "pgbench" && suite.pgbenchScripts?.[row.pgbench ?? ""] === undefined)
        fail(`pgbench row ${row.id} names no script of the suite's`);
      if (row.generator === "redis-benchmark" && row.redisTest === undefined)
        fail(`redis-benchmark row ${row.id} has no test`);
    }
  }
  for (const ratio of suite.ratios) {
    const shape = shapes.get(ratio.shape) ?? fail(`ratio ${ratioName(ratio)} names an unknown shape`);
    for (const id of [ratio.of, ratio.over])
      if (!shape.rows.some((row) => row.id === id))
        fail(`ratio ${ratioName(ratio)} names an unknown row ${id}`);
  }
}

/**
 * The suite cut down to the shapes named (all when `ids` is undefined): their
 * ratios, and only the servers their rows use, so no server starts for
 * nothing. Undefined when the suite has none of them.
 */
export function selectShapes(suite: Suite, ids: readonly string[] | undefined): Suite | undefined {
  if (ids === undefined) return suite;
  const shapes = suite.shapes.filter((shape) => ids.includes(shape.id));
  if (shapes.length === 0) return undefined;
  const used = new Set(shapes.flatMap((shape) => shape.rows.map((row) => row.server)));
  return {
    ...suite,
    shapes,
    servers: Object.fromEntries(Object.entries(suite.servers).filter(([id]) => used.has(id))),
    ratios: suite.ratios.filter((ratio) => shapes.some((shape) => shape.id === ratio.shape)),
  };
}
