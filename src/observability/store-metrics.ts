// The server's own metrics: Prometheus text for a scraper (text()), and the
// few figures the storefront's live panel shows (stats(), GET /api/stats).
//
// Recording costs plain increments in each transport's recorder
// (transport-recorder.ts) and in bucket arrays (bucket-histogram.ts); this
// registry reads them only when scraped. The gauges are read at scrape time
// too, from the pools and connection counts watched.

import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { BucketHistogram, type BucketSeries } from "./bucket-histogram.js";
import { CacheMetrics, type CacheStats } from "./cache-metrics.js";
import type { RequestRecorder } from "./request-recorder.js";
import { type TransportName, TransportRecorder } from "./transport-recorder.js";

export type { TransportName };

/** What stats() says of one transport. */
export interface TransportStats {
  /** Requests answered per second over about the last 5 s (5 whole seconds and the current one). */
  readonly requestsPerSecond: number;
  /** Estimated 99th percentile of the latency of every request answered since start, ms; null before any. */
  readonly p99Ms: number | null;
  /** The transport's pool, now: workers holding a request, and requests waiting for one (0 when no pool is watched). */
  readonly busy: number;
  readonly queued: number;
}

/** GET /api/stats: each transport's figures, and the query cache's and announcements' when the store has them. */
export interface StoreMetricsStats extends CacheStats {
  readonly transports: Record<string, TransportStats>;
}

/** Request durations, seconds: 100 µs to 10 s in 1-2.5-5 steps. */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Lock waits, seconds: a hand-off in the same turn is microseconds, a wait behind simulated work is ms to s. */
export const LOCK_WAIT_BUCKETS: readonly number[] = [0.00001, 0.000025, 0.00005, ...REQUEST_DURATION_BUCKETS];

/** Buys (or requests) per commit. */
export const COMMIT_BATCH_BUCKETS: readonly number[] = [
  1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096,
];

/** The order stats() lists the transports in. */
const TRANSPORTS: readonly TransportName[] = ["socket", "original-socket", "grpc", "http"];

interface PoolLike {
  stats(): { busy: number; queued: number };
}

/**
 * The metrics of one server process, on registries of their own (not
 * prom-client's global one), with prom-client's default process metrics:
 *
 * - toystore_requests_total{transport,op,outcome}: requests answered; op is
 *   the operation's name (query, buy, restock, order, list: every operation
 *   of the operations table); outcome is the result's kind (in_stock,
 *   sold_out, not_found, bought, ...) or the error code (bad_request, busy,
 *   unavailable, internal, ...);
 * - toystore_request_duration_seconds{transport,op}: from the request decoded
 *   to its answer, 100 µs to 10 s;
 * - toystore_pool_busy{transport}, toystore_pool_queued{transport}: the
 *   transport's worker pool, read at scrape time;
 * - toystore_open_connections{transport}: read at scrape time;
 * - toystore_lock_wait_seconds; toystore_commit_batch_size{store};
 * - toystore_query_cache_lookups_total{result}, toystore_query_cache_entries,
 *   toystore_announcement_delay_seconds{from} (cache-metrics.ts).
 */
