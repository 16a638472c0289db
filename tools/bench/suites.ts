// The benchmark suites, as data: which servers, which shapes, which rows and
// which ratios with their goals. The runner (run.ts) runs whichever
// `--suite` names; tools/README.md lists them.
//
// Every server of ours runs `toystore serve` with --work-ms 0 and a catalog
// whose stock no run exhausts, so a Buy never sells out: the store's own code
// is all that stands between the network and the catalog.

import { CACHE } from "./cache-suite.js";
import { STORES, STORES_WORKERS } from "./store-suites.js";
import { checkSuite, describeShape, type RowSpec, ratioName, type ShapeSpec, type Suite } from "./suite.js";

const OURS_SOCKET = { kind: "toystore", transport: "socket", flags: { workMs: 0 } } as const;

/** Rows of our engine against one server: "ours query", "line-baseline query", ... */
function engineRows(
  server: string,
  ops: readonly ("query" | "buy")[],
  generator: RowSpec["generator"] = "engine",
) {
  return ops.map((op): RowSpec => ({ id: `${server} ${op}`, server, op, generator }));
}

/** The two shapes every line-protocol suite runs: 50 connections one request at a time, and 10 pipelining 16. */
function lineShapes(rows: readonly RowSpec[]): ShapeSpec[] {
  return [
    { id: "c50-p1", connections: 50, pipeline: 1, rows },
    { id: "c10-p16", connections: 10, pipeline: 16, rows },
  ];
}

/** Our socket server against the minimal Node line server (and Redis, for information). */
const SOCKET: Suite = (() => {
  const rows: RowSpec[] = [
    ...engineRows("ours", ["query", "buy"]),
    ...engineRows("line-baseline", ["query"]),
    // A one-line reply ("$-1", a missing key) from the fastest line server there is; redis-benchmark drives it.
    { id: "redis get", server: "redis", op: "query", generator: "redis-benchmark", redisTest: "get" },
  ];
  const shapes = lineShapes(rows);
  return {
    name: "socket",
    description: "our socket server against the minimal Node line server, and Redis for information",
    transport: "socket",
    servers: {
      ours: OURS_SOCKET,
      "line-baseline": { kind: "baseline", name: "line-baseline" },
      redis: { kind: "redis", aof: false },
    },
    shapes,
    ratios: [
      { shape: "c50-p1", of: "ours query", over: "line-baseline query", goal: 1.0 },
      { shape: "c10-p16", of: "ours query", over: "line-baseline query", goal: 0.9 },
      { shape: "c50-p1", of: "ours buy", over: "ours query", goal: 0.9 },
      { shape: "c10-p16", of: "ours buy", over: "ours query", goal: 0.9 },
      { shape: "c50-p1", of: "ours query", over: "redis get" },
      { shape: "c10-p16", of: "ours query", over: "redis get" },
    ],
  };
})();

/** Our HTTP transport against a bare node:http server answering the same bytes, with one generator. */
function httpSuite(name: string, generator: RowSpec["generator"], description: string): Suite {
  const rows = [
    ...engineRows("ours", ["query", "buy"], generator),
    ...engineRows("http-baseline", ["query", "buy"], generator),
  ];
  const shapes: ShapeSpec[] = [
    { id: "c50-p1", connections: 50, pipeline: 1, rows },
    { id: "c10-p1", connections: 10, pipeline: 1, rows },
  ];
  return {
    name,
    description,
    transport: "http",
    servers: {
      ours: { kind: "toystore", transport: "http", flags: { workMs: 0 } },
      "http-baseline": { kind: "baseline", name: "http-baseline" },
    },
    shapes,
    ratios: shapes.flatMap((shape) =>
      (["query", "buy"] as const).map((op) => ({
        shape: shape.id,
        of: `ours ${op}`,
        over: `http-baseline ${op}`,
        goal: 0.9,
      })),
    ),
  };
}

/** Our gRPC transport against grpc-js with constant replies, and the original design's Python server. */
const GRPC: Suite = {
  name: "grpc",
  description:
    "our gRPC transport against grpc-js with constant replies, and the Python grpcio reference server",
  transport: "grpc",
  servers: {
    ours: { kind: "toystore", transport: "grpc", flags: { workMs: 0 } },
    "grpc-baseline": { kind: "baseline", name: "grpc-baseline" },
    python: { kind: "python-grpc-reference" },
  },
  shapes: [
    {
      id: "c50",
      connections: 50,
      channels: 1,
      rows: [
        ...engineRows("ours", ["query", "buy"]),
        ...engineRows("grpc-baseline", ["query"]),
        ...engineRows("python", ["query"]),
      ],
    },
  ],
  ratios: [
    { shape: "c50", of: "ours query", over: "grpc-baseline query", goal: 1.0 },
    { shape: "c50", of: "ours query", over: "python query", goal: 3 },
  ],
};

/** What recording metrics costs on the socket path: the same server with and without. */
const METRICS: Suite = (() => {
  const rows: RowSpec[] = [
    { id: "metrics on", server: "metrics-on", op: "query", generator: "engine" },
    { id: "metrics off", server: "metrics-off", op: "query", generator: "engine" },
  ];
  const shapes = lineShapes(rows);
  return {
    name: "metrics",
    description: "our socket server recording metrics against the same server with `serve --metrics off`",
    transport: "socket",
    servers: {
      "metrics-on": OURS_SOCKET,
      "metrics-off": { ...OURS_SOCKET, flags: { workMs: 0, metrics: "off" } },
    },
    shapes,
    ratios: shapes.map((shape) => ({ shape: shape.id, of: "metrics on", over: "metrics off", goal: 0.97 })),
  };
})();

/** Every suite, in the order `--suite all` runs them. */
export const SUITES: readonly Suite[] = [
  SOCKET,
  httpSuite("http", "engine", "our HTTP transport against a bare node:http server answering the same bytes"),
  httpSuite("http-autocannon", "autocannon", "the http suite, with autocannon generating the load"),
  httpSuite("http-wrk", "wrk", "the http suite, with wrk generating the load"),
  GRPC,
  METRICS,
  STORES,
  STORES_WORKERS,
  CACHE,
];

for (const suite of SUITES) checkSuite(suite);

/** What `--suite` runs when not given: every suite but the HTTP generator variants. */
export const DEFAULT_SUITES: readonly string[] = [
  "socket",
  "http",
  "grpc",
  "metrics",
  "stores",
  "stores-workers",
  "cache",
];

/** The suites (default every one) as `--list` prints them: servers, shapes with their rows, ratios with their goals. */
export function describeSuites(suites: readonly Suite[] = SUITES): string {
  return suites
    .flatMap((suite) => [
      `${suite.name}: ${suite.description}`,
      `  servers: ${Object.keys(suite.servers).join(", ")}`,
      ...suite.shapes.map(
        (shape) =>
          `  ${shape.id} (${describeShape(shape, suite.transport)}): ${shape.rows.map((row) => `${row.id} [${row.generator}]`).join(", ")}`,
      ),
      ...suite.ratios.map(
        (ratio) =>
          `  ratio ${ratioName(ratio)}${ratio.goal === undefined ? " (information)" : ` >= ${ratio.goal}`}`,
      ),
      "",
    ])
    .join("\n");
}

/** The suites named, in the order given; throws naming an unknown one. */
export function findSuites(names: readonly string[]): Suite[] {
  return names.map((name) => {
    const suite = SUITES.find((each) => each.name === name);
    if (suite === undefined)
      throw new Error(`unknown suite ${name}: the suites are ${SUITES.map((each) => each.name).join(", ")}`);
    return suite;
  });
}
