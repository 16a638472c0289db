// The server's own metrics: Prometheus text for a scraper (text()), and the
// few figures the storefront's live panel shows (stats(), GET /api/stats).
//
// Recording is on every request's path (the socket transport answers some
// 300,000 requests a second on 2 cores), so it costs a few plain increments:
// a transport's recorder holds its label children, bound once, as numbers and
// typed arrays, and the registry reads them only when it is scraped. No
// label object, no hash and no prom-client call per request. The gauges are
// read at scrape time too, from the pools and connection counts watched.

import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from "prom-client";

export type TransportName = "socket" | "grpc" | "http";

/** The operations recorded (the catalog's Op). */
export type RequestOp = "query" | "buy";

/** A transport's hook for its answered requests. */
export interface RequestRecorder {
  /** once per answered request; startedAt from performance.now() */
  done(op: "query" | "buy", outcome: string, startedAt: number): void;
  /**
   * performance.now() as of the current callback of the event loop: read once
   * per callback, then reused until the next microtask checkpoint. What the
   * socket and gRPC transports take as startedAt, and what done() measures
   * to: a clock read costs about 90 ns in Node 20 here, a request at 300,000
   * requests/s about 3 µs. A duration is then exact to within the callback's
   * own run (microseconds, at most a few ms for a connection that decodes its
   * whole per-turn budget of lines at once); one started and answered in the
   * same callback measures 0, in the first bucket, where it belongs.
   */
  now(): number;
}

// The clock of the current callback: -1 when it must be read again. It
// expires at the next microtask checkpoint, which follows every callback.
// (A reaction on a settled promise costs about 55 ns; queueMicrotask, which
// makes an AsyncResource, about 200 ns; process.nextTick about 270 ns.)
let callbackNow = -1;
const SETTLED = Promise.resolve();
const expireCallbackNow = (): void => {
  callbackNow = -1;
};

/** performance.now(), read at most once per callback of the event loop (see RequestRecorder.now). */
export function coarseNow(): number {
  if (callbackNow < 0) {
    callbackNow = performance.now();
    void SETTLED.then(expireCallbackNow);
  }
  return callbackNow;
}

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

export interface StoreMetricsStats {
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

const TRANSPORTS: readonly TransportName[] = ["socket", "grpc", "http"];

/** Distinct outcomes kept per transport and op; more are counted as "other" (outcomes are codes, not free text). */
const MAX_OUTCOMES = 32;
const OTHER_OUTCOME = "other";

/** The outcomes a store's answers can have, shown at 0 from the start so that rate() sees them begin. */
const BUSINESS_OUTCOMES: Readonly<Record<RequestOp, readonly string[]>> = {
  query: ["in_stock", "sold_out", "not_found"],
  buy: ["bought", "sold_out", "not_found"],
};

/**
 * One labelled series of a histogram: the count in each bucket (not
 * cumulative; the last one is +Inf) and the sum, in the unit observed.
 */
class BucketSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Upper bounds in the unit observed. */
  readonly bounds: Float64Array;
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; counts[bounds.length]: above the last bound. */
  readonly counts: Float64Array;
  // A one-element array rather than a number field: the sum is a double, and
  // a typed array stores it in place.
  readonly #sum = new Float64Array(1);