export class StoreMetrics {
  /** The counter and the gauges (prom-client's, filled at scrape time). */
  readonly #registry = new Registry();
  /** prom-client's default process metrics, written after the store's own. */
  readonly #processRegistry = new Registry();
  /** The query cache's counter and gauge, written after the request histograms (cache-metrics.ts). */
  readonly #cacheRegistry = new Registry();
  readonly #recorders = new Map<TransportName, TransportRecorder>();
  readonly #pools = new Map<TransportName, PoolLike>();
  readonly #connections = new Map<TransportName, () => number>();
  readonly #duration = new BucketHistogram({
    name: "toystore_request_duration_seconds",
    help: "Time from a request decoded to its answer, by transport and operation",
    buckets: REQUEST_DURATION_BUCKETS,
    observedPerUnit: 1000,
  });
  readonly #lockWaits = new BucketHistogram({
    name: "toystore_lock_wait_seconds",
    help: "Time a request waited for its lock, when it had to wait",
    buckets: LOCK_WAIT_BUCKETS,
    observedPerUnit: 1000,
  });
  readonly #batches = new BucketHistogram({
    name: "toystore_commit_batch_size",
    help: "Requests stored by one commit of the durable store",
    buckets: COMMIT_BATCH_BUCKETS,
  });
  readonly #lockWait: BucketSeries = this.#lockWaits.child();
  readonly #sqliteBatch: BucketSeries = this.#batches.child({ store: "sqlite" });
  readonly #postgresBatch: BucketSeries = this.#batches.child({ store: "postgres" });
  /** The query cache's and the announcements' figures. */
  readonly cache = new CacheMetrics();

  constructor() {
    const registry = this.#registry;
    const recorders = this.#recorders;
    const pools = this.#pools;
    const connections = this.#connections;

    new Counter({
      name: "toystore_requests_total",
      help: "Requests answered, by transport, operation and outcome (the result, or the error code)",
      labelNames: ["transport", "op", "outcome"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const recorder of recorders.values()) {
          const transport = recorder.transport;
          for (const { op, outcomes } of recorder.ops) {
            for (const [outcome, tally] of outcomes) this.inc({ transport, op, outcome }, tally.n);
          }
        }
      },
    });
    // The gauges, each one figure of every transport watched, read at scrape time.
    const gauges: readonly { name: string; help: string; read: () => Iterable<[TransportName, number]> }[] = [
      {
        name: "toystore_pool_busy",
        help: "Workers of the transport's pool holding a request",
        read: () => Array.from(pools, ([transport, pool]) => [transport, pool.stats().busy]),
      },
      {
        name: "toystore_pool_queued",
        help: "Requests waiting for a worker of the transport's pool",
        read: () => Array.from(pools, ([transport, pool]) => [transport, pool.stats().queued]),
      },
      {
        name: "toystore_open_connections",
        help: "Client connections open on the transport",
        read: () => Array.from(connections, ([transport, count]) => [transport, count()]),
      },
    ];
    for (const { name, help, read } of gauges) {
      new Gauge({
        name,
        help,
        labelNames: ["transport"] as const,
        registers: [registry],
        collect() {
          for (const [transport, value] of read()) this.set({ transport }, value);
        },
      });
    }
    this.cache.register(this.#cacheRegistry);
    collectDefaultMetrics({ register: this.#processRegistry });
  }

  /** The Prometheus text format's content type, for the Content-Type of GET /metrics. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** The transport's recorder (one per transport: every caller gets the same one). */
  recorder(transport: TransportName): RequestRecorder {
    let recorder = this.#recorders.get(transport);
    if (recorder === undefined) {
      recorder = new TransportRecorder(transport, this.#duration);
      this.#recorders.set(transport, recorder);
    }
    return recorder;
  }

  /** Reads the pool's busy and queued at every scrape (and in stats()). A later call for the transport replaces it. */
  watchPool(transport: TransportName, pool: PoolLike): void {
    this.#pools.set(transport, pool);
  }

  /** Reads the transport's open connections at every scrape. A later call for the transport replaces it. */
  watchConnections(transport: TransportName, count: () => number): void {
    this.#connections.set(transport, count);
  }

  /** A request waited `ms` for its lock. */
  observeLockWait(ms: number): void {
    this.#lockWait.observe(ms);
  }

  /** One commit of the durable store stored `size` requests. */
  observeCommitBatch(store: "sqlite" | "postgres", size: number): void {
    (store === "sqlite" ? this.#sqliteBatch : this.#postgresBatch).observe(size);
  }

  /**
   * For GET /api/stats: each transport recorded or watched. requestsPerSecond
   * counts the requests answered in the current second and the 5 before it,
   * over that time (or over the time since the transport's recorder was made,
   * if shorter). p99Ms is estimated from the duration buckets (see
   * TransportRecorder.p99Ms: within a factor of about 2 of the truth). busy and
   * queued are the watched pool's now.
   */
  stats(): StoreMetricsStats {
    // The recorders' clock, read afresh: this is a poll, not a request, and
    // may come in the very callback a recorder began in.
    const now = performance.now();
    const transports: Record<string, TransportStats> = {};
    for (const transport of TRANSPORTS) {
      const recorder = this.#recorders.get(transport);
      const pool = this.#pools.get(transport)?.stats();
      if (recorder === undefined && pool === undefined && !this.#connections.has(transport)) continue;
      const p99 = recorder?.p99Ms() ?? null;
      transports[transport] = {
        requestsPerSecond: recorder === undefined ? 0 : round(recorder.requestsPerSecond(now), 1),
        p99Ms: p99 === null ? null : round(p99, 3),
        busy: pool?.busy ?? 0,
        queued: pool?.queued ?? 0,
      };
    }
    return { transports, ...this.cache.stats() };
  }

  /**
   * Prometheus text exposition of every metric (use contentType with it): the
   * counter and gauges, the histograms, the query cache's and announcements'
   * figures, then the process metrics, each family separated by a blank line
   * as prom-client's registry writes them.
   */
  async text(): Promise<string> {
    const [store, cache, process] = await Promise.all([
      this.#registry.metrics(),
      this.#cacheRegistry.metrics(),
      this.#processRegistry.metrics(),
    ]);
    const histograms = [this.#duration, this.#lockWaits, this.#batches].map((histogram) => histogram.text());
    return `${[store.trimEnd(), ...histograms, cache.trimEnd(), this.cache.histogram.text(), process.trimEnd()].join("\n\n")}\n`;
  }
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
