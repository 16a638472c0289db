// The result types every measuring tool writes (the load generator, the
// experiment's cells, the throughput engine, the stress run): plain JSON with
// the options, the environment, an HDR histogram and the stop reason, so one
// summary and one printer serve them all.

import type { Environment } from "./environment.js";
import {
  encodeHistogram,
  type LatencyHistogram,
  type LatencySummary,
  summarize,
} from "./latency-histogram.js";

/**
 * Why a run ended: "completed" (every client sent its requests), "duration"
 * (the time bound passed), "aborted" (the caller stopped it), or
 * "connection_lost" (a connection broke, so its client stopped early).
 */
export type StopReason = "completed" | "duration" | "aborted" | "connection_lost";

/** Counts keyed by an error code (StoreError's `code`) or an outcome kind ("in_stock", "bought", ...). */
export type Counts = Record<string, number>;

/** What every tool's result carries. */
export interface Measurement<Kind extends string, Options> {
  readonly kind: Kind;
  readonly version: 1;
  /** Every option that shaped the numbers, resolved. */
  readonly options: Options;
  readonly environment: Environment;
  /** Latency, ms; the mean is exact where the tool kept exact sums. */
  readonly latency: LatencySummary;
  /** Successful requests per second over the measured phase. */
  readonly throughputPerSecond: number;
  /** Length of the measured phase, ms. */
  readonly elapsedMs: number;
  /** Failed requests by error code. */
  readonly errors: Counts;
  readonly stopReason: StopReason;
  /** Every latency, microseconds, as an encoded HDR histogram: percentiles can be recomputed. */
  readonly histogram: string;
}

/** The measured part of a Measurement, from a merged histogram. */
export function measured(
  histogram: LatencyHistogram,
  run: {
    readonly elapsedMs: number;
    readonly errors: Counts;
    readonly stopReason: StopReason;
    readonly exactSumMicros?: number;
  },
): Pick<
  Measurement<string, unknown>,
  "latency" | "throughputPerSecond" | "elapsedMs" | "errors" | "stopReason" | "histogram"
> {
  return {
    latency: summarize(histogram, run.exactSumMicros),
    throughputPerSecond: run.elapsedMs === 0 ? 0 : (histogram.totalCount * 1000) / run.elapsedMs,
    elapsedMs: run.elapsedMs,
    errors: run.errors,
    stopReason: run.stopReason,
    histogram: encodeHistogram(histogram),
  };
}

/** Adds counts key by key. */
export function addCounts(all: readonly Counts[]): Counts {
  const total: Counts = {};
  for (const counts of all) for (const [key, n] of Object.entries(counts)) total[key] = (total[key] ?? 0) + n;
  return total;
}

/** The most telling reason any part stopped: a lost connection, then an abort, then the time bound. */
export function overallStopReason(reasons: readonly StopReason[]): StopReason {
  for (const reason of ["connection_lost", "aborted", "duration"] as const) {
    if (reasons.includes(reason)) return reason;
  }
  return "completed";
}

/** "key n, key n" or "none". */
export function formatCounts(counts: Counts): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "none" : entries.map(([key, n]) => `${key} ${n}`).join(", ");
}

/** The lines every tool prints under its own headline: latency, throughput, errors, stop reason. */
export function formatMeasurement(m: Measurement<string, unknown>): string[] {
  const { latency: l } = m;
  const ms = (value: number) => (value < 10 ? value.toFixed(3) : value.toFixed(1));
  return [
    `latency ms   mean ${ms(l.mean)}   p50 ${ms(l.p50)}   p90 ${ms(l.p90)}   p99 ${ms(l.p99)}   p99.9 ${ms(l.p999)}   max ${ms(l.max)}   (${l.count} requests)`,
    `throughput   ${m.throughputPerSecond.toFixed(1)} req/s over ${(m.elapsedMs / 1000).toFixed(2)} s`,
    `errors   ${formatCounts(m.errors)}`,
    `stopped   ${m.stopReason}`,
  ];
}
