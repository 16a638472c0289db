// The labs' client as a load shape (`load --session`): on its one
// connection, a client queries a random toy and, when the answer says it is
// in stock, buys 1 to 5 of it with probability P, over and over; it keeps
// every order it was told about, for order-check.ts to read back once the
// run is over. Closed loop only: what a session sends next depends on the
// answer. Latency is measured per request type.

import type { StoreClient } from "../../client/store-client.js";
import { errorCode } from "../../errors.js";
import {
  createLatencyHistogram,
  type LatencyHistogram,
  recordLatencyMicros,
} from "../measure/latency-histogram.js";
import { Rng } from "../measure/random.js";
import type { Counts } from "../measure/results.js";
import { type ClientTally, createClientTally } from "./client-loop.js";
import type { LoadOptions, Op } from "./load-options.js";

/** A session buys 1 to this many units, drawn uniformly, whatever the stock (a sold-out answer is an outcome). */
export const SESSION_MAX_QUANTITY = 5;

/** An order a client was told about: the id the buy answered, and what the client bought. */
export interface RecordedOrder {
  /** null: the answer said "bought" without an order id, so there is nothing to read back. */
  readonly id: string | null;
  readonly toy: string;
  readonly quantity: number;
}

/** One request type's measurements within a client. */
export interface OpTally {
  readonly histogram: LatencyHistogram;
  count: number;
  /** Exact sum of the recorded latencies, microseconds. */
  sumMicros: number;
  readonly errors: Counts;
  readonly outcomes: Counts;
}

/** What one session client measured: every request (ClientTally), each request type alone, and its orders. */
export interface SessionTally extends ClientTally {
  readonly ops: Readonly<Record<Op, OpTally>>;
  /** Every buy answered "bought", warm-up included (its sales are as real), in order. */
  readonly orders: RecordedOrder[];
}

/** The options a session reads. */
export type SessionLoopOptions = Pick<
  LoadOptions,
  "requests" | "durationMs" | "warmupMs" | "toys" | "toyChoice" | "timeoutMs" | "seed" | "buyProbability"
>;

function createOpTally(): OpTally {
  return { histogram: createLatencyHistogram(), count: 0, sumMicros: 0, errors: {}, outcomes: {} };
}

/** A fresh, empty tally. */
export function createSessionTally(): SessionTally {
  return {
    ...createClientTally(),
    ops: { query: createOpTally(), buy: createOpTally() },
    orders: [],
  };
}

interface Session {
  readonly client: StoreClient;
  readonly tally: SessionTally;
  readonly signal: AbortSignal | undefined;
  /** Set once the connection is gone: every further request would fail at once. */
  lost: boolean;
}

/**
 * Runs session client number `index` (0-based) to the end of its run: R
 * steps (`requests`), or steps for `durationMs` after `warmupMs`. A step is
 * a query and, with probability `buyProbability` when the toy is in stock, a
 * buy. Never rejects: failed requests are counted by code; a lost connection
 * ends the client (stop reason "connection_lost") unless it reconnects by
 * itself; `signal` ends it early ("aborted").
 */
export async function runSession(
  client: StoreClient,
  index: number,
  options: SessionLoopOptions,
  signal?: AbortSignal,
): Promise<SessionTally> {
  const tally = createSessionTally();
  const session: Session = { client, tally, signal, lost: false };
  const step = createStep(session, options, index);
  const stopped = () => session.lost || signal?.aborted === true;
  if (options.warmupMs > 0) {
    const warmupEnd = performance.now() + options.warmupMs;
    while (performance.now() < warmupEnd && !stopped()) await step(false);
  }
  const start = performance.now();
  const end = options.durationMs === null ? Number.POSITIVE_INFINITY : start + options.durationMs;
  for (let steps = 0; !stopped(); steps++) {
    if (options.durationMs === null ? steps >= options.requests : performance.now() >= end) {
      tally.stopReason = options.durationMs === null ? "completed" : "duration";
      break;
    }
    await step(true);
  }
  tally.elapsedMs = performance.now() - start;
  tally.failovers = client.failovers ?? 0;
  if (session.lost) tally.stopReason = "connection_lost";
  else if (signal?.aborted) tally.stopReason = "aborted";
  return tally;
}

/** One step of client `index`'s session, drawing from its own seeded generator. */
function createStep(
  session: Session,
  options: SessionLoopOptions,
  index: number,
): (measured: boolean) => Promise<void> {
  const rng = new Rng(options.seed + index);
  const toys =
    options.toyChoice === "per-client" ? [options.toys[index % options.toys.length]!] : options.toys;
  const probability = options.buyProbability ?? 0;
  const call = options.timeoutMs === null ? {} : { timeoutMs: options.timeoutMs };
  return async (measured) => {
    // Every draw is made whatever the answers, so a seed gives the same choices run after run.
    const toy = rng.pick(toys);
    const buys = rng.chance(probability);
    const quantity = rng.int(1, SESSION_MAX_QUANTITY);
    const stock = await timed(session, "query", measured, () => session.client.query(toy, call));
    if (stock?.kind !== "in_stock" || !buys) return;
    // Always with a quantity: the socket protocol's detailed buy, whose answer carries the order id.
    const sale = await timed(session, "buy", measured, () => session.client.buy(toy, { ...call, quantity }));
    if (sale?.kind === "bought") session.tally.orders.push({ id: sale.orderId ?? null, toy, quantity });
  };
}

/**
 * Sends one request and, when `measured`, records its latency (the clock
 * read right before the call and right after it settles) and its outcome or
 * error code, for its type and overall. Resolves undefined when it failed.
 */
async function timed<T extends { readonly kind: string }>(
  session: Session,
  op: Op,
  measured: boolean,
  send: () => Promise<T>,
): Promise<T | undefined> {
  const { tally } = session;
  const sentAt = performance.now();
  try {
    const answer = await send();
    const micros = (performance.now() - sentAt) * 1000;
    if (measured) {
      for (const into of [tally, tally.ops[op]]) {
        recordLatencyMicros(into.histogram, micros);
        into.count++;
        into.sumMicros += micros;
        count(into.outcomes, answer.kind);
      }
    }
    return answer;
  } catch (error) {
    const code = errorCode(error);
    // A client that reconnects by itself (--servers) goes on; any other is done.
    if (code === "unavailable" && session.client.reconnects !== true) session.lost = true;
    if (measured) {
      count(tally.errors, code);
      count(tally.ops[op].errors, code);
    }
    return undefined;
  }
}

function count(counts: Counts, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
