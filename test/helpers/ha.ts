// A PostgreSQL cluster with synchronous standbys and failover (Patroni) for
// node:test suites: whether to skip (never silently in CI), the keyed buy load
// the fault tests run through a failover, and the books of every node.
//
//   describe("...", { skip: haOrSkip().skip }, () => { ... PatroniCluster.start() ... });

import postgres from "postgres";
import type { StoreClient } from "../../src/client/store-client.js";
import { errorCode } from "../../src/errors.js";
import { PatroniCluster } from "../../src/study/measure/patroni-cluster.js";

/**
 * `{ skip: false }` when Patroni and PostgreSQL are here, else `{ skip: reason }`.
 * Throws instead when TOYSTORE_REQUIRE_HA=1: CI must run these suites.
 */
export function haOrSkip(): { skip: string | false } {
  const missing = PatroniCluster.missing();
  if (missing !== undefined && process.env.TOYSTORE_REQUIRE_HA === "1")
    throw new Error(`TOYSTORE_REQUIRE_HA=1, but ${missing}`);
  return { skip: missing ?? false };
}

export interface HaLoadPlan {
  readonly toys: readonly string[];
  /** Keys are `${prefix}-${client}-${buy}`. */
  readonly prefix: string;
  /** Each attempt's own deadline, ms. */
  readonly callTimeoutMs: number;
  /** A buy is sent again under its key until acknowledged, or this long after its first attempt, ms. */
  readonly giveUpMs: number;
  /** Each client's buys at most: bounds the run whatever happens. */
  readonly maxBuysPerClient: number;
  /** Between a failed attempt and the next. */
  readonly retryPauseMs: number;
}

/** What the clients saw. */
export interface HaLoad {
  /** Acknowledged buys: key → order id (gRPC gives one). */
  readonly acknowledged: Map<string, string | undefined>;
  /** Keys given up on (still failing after giveUpMs): their buy may or may not be stored. */
  readonly givenUp: string[];
  /** Attempts that failed, by error code (each retried under its key). */
  readonly failedAttempts: Record<string, number>;
  /** The longest time between two acknowledgements of any client, ms: the time without a primary as clients saw it. */
  longestGapMs: number;
  lastAckAt: number;
  stop: boolean;
}

export function newHaLoad(): HaLoad {
  return {
    acknowledged: new Map(),
    givenUp: [],
    failedAttempts: {},
    longestGapMs: 0,
    lastAckAt: performance.now(),
    stop: false,
  };
}

/** Every client buys, one buy at a time, each under its own key sent again until acknowledged; until `load.stop`. */
export async function runHaLoad(
  clients: readonly StoreClient[],
  plan: HaLoadPlan,
  load: HaLoad,
): Promise<void> {
  load.lastAckAt = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < plan.maxBuysPerClient && !load.stop; i++) {
        const key = `${plan.prefix}-${c}-${i}`;
        const toy = plan.toys[(c + i) % plan.toys.length]!;
        const first = performance.now();
        for (;;) {
          try {
            const result = await client.buy(toy, { requestKey: key, timeoutMs: plan.callTimeoutMs });
            if (result.kind !== "bought") throw new Error(`buy ${key}: ${result.kind}`);
            const now = performance.now();
            load.longestGapMs = Math.max(load.longestGapMs, now - load.lastAckAt);
            load.lastAckAt = now;
            load.acknowledged.set(key, result.orderId);
            break;
          } catch (error) {
            const code = errorCode(error);
            load.failedAttempts[code] = (load.failedAttempts[code] ?? 0) + 1;
            if (performance.now() - first > plan.giveUpMs) {
              load.givenUp.push(key);
              break;
            }
            await new Promise((r) => setTimeout(r, plan.retryPauseMs));
          }
        }
      }
    }),
  );
}

/** One node's books, read from its own PostgreSQL. */
export interface NodeBooks {
  readonly stock: number;
  readonly orders: number;
  readonly unitsSold: number;
  readonly keys: number;
}

/** Reads one database's books (stock left, orders and the units they sold, keys stored). */
export async function readBooks(url: string): Promise<NodeBooks> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [row] = await sql<{ stock: string; orders: string; units: string | null; keys: string }[]>`
      SELECT (SELECT sum(stock) FROM toys) AS stock, (SELECT count(*) FROM orders) AS orders,
             (SELECT sum(quantity) FROM orders) AS units, (SELECT count(*) FROM request_keys) AS keys`;
    return {
      stock: Number(row!.stock),
      orders: Number(row!.orders),
      unitsSold: Number(row!.units ?? 0),
      keys: Number(row!.keys),
    };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** For each key, the order it stored (null: stored sold out; absent: not stored), read on the primary. */
export async function storedOrders(
  url: string,
  keys: readonly string[],
): Promise<Map<string, string | null>> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const rows = await sql<{ key: string; order_id: string | null }[]>`
      SELECT key, order_id::text FROM request_keys WHERE key = ANY(${keys as string[]}::text[])`;
    return new Map(rows.map((r) => [r.key, r.order_id]));
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Polls `condition` (async) every `pollMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  pollMs = 200,
): Promise<void> {
  const giveUpAt = performance.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (performance.now() > giveUpAt) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
