// Unit tests for the latency statistics: recording, IPC encoding, merging, summaries.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  HIGHEST_LATENCY_MICROS,
  mergeHistograms,
  recordLatencyMicros,
  summarize,
  summarizeMicros,
} from "../src/study/measure/latency-histogram.js";

describe("latency statistics", () => {
  it("summarizes an empty histogram as zeros", () => {
    const summary = summarize(createLatencyHistogram());
    assert.equal(summary.count, 0);
    assert.equal(summary.mean, 0);
    assert.equal(summary.max, 0);
  });

  it("reports microsecond recordings in milliseconds within 0.1%", () => {
    const histogram = createLatencyHistogram();
    for (let i = 1; i <= 100; i++) recordLatencyMicros(histogram, i * 10_000); // 10 ms .. 1000 ms
    const summary = summarize(histogram);
    assert.equal(summary.count, 100);
    const close = (actual: number, expected: number) =>
      assert.ok(Math.abs(actual - expected) <= expected * 0.001, `${actual} vs ${expected}`);
    close(summary.p50, 500);
    close(summary.p90, 900);
    close(summary.p99, 990);
    close(summary.max, 1000);
    close(summary.min, 10);
    close(summary.mean, 505);
  });

  it("uses the exact sum for the mean when given", () => {
    const histogram = createLatencyHistogram();
    recordLatencyMicros(histogram, 200_001);
    recordLatencyMicros(histogram, 200_003);
    assert.equal(summarize(histogram, 400_004).mean, 200.002);
  });

  it("clamps values outside the tracked range instead of throwing", () => {
    const histogram = createLatencyHistogram();
    recordLatencyMicros(histogram, 0);
    recordLatencyMicros(histogram, HIGHEST_LATENCY_MICROS * 2);
    assert.equal(histogram.totalCount, 2);
    assert.ok(histogram.maxValue >= HIGHEST_LATENCY_MICROS * 0.999);
  });

  it("records a group of equal latencies at once, as one by one", () => {
    const grouped = createLatencyHistogram();
    const single = createLatencyHistogram();
    recordLatencyMicros(grouped, 1234.4, 5);
    for (let i = 0; i < 5; i++) recordLatencyMicros(single, 1234.4);
    assert.deepEqual(summarizeMicros(grouped), summarizeMicros(single));
    assert.equal(grouped.totalCount, 5);
  });

  it("summarizes in microseconds what summarize reports in milliseconds", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 60_000_000 }), { minLength: 1, maxLength: 100 }),
        (values) => {
          const histogram = createLatencyHistogram();
          for (const value of values) recordLatencyMicros(histogram, value);
          const us = summarizeMicros(histogram);
          const ms = summarize(histogram);
          assert.equal(us.count, ms.count);
          for (const key of ["mean", "stdDev", "min", "p50", "p90", "p99", "p999", "max"] as const) {
            assert.equal(us[key] / 1000, ms[key], key);
          }
          // Whole microseconds: a bucket's edge, as the bench's latencyUs prints them.
          assert.ok(Number.isInteger(us.p50) && Number.isInteger(us.max));
        },
      ),
      { numRuns: 50 },
    );
  });

  it("round-trips through the base64 encoding", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60_000_000 }), { maxLength: 200 }), (values) => {
        const histogram = createLatencyHistogram();
        for (const value of values) recordLatencyMicros(histogram, value);
        const decoded = decodeHistogram(encodeHistogram(histogram));
        assert.deepEqual(summarize(decoded), summarize(histogram));
      }),
      { numRuns: 50 },
    );
  });

  it("merges histograms into one holding every value", () => {
    const parts = [1, 2, 3].map((k) => {
      const histogram = createLatencyHistogram();
      for (let i = 0; i < 10; i++) recordLatencyMicros(histogram, k * 100_000);
      return decodeHistogram(encodeHistogram(histogram));
    });
    const merged = mergeHistograms(parts);
    const summary = summarize(merged);
    assert.equal(summary.count, 30);
    assert.ok(Math.abs(summary.mean - 200) < 0.2);
    assert.equal(parts[0]?.totalCount, 10, "inputs are left unchanged");
  });

  it("rejects a string that is not an encoded histogram", () => {
    assert.throws(() => decodeHistogram("not a histogram"));
  });
});
