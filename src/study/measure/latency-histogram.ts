// Latency statistics for every measuring tool (the bench engine, the load
// generator, the experiment): HDR histograms in microseconds, their encoding
// for IPC, merging in the parent, and the summaries reports print.

import * as hdr from "hdr-histogram-js";

/** A latency histogram; values are microseconds. */
export type LatencyHistogram = hdr.Histogram;

/** Smallest latency told apart from zero: 1 µs (a loopback round trip is tens of µs). */
export const LOWEST_LATENCY_MICROS = 1;
/** Largest latency tracked: 10 minutes. Longer values are clamped, not dropped, so counts stay right. */
export const HIGHEST_LATENCY_MICROS = 10 * 60 * 1_000_000;
/** Three significant digits: at 200 ms a bucket is 128 µs wide, far below what the study resolves. */
export const SIGNIFICANT_DIGITS = 3;

/**
 * A fresh, empty histogram with the project's fixed range and precision.
 * The plain JS implementation (32-bit counts) is used: the WASM build needs an
 * async init and an explicit destroy(), and recording is a few array updates
 * either way (the bench engine records once per group of replies, not per reply).
 */
export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({
    lowestDiscernibleValue: LOWEST_LATENCY_MICROS,
    highestTrackableValue: HIGHEST_LATENCY_MICROS,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });
}

/**
 * Records `count` latencies of `micros` each, rounded to whole microseconds and
 * clamped to the tracked range. On the bench engine's hot path: keep it this small.
 */
export function recordLatencyMicros(histogram: LatencyHistogram, micros: number, count = 1): void {
  histogram.recordValueWithCount(
    Math.min(Math.max(Math.round(micros), LOWEST_LATENCY_MICROS), HIGHEST_LATENCY_MICROS),
    count,
  );
}

/** The histogram as the standard compressed base64 string (HdrHistogram V2), small enough for an IPC message. */
export function encodeHistogram(histogram: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** Reads a histogram written by `encodeHistogram`. Throws on a string that is not one. */
export function decodeHistogram(encoded: string): LatencyHistogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // Re-home the values into a histogram with the fixed range, so merges never
  // depend on what range a decoded one happened to get.
  const histogram = createLatencyHistogram();
  histogram.add(decoded);
  return histogram;
}

/** A new histogram holding every value of the given ones (the inputs are not modified). */
export function mergeHistograms(histograms: Iterable<LatencyHistogram>): LatencyHistogram {
  const merged = createLatencyHistogram();
  for (const histogram of histograms) merged.add(histogram);
  return merged;
}

/**
 * Latency statistics, in milliseconds from `summarize` and in microseconds from
 * `summarizeMicros`. All fields are 0 when `count` is 0.
 */
export interface LatencySummary {
  /** Number of latencies recorded. */
  readonly count: number;
  readonly mean: number;
  readonly stdDev: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/**
 * Summarizes a histogram in microseconds. Percentiles, min and max are
 * histogram values (the edge of the value's bucket, within 0.1%), read through
 * the percentile lookup so a decoded histogram reports exactly what the
 * original did; the mean is exact when `exactSumMicros` (the sum of the
 * recorded values) is given.
 */
export function summarizeMicros(histogram: LatencyHistogram, exactSumMicros?: number): LatencySummary {
  return summarizeIn(1, histogram, exactSumMicros);
}

/** `summarizeMicros` in milliseconds: what every tool's results hold. */
export function summarize(histogram: LatencyHistogram, exactSumMicros?: number): LatencySummary {
  return summarizeIn(1000, histogram, exactSumMicros);
}

/** The summary with every figure divided by `scale` microseconds. */
function summarizeIn(scale: number, histogram: LatencyHistogram, exactSumMicros?: number): LatencySummary {
  const count = histogram.totalCount;
  const at = (percentile: number) => (count === 0 ? 0 : histogram.getValueAtPercentile(percentile) / scale);
  const mean =
    count === 0 ? 0 : (exactSumMicros === undefined ? histogram.mean : exactSumMicros / count) / scale;
  return {
    count,
    mean,
    stdDev: count === 0 ? 0 : histogram.stdDeviation / scale,
    min: at(0),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: at(100),
  };
}
