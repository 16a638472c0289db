// Well-behaved sessions, run in fleet processes (well-behaved-process.ts): a
// client connects, sends a mix of queries and buys one at a time, checks
// every answer, and reconnects after a while. They count what was
// acknowledged (for the books) and every error they saw (there must be none),
// and report plain JSON: counts, and the latencies as an HDR histogram.

import type { BuyResult, QueryResult } from "../../src/catalog/toy.js";
import { connect } from "../../src/client/connect.js";
import type { StoreClient, Transport } from "../../src/client/store-client.js";
import { errorCode } from "../../src/errors.js";
import * as latency from "../../src/study/measure/latency-histogram.js";
import { Rng } from "../../src/study/measure/random.js";
import type { Counts, StopReason } from "../../src/study/measure/results.js";

/** A toy the well-behaved clients trade in (large stock: it never sells out). */
export interface StressToy {
  readonly name: string;
  readonly priceCents: number;
  readonly stock: number;
}

/** One process's share: `sessions` at once over one transport, each replaced by a new one when it ends. */
export interface WellBehavedPlan {
  readonly transport: Transport;
  readonly port: number;
  readonly toys: readonly StressToy[];
  /** Sold out from the start. */
  readonly soldOut: string;
  readonly sessions: number;
  readonly requestsPerSession: number;
  /** From the start barrier to the end of the load phase (warm-up + load), ms; "stop" ends it sooner. */
  readonly durationMs: number;
  readonly seed: number;
}

function newTally(transport: Transport) {
  return {
    transport,
    sessions: 0,
    requests: 0,
    elapsedMs: 0,
    stopReason: "duration" as StopReason,
    /** Round trips of the answered requests, µs, encoded (encodeHistogram). */
    histogram: "",
    /** Answers by kind ("in_stock", "bought", "sold_out", "not_found"), and "wrong" ones. */
    outcomes: {} as Counts,
    /** Failed connects and requests by error code. */
    errors: {} as Counts,
    /** Buys acknowledged as bought, per toy. */
    acked: {} as Counts,
    /** Buys that failed with an error: the client cannot know whether they ran. */
    unknownBuys: 0,
    /** The first few wrong answers and errors, for the report. */
    wrong: [] as string[],
    errorSamples: [] as string[],
  };
}

/** What a process reports. */
export type WellBehavedResult = Readonly<ReturnType<typeof newTally>>;

const CALL = { timeoutMs: 15_000 };
const SAMPLES = 10;

const add = (counts: Counts, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Runs the plan's sessions from now until its duration ends or `signal` aborts. */
export async function runWellBehaved(plan: WellBehavedPlan, signal: AbortSignal): Promise<WellBehavedResult> {
  const t = newTally(plan.transport);
  const histogram = latency.createLatencyHistogram();
  const startedAt = performance.now();
  const stopped = () => signal.aborted || performance.now() - startedAt >= plan.durationMs;
  const fail = (what: string, error: unknown): void => {
    add(t.errors, errorCode(error));
    const message = error instanceof Error ? error.message : String(error);
    if (t.errorSamples.length < SAMPLES) t.errorSamples.push(`${plan.transport} ${what}: ${message}`);
  };

  /** One session: connect, run requests until its count or the stop, close. An error ends the session. */
  const session = async (rng: Rng): Promise<void> => {
    let client: StoreClient;
    try {
      client = await connect({ transport: plan.transport, port: plan.port });
    } catch (error) {
      return fail("connect", error);
    }
    t.sessions++;
    // Within a session requests are sequential, so the stock it sees never goes up.
    const lastSeen = new Map<string, number>();
    try {
      for (let i = 0; i < plan.requestsPerSession && !stopped(); i++) {
        const roll = rng.next();
        const toy = rng.pick(plan.toys);
        const [op, name, expected] =
          roll < 0.3
            ? ["buy", toy.name, "bought"]
            : roll < 0.9
              ? ["query", toy.name, "in_stock"]
              : roll < 0.95
                ? ["query", plan.soldOut, "sold_out"]
                : ["query", "Nope", "not_found"];
        t.requests++;
        const sentAt = performance.now();
        let result: QueryResult | BuyResult;
        try {
          result = await (op === "buy" ? client.buy(name, CALL) : client.query(name, CALL));
        } catch (error) {
          if (op === "buy") t.unknownBuys++;
          return fail(`${op} ${name}`, error);
        }
        latency.recordLatencyMicros(histogram, (performance.now() - sentAt) * 1000);
        if (result.kind === "bought") add(t.acked, name);
        const stock =
          result.kind === "in_stock" ? result.stock : result.kind === "bought" ? result.stockLeft : undefined;
        const before = lastSeen.get(name) ?? toy.stock;
        if (stock !== undefined) lastSeen.set(name, stock);
        const wrong =
          result.kind !== expected || (result.kind === "in_stock" && result.priceCents !== toy.priceCents)
            ? JSON.stringify(result)
            : stock !== undefined && (result.kind === "bought" ? stock >= before : stock > before)
              ? `stock ${stock} after ${before}`
              : undefined;
        add(t.outcomes, wrong === undefined ? result.kind : "wrong");
        if (wrong !== undefined && t.wrong.length < SAMPLES)
          t.wrong.push(`${t.transport} ${op} ${name}: ${wrong}`);
      }
    } finally {
      await client.close();
    }
  };

  const rng = new Rng(plan.seed);
  await Promise.all(
    Array.from({ length: plan.sessions }, async () => {
      const own = rng.fork();
      while (!stopped()) await session(own);
    }),
  );
  return {
    ...t,
    elapsedMs: performance.now() - startedAt,
    stopReason: signal.aborted ? "aborted" : "duration",
    histogram: latency.encodeHistogram(histogram),
  };
}
