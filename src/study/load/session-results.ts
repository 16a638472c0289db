// A session run's own figures (`load --session`), merged from its clients:
// latency per request type, and the orders they read back.

import {
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  summarize,
} from "../measure/latency-histogram.js";
import { addCounts } from "../measure/results.js";
import type { EncodedClientTally, EncodedOpTally } from "./client-group.js";
import type { Op } from "./load-options.js";
import { mergeOrderChecks } from "./order-check.js";
import type { OpResults, SessionResults } from "./results.js";

/** The session figures of the clients' tallies; undefined when they ran no session. */
export function mergeSessions(
  buyProbability: number | null,
  tallies: readonly EncodedClientTally[],
): SessionResults | undefined {
  const sessions = tallies.flatMap((tally) => (tally.session === undefined ? [] : [tally.session]));
  if (buyProbability === null || sessions.length === 0) return undefined;
  const op = (name: Op) => mergeOps(sessions.map((session) => session.ops[name]));
  return {
    buyProbability,
    query: op("query"),
    buy: op("buy"),
    orders: mergeOrderChecks(sessions.map((session) => session.orders)),
  };
}

function mergeOps(tallies: readonly EncodedOpTally[]): OpResults {
  const histogram = mergeHistograms(tallies.map((tally) => decodeHistogram(tally.histogram)));
  return {
    latency: summarize(
      histogram,
      tallies.reduce((sum, tally) => sum + tally.sumMicros, 0),
    ),
    histogram: encodeHistogram(histogram),
    outcomes: addCounts(tallies.map((tally) => tally.outcomes)),
    errors: addCounts(tallies.map((tally) => tally.errors)),
  };
}
