// Latency statistics: HDR histograms in microseconds, their encoding for IPC,
// merging in the parent, and the summary in milliseconds that reports print.

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
 * async init and an explicit destroy(), and at a few thousand values per run
 * recording speed is irrelevant next to a network round trip.
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

/** Records one latency, rounded to whole microseconds and clamped to the tracked range. */
export function recordLatencyMicros(histogram: LatencyHistogram, micros: number): void {
  histogram.recordValue(
    Math.min(Math.max(Math.round(micros), LOWEST_LATENCY_MICROS), HIGHEST_LATENCY_MICROS),
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

/** Latency statistics in milliseconds. All fields are 0 when `count` is 0. */
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
 * Summarizes a histogram in milliseconds. Percentiles, min and max are histogram
 * values (the edge of the value's bucket, within 0.1%); the mean is the histogram's unless `exactSumMicros`, the exact
 * sum of the recorded values, is given, in which case the mean is exact.
 */
export function summarize(histogram: LatencyHistogram, exactSumMicros?: number): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, mean: 0, stdDev: 0, min: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const ms = (micros: number) => micros / 1000;
  return {
    count,
    mean: ms(exactSumMicros === undefined ? histogram.mean : exactSumMicros / count),
    stdDev: ms(histogram.stdDeviation),
    // Min and max go through the percentile lookup, as the other statistics do,
    // so a decoded histogram reports exactly what the original did.
    min: ms(histogram.getValueAtPercentile(0)),
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.getValueAtPercentile(100)),
  };
}
