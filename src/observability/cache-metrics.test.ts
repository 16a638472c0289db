import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StoreMetrics } from "./store-metrics.js";

describe("the query cache's and announcements' metrics", () => {
  it("are absent from stats() until the store has them", () => {
    assert.deepEqual(new StoreMetrics().stats(), { transports: {} });
  });

  it("count hits and misses, read the entries, and give the delays' percentiles in ms", async () => {
    const metrics = new StoreMetrics();
    let entries = 3;
    metrics.cache.watchCache(() => entries);
    metrics.cache.watchAnnouncements();
    assert.deepEqual(metrics.stats().announcements, {
      received: 0,
      delayMs: { p50: null, p99: null, max: null },
      fromOthers: { received: 0, delayMs: { p50: null, p99: null, max: null } },
    });
    for (const hit of [true, true, false]) metrics.cache.observeLookup(hit);
    metrics.cache.observeAnnouncement(1.5, false);
    metrics.cache.observeAnnouncement(4, true);
    metrics.cache.observeAnnouncement(-2, true); // clocks apart: counted as no delay
    entries = 5;
    const stats = metrics.stats();
    assert.deepEqual(stats.cache, { hits: 2, misses: 1, entries: 5 });
    assert.equal(stats.announcements?.received, 3);
    assert.equal(stats.announcements?.fromOthers.received, 2);
    assert.equal(stats.announcements?.delayMs.p50, 1.5);
    assert.ok(Math.abs((stats.announcements?.delayMs.max ?? 0) - 4) < 0.01);
    const text = await metrics.text();
    assert.match(text, /toystore_query_cache_lookups_total\{result="hit"\} 2/);
    assert.match(text, /toystore_query_cache_lookups_total\{result="miss"\} 1/);
    assert.match(text, /toystore_query_cache_entries 5/);
    assert.match(text, /toystore_announcement_delay_seconds_count\{from="other"\} 2/);
    assert.match(text, /toystore_announcement_delay_seconds_count\{from="self"\} 1/);
  });
});
