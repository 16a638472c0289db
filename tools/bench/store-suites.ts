// The suites of the durable stores, as data: sqlite against Redis with every
// write synced and against the memory store; PostgreSQL against pgbench
// running the statements the store runs; one server process against two.

import type { RowSpec, StoreChoice, Suite } from "./suite.js";

/** Toys the stores' servers hold: one hot toy, and eight to spread buys over. */
export const SPREAD_TOYS: readonly string[] = Array.from({ length: 8 }, (_, i) => `Toy ${i + 1}`);
const STORE_TOYS = ["Tux", ...SPREAD_TOYS];

/**
 * Our servers on a store: a pool big enough that batches are not capped by
 * it (the original design's 5 would cap a commit batch at 5).
 */
export function ourStoreServer(store?: StoreChoice, workers = 1) {
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
export function pgbenchScripts(): Record<string, string> {
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

/** A pgbench row on the suite's PostgreSQL server, running one of pgbenchScripts(). */
export const pgbench = (id: string, script: string): RowSpec => ({
  id,
  server: "postgres",
  op: "query",
  generator: "pgbench",
  pgbench: script,
});
/** A row of our engine against one of our servers, naming `toys` (default Tux). */
export const ours = (id: string, server: string, op: "query" | "buy", toys?: readonly string[]): RowSpec => ({
  id,
  server,
  op,
  generator: "engine",
  ...(toys === undefined ? {} : { toys }),
});

/** The durable stores against their anchors: sqlite against Redis (AOF, always synced) and memory; postgres against pgbench. */
export const STORES: Suite = (() => {
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
export const STORES_WORKERS: Suite = {
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
