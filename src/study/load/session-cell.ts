// One cell of the labs' experiment (`experiment --session`), run: a fresh
// store and server(s) as every cell gets (run-cell.ts), N session clients
// buying with the cell's probability, and their figures set down as the
// results' SessionCell; in the caching study, with each server's cache and
// announcement figures read from its /api/stats once the clients are done.

import { POSTGRES_CACHE_OPTIONS } from "../../stores/postgres/cache-options.js";
import { readCachingStats } from "./caching-stats.js";
import type { SessionCellPlan } from "./cell-plan.js";
import { type CellStores, storeLabel } from "./cell-stores.js";
import type { ExperimentOptions } from "./experiment-options.js";
import type { LoadResults, ServerCachingStats, SessionCell } from "./results.js";
import { type CellHooks, type CellServerSetup, onCellServers } from "./run-cell.js";
import { type LoadFleet, runLoad } from "./run-load.js";

/** What a session cell measured: its load, and (the caching study) its servers' figures. */
export interface SessionCellRun {
  readonly load: LoadResults;
  /** How many servers the cell ran. */
  readonly servers: number;
  /** Each server's /api/stats figures, in server order; only in the caching study. */
  readonly serverStats?: readonly ServerCachingStats[];
}

/** What a session cell's servers get: in the caching study, HTTP for /api/stats and the cache when on. */
export function sessionServerSetup(plan: SessionCellPlan, options: ExperimentOptions): CellServerSetup {
  if (plan.queryCache === undefined) return {};
  if (!plan.queryCache) return { http: true };
  return {
    http: true,
    switches: [POSTGRES_CACHE_OPTIONS.queryCache.flag],
    ...(options.queryCacheSize === null ? {} : { flags: { queryCacheSize: options.queryCacheSize } }),
  };
}

/**
 * Runs one session cell on a fresh store and server(s) (the built-in catalog,
 * as the labs' store starts), and stops and removes them whatever happens.
 * Throws when a server does not start, the load cannot run, or (the caching
 * study) a server's /api/stats cannot be read.
 */
export function runSessionCell(
  plan: SessionCellPlan,
  options: ExperimentOptions,
  fleet: LoadFleet,
  stores: CellStores,
  hooks: CellHooks,
): Promise<SessionCellRun> {
  return onCellServers(
    plan,
    sessionServerSetup(plan, options),
    options,
    fleet,
    stores,
    hooks,
    async (target, loadHooks, servers) => {
      const load = await runLoad(
        {
          ...target,
          session: true,
          buyProbability: plan.buyProbability,
          clients: plan.clients,
          requests: options.requests,
          toys: options.toys,
          seed: options.seed,
          clientsPerProcess: options.clientsPerProcess,
          primeRequests: options.primeRequests,
        },
        loadHooks,
      );
      if (plan.queryCache === undefined) return { load, servers: servers.length };
      const serverStats = await Promise.all(
        servers.map((server) => {
          const port = server.ports.http;
          if (port === undefined)
            throw new Error(`server ${server.pid} serves no HTTP: no /api/stats to read`);
          return readCachingStats(server.host, port);
        }),
      );
      return { load, servers: servers.length, serverStats };
    },
  );
}

/** What a session cell reads of its load's results. */
export type SessionCellLoad = Pick<
  LoadResults,
  "latency" | "throughputPerSecond" | "errors" | "stopReason" | "elapsedMs" | "session"
>;

/**
 * A session cell's results. `servers` and `serverStats` are set down only
 * where they say something (more than one server; the caching study), so a
 * plain session cell's data stays as it was. Throws if the load ran no
 * session (a bug, not a measurement).
 */
export function toSessionCell(
  plan: SessionCellPlan,
  options: ExperimentOptions,
  load: SessionCellLoad,
  run: Omit<SessionCellRun, "load"> = { servers: 1 },
): SessionCell {
  const { session } = load;
  if (session === undefined) throw new Error("a session cell's load reported no session figures");
  return {
    transport: plan.transport,
    lock: plan.lock,
    store: storeLabel(plan.store),
    clients: plan.clients,
    requests: options.requests,
    workMs: options.workMs,
    buyProbability: plan.buyProbability,
    query: session.query,
    buy: session.buy,
    measured: load.latency,
    throughputPerSecond: load.throughputPerSecond,
    errors: load.errors,
    orders: session.orders,
    stopReason: load.stopReason,
    elapsedMs: load.elapsedMs,
    ...(run.servers === 1 ? {} : { servers: run.servers }),
    ...(plan.queryCache === undefined ? {} : { queryCache: plan.queryCache }),
    ...(run.serverStats === undefined ? {} : { serverStats: run.serverStats }),
  };
}
