// A small, deterministic session experiment's results (`experiment
// --session`) for the report writers' tests: cells made by the runner's own
// toSessionCell from fake loads, buys slower than queries and slower as P grows.

import { planSessionCells } from "../../src/study/load/cell-plan.js";
import {
  type ExperimentOptionsInput,
  resolveExperimentOptions,
} from "../../src/study/load/experiment-options.js";
import type { ExperimentResults, OpResults, OrderCheck } from "../../src/study/load/results.js";
import { toSessionCell } from "../../src/study/load/session-cell.js";
import {
  createLatencyHistogram,
  encodeHistogram,
  recordLatencyMicros,
  summarize,
} from "../../src/study/measure/latency-histogram.js";
import { fakeExperimentResults } from "./load-fake-results.js";

/** One request type's figures: `count` requests of `meanMs` each, all answered `kind`. */
export function op(count: number, meanMs: number, kind: string): OpResults {
  const histogram = createLatencyHistogram();
  if (count > 0) recordLatencyMicros(histogram, meanMs * 1000, count);
  return {
    latency: summarize(histogram),
    histogram: encodeHistogram(histogram),
    outcomes: count === 0 ? {} : { [kind]: count },
    errors: {},
  };
}

/** Session results for `input` (merged into { session: true }); `orders` overrides every cell's check. */
export function fakeSessionResults(
  input: ExperimentOptionsInput = {},
  orders?: (index: number, recorded: number) => OrderCheck,
): ExperimentResults {
  const options = resolveExperimentOptions({ session: true, ...input });
  const sessionCells = planSessionCells(options).map((plan, k) => {
    const queries = plan.clients * options.requests;
    const buys = Math.round(queries * plan.buyProbability * 0.9);
    const query = op(queries, options.workMs + 1 + 2 * plan.buyProbability, "in_stock");
    const buy = op(
      buys,
      options.workMs * (2 + plan.buyProbability) + (plan.transport === "grpc" ? 3 : 1),
      "bought",
    );
    return toSessionCell(plan, options, {
      latency: query.latency,
      throughputPerSecond: 100 + k,
      errors: {},
      stopReason: "completed",
      elapsedMs: 1000,
      session: {
        buyProbability: plan.buyProbability,
        query,
        buy,
        orders: orders?.(k, buys) ?? {
          recorded: buys,
          verified: buys,
          unchecked: 0,
          failed: {},
          problems: [],
        },
      },
    });
  });
  const { environment } = fakeExperimentResults({
    transports: ["socket"],
    clients: [1],
    ops: ["query"],
    locks: ["mutex"],
  });
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