  constructor(labels: Readonly<Record<string, string>>, bounds: Float64Array) {
    this.labels = labels;
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  get sum(): number {
    return this.#sum[0]!;
  }

  observe(value: number): void {
    const bounds = this.bounds;
    const n = bounds.length;
    let i = 0;
    // Linear from the smallest bound: most values fall in the first few buckets.
    while (i < n && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.#sum[0]! += value;
  }

  reset(): void {
    this.counts.fill(0);
    this.#sum[0] = 0;
  }
}

/**
 * A histogram that the registry reads at scrape time from BucketSeries kept
 * by the code that observes (prom-client's own Histogram hashes its labels
 * and validates on every observe). It gives the registry what every metric
 * gives it, `get()` with the values of the text exposition, so the registry
 * formats it like its own histograms.
 */
class CollectedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly #buckets: readonly number[];
  /** Observed units per exposed unit (1000 when ms are observed and seconds exposed). */
  readonly #perUnit: number;
  readonly #bounds: Float64Array;
  readonly #series: BucketSeries[] = [];

  constructor(
    registry: Registry,
    config: { name: string; help: string; buckets: readonly number[]; observedPerUnit?: number },
  ) {
    this.name = config.name;
    this.help = config.help;
    this.#buckets = config.buckets;
    this.#perUnit = config.observedPerUnit ?? 1;
    this.#bounds = Float64Array.from(config.buckets, (bound) => bound * this.#perUnit);
    registry.registerMetric(this as unknown as Metric);
  }

  /** A series for these labels, made once: keep it and observe on it. */
  child(labels: Readonly<Record<string, string>> = {}): BucketSeries {
    const series = new BucketSeries(labels, this.#bounds);
    this.#series.push(series);
    return series;
  }

  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { value: number; labels: Record<string, string | number>; metricName: string }[];
  }> {
    const bucketName = `${this.name}_bucket`;
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    for (const series of this.#series) {
      let cumulative = 0;
      for (let i = 0; i < this.#buckets.length; i++) {
        cumulative += series.counts[i]!;
        values.push({
          value: cumulative,
          labels: { ...series.labels, le: this.#buckets[i]! },
          metricName: bucketName,
        });
      }
      cumulative += series.counts[this.#buckets.length]!;
      values.push({ value: cumulative, labels: { ...series.labels, le: "+Inf" }, metricName: bucketName });
      values.push({
        value: series.sum / this.#perUnit,
        labels: { ...series.labels },
        metricName: `${this.name}_sum`,
      });
      values.push({ value: cumulative, labels: { ...series.labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const series of this.#series) series.reset();
  }
}

/** A count of one outcome. */
interface Tally {
  n: number;
}

/** Seconds of history kept for requestsPerSecond: more than the 6 it reads, so a slot is never read while reused. */
const RATE_SLOTS = 8;
/** requestsPerSecond counts this many whole seconds, plus the current one. */
const RATE_WINDOW_SECONDS = 5;

/** One transport's recorder: its label children, bound once, and its requests of the last seconds. */
class TransportRecorder implements RequestRecorder {
  readonly transport: TransportName;
  readonly queryDuration: BucketSeries;
  readonly buyDuration: BucketSeries;
  readonly queryOutcomes = new Map<string, Tally>();
  readonly buyOutcomes = new Map<string, Tally>();
  readonly #since = performance.now();
  // Requests answered in each second of performance.now(): slot s % RATE_SLOTS
  // holds second s when #secondOf says so.
  readonly #secondOf = new Float64Array(RATE_SLOTS).fill(-1);
  readonly #perSecond = new Float64Array(RATE_SLOTS);
  #slot = 0;
  #secondEnds = 0;

  constructor(transport: TransportName, duration: CollectedHistogram) {
    this.transport = transport;
    this.queryDuration = duration.child({ transport, op: "query" });
    this.buyDuration = duration.child({ transport, op: "buy" });
    for (const outcome of BUSINESS_OUTCOMES.query) this.queryOutcomes.set(outcome, { n: 0 });
    for (const outcome of BUSINESS_OUTCOMES.buy) this.buyOutcomes.set(outcome, { n: 0 });
  }

  now(): number {
    return coarseNow();
  }

  done(op: RequestOp, outcome: string, startedAt: number): void {
    const now = coarseNow();
    // A startedAt read from performance.now() later in this same callback is after `now`: 0.
    const ms = now > startedAt ? now - startedAt : 0;
    let tally: Tally | undefined;
    if (op === "query") {
      this.queryDuration.observe(ms);
      tally = this.queryOutcomes.get(outcome) ?? this.#newOutcome(this.queryOutcomes, outcome);
    } else {
      this.buyDuration.observe(ms);
      tally = this.buyOutcomes.get(outcome) ?? this.#newOutcome(this.buyOutcomes, outcome);
    }
    tally.n++;
    if (now >= this.#secondEnds) this.#nextSecond(now);
    this.#perSecond[this.#slot]! += 1;
  }

  /** Requests answered per second over the current second and the 5 before it (or since this recorder began, if later). */
  rate(now: number): number {
    const second = Math.floor(now / 1000);
    let answered = 0;
    for (let k = 0; k <= RATE_WINDOW_SECONDS; k++) {
      const s = second - k;
      const slot = s % RATE_SLOTS;
      if (this.#secondOf[slot] === s) answered += this.#perSecond[slot]!;
    }
    const windowSeconds = Math.min(
      RATE_WINDOW_SECONDS + (now - second * 1000) / 1000,
      (now - this.#since) / 1000,
    );
    return windowSeconds > 0 ? answered / windowSeconds : 0;
  }

  /**
   * The 99th percentile of every request answered since start (both ops), in
   * ms, estimated from the duration buckets as Prometheus's histogram_quantile
   * does: linear within the bucket the rank falls in (from 0 in the first
   * one); past the last bound (10 s), the last bound. So below 100 µs it says
   * only "under 0.1 ms", and elsewhere it is within its bucket (a factor of 2
   * to 2.5). null before any request.
   */
  p99Ms(): number | null {
    const query = this.queryDuration.counts;
    const buy = this.buyDuration.counts;
    const bounds = this.queryDuration.bounds;
    let total = 0;
    for (let i = 0; i < query.length; i++) total += query[i]! + buy[i]!;
    if (total === 0) return null;
    const rank = 0.99 * total;
    let below = 0;
    for (let i = 0; i < bounds.length; i++) {
      const inBucket = query[i]! + buy[i]!;
      if (below + inBucket >= rank && inBucket > 0) {
        const lower = i === 0 ? 0 : bounds[i - 1]!;
        return lower + ((bounds[i]! - lower) * (rank - below)) / inBucket;
      }
      below += inBucket;
    }
    return bounds[bounds.length - 1]!;
  }

  #newOutcome(outcomes: Map<string, Tally>, outcome: string): Tally {
    const key = outcomes.size < MAX_OUTCOMES ? outcome : OTHER_OUTCOME;
    let tally = outcomes.get(key);
    if (tally === undefined) {
      tally = { n: 0 };
      outcomes.set(key, tally);
    }
    return tally;
  }

  #nextSecond(now: number): void {
    const second = Math.floor(now / 1000);
    this.#slot = second % RATE_SLOTS;
    this.#secondOf[this.#slot] = second;
    this.#perSecond[this.#slot] = 0;
    this.#secondEnds = (second + 1) * 1000;
  }
}

interface PoolLike {
  stats(): { busy: number; queued: number };
}

/**
 * The metrics of one server process, on a registry of their own (not
 * prom-client's global one), with prom-client's default process metrics:
 *
 * - toystore_requests_total{transport,op,outcome}: requests answered; outcome
 *   is the business outcome (in_stock, sold_out, not_found, bought) or the
 *   error code (bad_request, busy, unavailable, internal, ...);
 * - toystore_request_duration_seconds{transport,op}: from the request decoded
 *   to its answer, 100 µs to 10 s;
 * - toystore_pool_busy{transport}, toystore_pool_queued{transport}: the
 *   transport's worker pool, read at scrape time;
 * - toystore_open_connections{transport}: read at scrape time;
 * - toystore_lock_wait_seconds; toystore_commit_batch_size{store}.
 */
export class StoreMetrics {
  readonly #registry = new Registry();
  readonly #recorders = new Map<TransportName, TransportRecorder>();
  readonly #pools = new Map<TransportName, PoolLike>();
  readonly #connections = new Map<TransportName, () => number>();
  readonly #duration: CollectedHistogram;
  readonly #lockWait: BucketSeries;
  readonly #sqliteBatch: BucketSeries;
  readonly #postgresBatch: BucketSeries;

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
          for (const [outcome, tally] of recorder.queryOutcomes) {
            this.inc({ transport, op: "query", outcome }, tally.n);
          }
          for (const [outcome, tally] of recorder.buyOutcomes) {
            this.inc({ transport, op: "buy", outcome }, tally.n);
          }
        }
      },
    });
    this.#duration = new CollectedHistogram(registry, {
      name: "toystore_request_duration_seconds",
      help: "Time from a request decoded to its answer, by transport and operation",
      buckets: REQUEST_DURATION_BUCKETS,
      observedPerUnit: 1000,
    });
    new Gauge({
      name: "toystore_pool_busy",
      help: "Workers of the transport's pool holding a request",
      labelNames: ["transport"] as const,
      registers: [registry],
      collect() {
        for (const [transport, pool] of pools) this.set({ transport }, pool.stats().busy);
      },
    });
    new Gauge({
      name: "toystore_pool_queued",
      help: "Requests waiting for a worker of the transport's pool",
      labelNames: ["transport"] as const,
      registers: [registry],
      collect() {
        for (const [transport, pool] of pools) this.set({ transport }, pool.stats().queued);
      },
    });
    new Gauge({
      name: "toystore_open_connections",
      help: "Client connections open on the transport",
      labelNames: ["transport"] as const,
      registers: [registry],
      collect() {
        for (const [transport, count] of connections) this.set({ transport }, count());
      },
    });
    this.#lockWait = new CollectedHistogram(registry, {
      name: "toystore_lock_wait_seconds",
      help: "Time a request waited for its lock, when it had to wait",
      buckets: LOCK_WAIT_BUCKETS,
      observedPerUnit: 1000,
    }).child();
    const batch = new CollectedHistogram(registry, {
      name: "toystore_commit_batch_size",
      help: "Requests stored by one commit of the durable store",
      buckets: COMMIT_BATCH_BUCKETS,
    });
    this.#sqliteBatch = batch.child({ store: "sqlite" });
    this.#postgresBatch = batch.child({ store: "postgres" });
    collectDefaultMetrics({ register: registry });
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
    const now = performance.now();
    const transports: Record<string, TransportStats> = {};
    for (const transport of TRANSPORTS) {
      const recorder = this.#recorders.get(transport);
      const pool = this.#pools.get(transport)?.stats();
      if (recorder === undefined && pool === undefined && !this.#connections.has(transport)) continue;
      const p99 = recorder?.p99Ms() ?? null;
      transports[transport] = {
        requestsPerSecond: recorder === undefined ? 0 : round(recorder.rate(now), 1),
        p99Ms: p99 === null ? null : round(p99, 3),
        busy: pool?.busy ?? 0,
        queued: pool?.queued ?? 0,
      };
    }
    return { transports };
  }

  /** Prometheus text exposition of every metric (use contentType with it). */
  text(): Promise<string> {
    return this.#registry.metrics();
  }
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
