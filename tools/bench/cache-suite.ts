// The query cache's suite, as data: on PostgreSQL, Query answered from
// `serve --query-cache` against the same server without it, against
// pgbench's SELECT on the same statement and data, and against the memory
// store; Buy with the announcements on against `--db-announce off` (what
// announcing costs), and Buy with the cache on (what keeping it current costs).

import { ourStoreServer, ours, pgbench, pgbenchScripts, SPREAD_TOYS } from "./store-suites.js";
import type { Suite } from "./suite.js";

/** Buys spread over eight toys: one hot row would make every row wait on its lock, hiding what announcing adds. */
const BUY_TOYS = SPREAD_TOYS;

export const CACHE: Suite = {
  name: "cache",
  description:
    "on PostgreSQL: Query with serve --query-cache against without, pgbench's SELECT and the memory store; Buy with announcements on against --db-announce off, and with the cache on",
  transport: "socket",
  servers: {
    // Each of ours on a database of its own: a second server's --catalog would be refused by the first's.
    uncached: ourStoreServer({ kind: "postgres", database: "bench" }),
    cached: {
      ...ourStoreServer({ kind: "postgres", database: "bench_cached" }),
      switches: ["--query-cache"],
    },
    quiet: {
      ...ourStoreServer({ kind: "postgres", database: "bench_quiet" }),
      flags: { ...ourStoreServer().flags, dbAnnounce: "off" },
    },
    memory: ourStoreServer(),
    // pgbench on the uncached server's database, after it: its scripts read the tables that server filled.
    postgres: { kind: "postgres", database: "bench" },
  },
  shapes: [
    {
      id: "postgres-c10",
      connections: 10,
      rows: [
        ours("cached query", "cached", "query"),
        ours("postgres query", "uncached", "query"),
        pgbench("pgbench select", "select"),
        ours("memory query", "memory", "query"),
        ours("announce on buy", "uncached", "buy", BUY_TOYS),
        ours("announce off buy", "quiet", "buy", BUY_TOYS),
        ours("cached buy", "cached", "buy", BUY_TOYS),
      ],
    },
  ],
  ratios: [
    { shape: "postgres-c10", of: "cached query", over: "pgbench select", goal: 1.0 },
    { shape: "postgres-c10", of: "cached query", over: "memory query", goal: 0.9 },
    { shape: "postgres-c10", of: "cached query", over: "postgres query" },
    { shape: "postgres-c10", of: "postgres query", over: "pgbench select" },
    // Within the noise: announcing is one NOTIFY in the statement that already commits.
    { shape: "postgres-c10", of: "announce on buy", over: "announce off buy", goal: 0.95 },
    { shape: "postgres-c10", of: "cached buy", over: "announce on buy", goal: 0.95 },
  ],
  pgbenchScripts: pgbenchScripts(),
};
