// The benchmark suites, as data: which servers, which shapes, which rows and
// which ratios with their goals. The runner (run.ts) runs whichever
// `--suite` names; tools/README.md lists them.
//
// Every server of ours runs `toystore serve` with --work-ms 0 and a catalog
// whose stock no run exhausts, so a Buy never sells out: the store's own code
// is all that stands between the network and the catalog.

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

/** Our socket server against the minimal Node line server (and Redis, for information). */
const SOCKET: Suite = (() => {
  const rows: RowSpec[] = [
    ...engineRows("ours", ["query", "buy"]),
    ...engineRows("line-baseline", ["query"]),
    // A one-line reply ("$-1", a missing key) from the fastest line server there is; redis-benchmark drives it.
    { id: "redis get", server: "redis", op: "query", generator: "redis-benchmark", redisTest: "get" },
  ];
  const shapes: ShapeSpec[] = [
    { id: "c50-p1", connections: 50, pipeline: 1, rows },
    { id: "c10-p16", connections: 10, pipeline: 16, rows },
  ];
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
  const shapes: ShapeSpec[] = [
    { id: "c50-p1", connections: 50, pipeline: 1, rows },
    { id: "c10-p16", connections: 10, pipeline: 16, rows },
  ];
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

/** Toys the stores' servers hold: one hot toy, and eight to spread buys over. */
export const SPREAD_TOYS: readonly string[] = Array.from({ length: 8 }, (_, i) => `Toy ${i + 1}`);
const STORE_TOYS = ["Tux", ...SPREAD_TOYS];

/**
 * Our servers on a store: a pool big enough that batches are not capped by
 * it (the original design's 5 would cap a commit batch at 5).
 */
function ourStoreServer(
  store?: Extract<Suite["servers"][string], { kind: "toystore" }>["store"],
  workers = 1,
) {
  return {
    kind: "toystore",
    transport: "socket",
    // --workers only where it is 2, so the other servers' arguments stay as they were.
    flags: { workMs: 0, poolSize: 64, maxConnections: 10_000, ...(workers === 1 ? {} : { workers }) },
    toys: STORE_TOYS,
    ...(store === undefined ? {} : { store }),
  } as const;
}

/**
 * The pgbench scripts: the anchor's statements on the rows our store uses
 * (keys are normalised names), and ours (the buy with its order, in one
 * statement, as the store runs it).
 */
function pgbenchScripts(): Record<string, string> {
  const spread = `\\set k random(1, ${SPREAD_TOYS.length})\n`;
  const buy = (key: string) =>
    `WITH taken AS (UPDATE toys SET stock = stock - 1 WHERE key = ${key} AND stock > 0 RETURNING key, name, price_cents, stock), placed AS (INSERT INTO orders (toy_key, toy, unit_price_cents) SELECT key, name, price_cents FROM taken RETURNING id) SELECT taken.stock, placed.id FROM taken, placed;\n`;
  return {
    select: "SELECT price_cents, stock FROM toys WHERE key = 'tux';\n",
    "update-hot": "UPDATE toys SET stock = stock - 1 WHERE key = 'tux' AND stock > 0 RETURNING stock;\n",
    "update-spread": `${spread}UPDATE toys SET stock = stock - 1 WHERE key = 'toy ' || :k AND stock > 0 RETURNING stock;\n`,
    "buy-spread": `${spread}${buy("'toy ' || :k")}`,
    "buy-hot": buy("'tux'"),
  };
}

const pgbench = (id: string, script: string): RowSpec => ({
  id,
  server: "postgres",
  op: "query",
  generator: "pgbench",
  pgbench: script,
});
const ours = (id: string, server: string, op: "query" | "buy", toys?: readonly string[]): RowSpec => ({
  id,
  server,
  op,
  generator: "engine",
  ...(toys === undefined ? {} : { toys }),
});

/** The durable stores against their anchors: sqlite against Redis (AOF, always synced) and memory; postgres against pgbench. */
const STORES: Suite = (() => {
  const lineRows: RowSpec[] = [
    ours("memory query", "memory", "query"),
    ours("memory buy", "memory", "buy"),
    ours("sqlite query", "sqlite", "query"),
    ours("sqlite buy", "sqlite", "buy"),
    // INCR: a write Redis appends and syncs before replying.
    { id: "redis-aof incr", server: "redis-aof", op: "buy", generator: "redis-benchmark", redisTest: "incr" },
  ];
  return {
    name: "stores",
    description:
      "sqlite against Redis (appendfsync always) and the memory store; postgres against pgbench on the same statements",
    transport: "socket",
    servers: {
      memory: ourStoreServer(),
      sqlite: ourStoreServer({ kind: "sqlite", file: "shop.db" }),
      "redis-aof": { kind: "redis", aof: true },
      "postgres-store": ourStoreServer({ kind: "postgres", database: "bench" }),
      postgres: { kind: "postgres", database: "bench" },
    },
    shapes: [
      { id: "c50-p1", connections: 50, pipeline: 1, rows: lineRows },
      { id: "c10-p16", connections: 10, pipeline: 16, rows: lineRows },
      {
        id: "postgres-c10",
        connections: 10,
        rows: [
          ours("postgres query", "postgres-store", "query"),
          pgbench("pgbench select", "select"),
          ours("postgres buy hot", "postgres-store", "buy"),
          pgbench("pgbench update hot", "update-hot"),
          pgbench("pgbench buy hot", "buy-hot"),
          ours("postgres buy spread", "postgres-store", "buy", SPREAD_TOYS),
          pgbench("pgbench update spread", "update-spread"),
        ],
      },
    ],
    ratios: [
      { shape: "c50-p1", of: "sqlite buy", over: "redis-aof incr", goal: 0.5 },
      { shape: "c10-p16", of: "sqlite buy", over: "redis-aof incr", goal: 0.3 },
      { shape: "c50-p1", of: "sqlite query", over: "memory query", goal: 0.9 },
      { shape: "c10-p16", of: "sqlite query", over: "memory query", goal: 0.9 },
      { shape: "postgres-c10", of: "postgres buy hot", over: "pgbench update hot", goal: 0.9 },
      { shape: "postgres-c10", of: "postgres buy hot", over: "pgbench buy hot", goal: 0.9 },
      { shape: "postgres-c10", of: "postgres buy spread", over: "pgbench update spread", goal: 0.9 },
      { shape: "postgres-c10", of: "postgres query", over: "pgbench select", goal: 1.0 },
    ],
    pgbenchScripts: pgbenchScripts(),
  };
})();

/** `serve --workers 1` against `--workers 2` on PostgreSQL, next to pgbench running the statements the store runs. */
const STORES_WORKERS: Suite = {
  name: "stores-workers",
  description:
    "serve --workers 1 against --workers 2 on PostgreSQL, next to pgbench on the store's statements",
  transport: "socket",
  servers: {
    w1: ourStoreServer({ kind: "postgres", database: "bench" }),
    // Its own database (a second server's --catalog would be refused by the first's), same cluster.
    w2: ourStoreServer({ kind: "postgres", database: "bench_w2" }, 2),
    postgres: { kind: "postgres", database: "bench" },
  },
  shapes: [
    {
      id: "postgres-c10",
      connections: 10,
      rows: [
        ours("1 worker query", "w1", "query"),
        ours("2 workers query", "w2", "query"),
        pgbench("pgbench select", "select"),
        ours("1 worker buy spread", "w1", "buy", SPREAD_TOYS),
        ours("2 workers buy spread", "w2", "buy", SPREAD_TOYS),
        pgbench("pgbench buy spread", "buy-spread"),
      ],
    },
  ],
  ratios: [
    { shape: "postgres-c10", of: "2 workers query", over: "1 worker query", goal: 1.0 },
    { shape: "postgres-c10", of: "2 workers buy spread", over: "1 worker buy spread", goal: 1.0 },
    { shape: "postgres-c10", of: "2 workers query", over: "pgbench select", goal: 1.0 },
    { shape: "postgres-c10", of: "2 workers buy spread", over: "pgbench buy spread", goal: 0.9 },
  ],
  pgbenchScripts: pgbenchScripts(),
};

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
];

/** The suites as `--list` prints them: servers, shapes with their rows, ratios with their goals. */
export function describeSuites(): string {
  return SUITES.flatMap((suite) => [
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
  ]).join("\n");
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
