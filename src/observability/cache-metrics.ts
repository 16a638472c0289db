// The query cache's and the announcements' figures (PostgreSQL stores, serve
// --query-cache): hits and misses, entries held, and each announcement's
// delay from its statement to its receipt here. Plain counters and an HDR
// histogram for GET /api/stats (exact percentiles over the whole run, as the
// caching study reads them), and a bucket histogram for Prometheus; StoreMetrics
// registers and writes them.

import * as hdr from "hdr-histogram-js";
import { Counter, Gauge, type Registry } from "prom-client";
import { BucketHistogram, type BucketSeries } from "./bucket-histogram.js";

/** Announcement delays, seconds: 100 µs to 10 s (a delay under load is ms; a lost connection's resync is not one). */
export const ANNOUNCEMENT_DELAY_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Percentiles of delays, ms; null before any. */
export interface DelayStats {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** What stats() says of the cache and of the announcements, each present only when the store has it. */
export interface CacheStats {
  /** Queries answered from memory (hits) or read from the database (misses, and every query while not listening). */
  readonly cache?: { readonly hits: number; readonly misses: number; readonly entries: number };
  /**
   * Announcements received since start, every server's (this one's own too),
   * and their delays; `fromOthers` the same for other servers' alone (the
   * window a cache here may miss their sales).
   */
  readonly announcements?: {
    readonly received: number;
    readonly delayMs: DelayStats;
    readonly fromOthers: { readonly received: number; readonly delayMs: DelayStats };
  };
}

/** A histogram of µs, 1 µs to 1 hour at 3 significant digits (delays beyond are clamped, still counted). */
function delayHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });
}

export class CacheMetrics {
  #hits = 0;
  #misses = 0;
  #entries: (() => number | undefined) | undefined;
  #announcing = false;
  readonly #all = delayHistogram();
  readonly #others = delayHistogram();
  readonly #delays = new BucketHistogram({
    name: "toystore_announcement_delay_seconds",
    help: "Time from a stock change's statement to its announcement's receipt here, by who made it (self, other)",
    buckets: ANNOUNCEMENT_DELAY_BUCKETS,
    observedPerUnit: 1000,
  });
  readonly #selfDelay: BucketSeries = this.#delays.child({ from: "self" });
  readonly #otherDelay: BucketSeries = this.#delays.child({ from: "other" });

  /** The counter of lookups and the gauge of entries, on `registry`, read at scrape time. */
  register(registry: Registry): void {
    const read = (): { hits: number; misses: number } => ({ hits: this.#hits, misses: this.#misses });
    const entries = (): number | undefined => this.#entries?.();
    new Counter({
      name: "toystore_query_cache_lookups_total",
      help: "Queries with the query cache on, by result: hit (answered from memory) or miss (read from the database)",
      labelNames: ["result"] as const,
      registers: [registry],
      collect() {
        this.reset();
        const { hits, misses } = read();
        this.inc({ result: "hit" }, hits);
        this.inc({ result: "miss" }, misses);
      },
    });
    new Gauge({
      name: "toystore_query_cache_entries",
      help: "Toys the query cache holds",
      registers: [registry],
      collect() {
        this.set(entries() ?? 0);
      },
    });
  }

  /** The delays' histogram, for the text exposition. */
  get histogram(): BucketHistogram {
    return this.#delays;
  }

  /** The store has a query cache holding `entries()` toys: stats() reports it. */
  watchCache(entries: () => number | undefined): void {
    this.#entries = entries;
  }

  /** The store makes announcements: stats() reports them (none received yet, too). */
  watchAnnouncements(): void {
    this.#announcing = true;
  }

  observeLookup(hit: boolean): void {
    if (hit) this.#hits++;
    else this.#misses++;
  }

  /** An announcement came `delayMs` after its statement (negative: the clocks differ; counted as 0). */
  observeAnnouncement(delayMs: number, fromOther: boolean): void {
    this.#announcing = true;
    const ms = Math.max(0, delayMs);
    const micros = Math.min(Math.max(Math.round(ms * 1000), 1), 3_600_000_000);
    this.#all.recordValue(micros);
    if (fromOther) {
      this.#others.recordValue(micros);
      this.#otherDelay.observe(ms);
    } else this.#selfDelay.observe(ms);
  }

  stats(): CacheStats {
    const entries = this.#entries?.();
    return {
      ...(entries === undefined ? {} : { cache: { hits: this.#hits, misses: this.#misses, entries } }),
      ...(this.#announcing
        ? {
            announcements: {
              received: this.#all.totalCount,
              delayMs: delays(this.#all),
              fromOthers: { received: this.#others.totalCount, delayMs: delays(this.#others) },
            },
          }
        : {}),
    };
  }
}

function delays(histogram: hdr.Histogram): DelayStats {
  if (histogram.totalCount === 0) return { p50: null, p99: null, max: null };
  const max = histogram.maxValue;
  // A percentile is its bucket's highest value, which may pass the largest recorded.
  const ms = (micros: number): number => Math.round(Math.min(micros, max)) / 1000;
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(max),
  };
}
