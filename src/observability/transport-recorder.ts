// A transport's RequestRecorder: its answered requests as plain numbers, by
// operation and outcome, with their durations and the rate of the last
// seconds. Read only when scraped (StoreMetrics) or polled (stats()).
//
// done() is on every request's path (the socket transport answers some
// 300,000 requests a second on 2 cores), so it costs a few plain increments:
// the operations' records are made once, in the operations table's order, and
// found by comparing names (interned strings, so a pointer compare, the hot
// query and buy first); the outcome is one Map get, as its kinds are open
// (error codes included). No label object, no hash of labels and no
// prom-client call per request.

import { OP_NAMES, type OpName, type OutcomeOf } from "../service/operations/index.js";
import { type BucketHistogram, type BucketSeries, estimateQuantile } from "./bucket-histogram.js";
import { coarseNow } from "./clock.js";
import { RateWindow } from "./rate-window.js";
import type { RequestRecorder } from "./request-recorder.js";

/** The transports that record, as their `transport` label says. */
export type TransportName = "socket" | "original-socket" | "grpc" | "http";

/** Distinct outcomes kept per transport and op; more are counted as "other" (outcomes are codes, not free text). */
const MAX_OUTCOMES = 32;
const OTHER_OUTCOME = "other";

/**
 * The results an operation answers with, shown at 0 from the start so that
 * Prometheus's rate() sees them begin. Optional per operation: one not listed
 * here shows each outcome from its first answer on.
 */
const BUSINESS_OUTCOMES: { readonly [K in OpName]?: readonly OutcomeOf[K]["kind"][] } = {
  query: ["in_stock", "sold_out", "not_found"],
  buy: ["bought", "sold_out", "not_found"],
  restock: ["restocked", "not_found"],
  order: ["order", "not_found"],
  list: ["list"],
};

/** A count of one outcome. */
interface Tally {
  n: number;
}

/** One operation's answers on one transport. */
export class OpRecord {
  readonly op: OpName;
  /** Durations in ms, from the request's startedAt to its answer. */
  readonly duration: BucketSeries;
  readonly #outcomes = new Map<string, Tally>();

  constructor(op: OpName, duration: BucketSeries) {
    this.op = op;
    this.duration = duration;
    const known = Object.hasOwn(BUSINESS_OUTCOMES, op) ? BUSINESS_OUTCOMES[op]! : [];
    for (const outcome of known) this.#outcomes.set(outcome, { n: 0 });
  }

  /** Answers by outcome: the business outcomes first, then the others as first seen, then "other". */
  get outcomes(): ReadonlyMap<string, { readonly n: number }> {
    return this.#outcomes;
  }

  count(outcome: string): void {
    const tally = this.#outcomes.get(outcome) ?? this.#newOutcome(outcome);
    tally.n++;
  }

  #newOutcome(outcome: string): Tally {
    const key = this.#outcomes.size < MAX_OUTCOMES ? outcome : OTHER_OUTCOME;
    let tally = this.#outcomes.get(key);
    if (tally === undefined) {
      tally = { n: 0 };
      this.#outcomes.set(key, tally);
    }
    return tally;
  }
}

/**
 * One transport's recorder. Its durations are series of the histogram it is
 * given (labels transport and op), one per operation of the operations table,
 * made at once so that they show from the start.
 */
export class TransportRecorder implements RequestRecorder {
  readonly transport: TransportName;
  readonly #durations: BucketHistogram;
  readonly #ops: OpRecord[] = [];
  readonly #rate = new RateWindow(coarseNow());

  constructor(transport: TransportName, durations: BucketHistogram) {
    this.transport = transport;
    this.#durations = durations;
    for (const op of OP_NAMES) this.#addOp(op);
  }

  /** The operations' records, in the operations table's order. */
  get ops(): readonly OpRecord[] {
    return this.#ops;
  }

  now(): number {
    return coarseNow();
  }

  done(op: OpName, outcome: string, startedAt: number): void {
    const now = coarseNow();
    // A startedAt read from performance.now() later in this same callback is after `now`: 0.
    const ms = now > startedAt ? now - startedAt : 0;
    const record = this.#recordOf(op);
    record.duration.observe(ms);
    record.count(outcome);
    this.#rate.count(now);
  }

  /** Requests answered per second over the current second and the 5 before it (or since this recorder began, if later). */
  requestsPerSecond(now: number): number {
    return this.#rate.perSecond(now);
  }

  /**
   * The 99th percentile of every request answered since start (every op), in
   * ms, estimated from the duration buckets (see estimateQuantile). So below
   * 100 µs it says only "under 0.1 ms", and elsewhere it is within its bucket
   * (a factor of 2 to 2.5). null before any request.
   */
  p99Ms(): number | null {
    return estimateQuantile(
      this.#ops.map((record) => record.duration),
      0.99,
    );
  }

  #recordOf(op: OpName): OpRecord {
    const ops = this.#ops;
    for (let i = 0; i < ops.length; i++) {
      const record = ops[i]!;
      if (record.op === op) return record;
    }
    // Not in the operations table (a caller outside the types): counted all the same.
    return this.#addOp(op);
  }

  #addOp(op: OpName): OpRecord {
    const record = new OpRecord(op, this.#durations.child({ transport: this.transport, op }));
    this.#ops.push(record);
    return record;
  }
}
