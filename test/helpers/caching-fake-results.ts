// A small, deterministic caching study's results (`experiment --session
// --servers-per-cell 2 --query-cache off,on` on postgres) for the report
// writers' tests: cells made by the runner's own toSessionCell from fake
// loads and fake /api/stats figures. With the cache on, queries are faster
// and hit less often as P grows; buys are the same either way.

import { planSessionCells } from "../../src/study/load/cell-plan.js";
import {
  type ExperimentOptionsInput,
  resolveExperimentOptions,
} from "../../src/study/load/experiment-options.js";
import type { ExperimentResults, ServerCachingStats } from "../../src/study/load/results.js";
import { toSessionCell } from "../../src/study/load/session-cell.js";
import { fakeSessionResults, op } from "./session-fake-results.js";

const NO_DELAYS = { p50: null, p99: null, max: null } as const;

/** Server k's figures in a cell: the second server hears announcements a little later than the first. */
export function fakeServerStats(
  queryCache: boolean,
  queries: number,
  buys: number,
  probability: number,
  k: number,
): ServerCachingStats {
  const hits = queryCache ? Math.round((queries / 2) * (0.95 - 0.5 * probability)) : 0;
  return {
    cache: queryCache ? { hits, misses: Math.round(queries / 2) - hits, entries: 7 } : null,
    announcements: {
      received: buys,
      delayMs: buys === 0 ? NO_DELAYS : { p50: 0.4 + k, p99: 1.5 + k, max: 4 + 2 * k },
      // Half the sales are the other server's client's, heard a little later.
      fromOthers: {
        received: Math.floor(buys / 2),
        delayMs: buys < 2 ? NO_DELAYS : { p50: 0.5 + k, p99: 2 + k, max: 4 + 2 * k },
      },
    },
  };
}

/** Caching-study results for `input` (merged into the caching study's options on postgres, two servers). */
export function fakeCachingResults(input: ExperimentOptionsInput = {}): ExperimentResults {
  const options = resolveExperimentOptions({
    session: true,
    stores: ["postgres"],
    serversPerCell: 2,
    queryCache: ["off", "on"],
    ...input,
  });
  const sessionCells = planSessionCells(options).map((plan, k) => {
    const queries = plan.clients * options.requests;
    const buys = Math.round(queries * plan.buyProbability * 0.9);
    const query = op(queries, (plan.queryCache ? 0.3 : 1.1) + 0.1 * plan.buyProbability, "in_stock");
    const buy = op(buys, 4 + plan.buyProbability, "bought");
    return toSessionCell(
      plan,
      options,
      {
        latency: query.latency,
        throughputPerSecond: 500 + k,
        errors: {},
        stopReason: "completed",
        elapsedMs: 1000,
        session: {
          buyProbability: plan.buyProbability,
          query,
          buy,
          orders: { recorded: buys, verified: buys, unchecked: 0, failed: {}, problems: [] },
        },
      },
      {
        servers: options.serversPerCell,
        serverStats: [0, 1].map((server) =>
          fakeServerStats(plan.queryCache === true, queries, buys, plan.buyProbability, server),
        ),
      },
    );
  });
  const { environment } = fakeSessionResults({ transports: ["socket"], buyProbabilities: [0] });
  return {
    kind: "toystore-experiment",
    version: 1,
    options,
    environment,
    startedAt: "2025-01-01T00:00:00.000Z",
    finishedAt: "2025-01-01T00:05:00.000Z",
    cells: [],
    sessionCells,
  };
}
