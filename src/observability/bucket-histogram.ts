// A Prometheus histogram kept as plain bucket counts by the code that
// observes, and written in the text exposition format only when scraped.
//
// prom-client's own Histogram hashes its labels and validates them on every
// observe, and none of its public API loads counts kept elsewhere (a collect()
// hook can only observe, one value at a time). So the histogram writes its own
// family text, line for line as prom-client's registry writes a histogram, and
// StoreMetrics joins it to the registry's text.

import { validateMetricName } from "prom-client";

/** A series' labels, without `le` (the histogram adds it). */
export type Labels = Readonly<Record<string, string>>;

/**
 * One labelled series of a histogram: the count in each bucket (not
 * cumulative; the last one is +Inf) and the sum, in the unit observed.
 */
export class BucketSeries {
  readonly labels: Labels;
  /** Upper bounds in the unit observed, increasing. */
  readonly bounds: Float64Array;
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; counts[bounds.length]: above the last bound. */
  readonly counts: Float64Array;
  // A one-element array rather than a number field: the sum is a double, and
  // a typed array stores it in place.
  readonly #sum = new Float64Array(1);

  constructor(labels: Labels, bounds: Float64Array) {
    this.labels = labels;
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** The sum of the values observed, in the unit observed. */
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
}

export interface BucketHistogramConfig {
  /** The family's name: its series are `<name>_bucket`, `<name>_sum` and `<name>_count`. */
  readonly name: string;
  readonly help: string;
  /** Upper bounds in the exposed unit, strictly increasing and finite (+Inf is implied). */
  readonly buckets: readonly number[];
  /** Observed units per exposed unit (1000 when ms are observed and seconds exposed); default 1. */
  readonly observedPerUnit?: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A series as written: its line prefixes, rendered once when the series is made. */
interface RenderedSeries {
  readonly series: BucketSeries;
  /** `<name>_bucket{…,le="<bound>"} ` for each bound, then for +Inf. */
  readonly bucketPrefixes: readonly string[];
  readonly sumPrefix: string;
  readonly countPrefix: string;
}

/**
 * A histogram family: its series, made once by the code that observes and
 * kept there (child()), read only by text().
 */
export class BucketHistogram {
  readonly name: string;
  readonly help: string;
  readonly #buckets: readonly number[];
  readonly #perUnit: number;
  readonly #bounds: Float64Array;
  readonly #series: RenderedSeries[] = [];

  /** Throws a TypeError naming the bad name or bucket. */
  constructor(config: BucketHistogramConfig) {
    if (!validateMetricName(config.name)) throw new TypeError(`histogram name ${config.name} is not valid`);
    const buckets = config.buckets;
    for (let i = 0; i < buckets.length; i++) {
      if (!Number.isFinite(buckets[i]) || (i > 0 && buckets[i]! <= buckets[i - 1]!)) {
        throw new TypeError(
          `${config.name}: buckets must be finite and increasing, got ${buckets.join(", ")}`,
        );
      }
    }
    const perUnit = config.observedPerUnit ?? 1;
    if (!(perUnit > 0 && Number.isFinite(perUnit))) {
      throw new TypeError(`${config.name}: observedPerUnit must be a positive number, got ${perUnit}`);
    }
    this.name = config.name;
    this.help = config.help;
    this.#buckets = [...buckets];
    this.#perUnit = perUnit;
    this.#bounds = Float64Array.from(buckets, (bound) => bound * perUnit);
  }

  /** A new series for these labels: keep it and observe on it. Throws a TypeError on a bad label name. */
  child(labels: Labels = {}): BucketSeries {
    for (const label of Object.keys(labels)) {
      if (!LABEL_NAME.test(label) || label === "le") {
        throw new TypeError(`${this.name}: label name ${label} is not valid`);
      }
    }
    const series = new BucketSeries({ ...labels }, this.#bounds);
    const labelText = Object.entries(series.labels)
      .map(([label, value]) => `${label}="${escapeLabelValue(value)}"`)
      .join(",");
    const bucketPrefix = `${this.name}_bucket{${labelText === "" ? "" : `${labelText},`}le="`;
    const braced = labelText === "" ? "" : `{${labelText}}`;
    this.#series.push({
      series,
      bucketPrefixes: [
        ...this.#buckets.map((bound) => `${bucketPrefix}${bound}"} `),
        `${bucketPrefix}+Inf"} `,
      ],
      sumPrefix: `${this.name}_sum${braced} `,
      countPrefix: `${this.name}_count${braced} `,
    });
    return series;
  }

  /**
   * The family in the Prometheus text format (0.0.4), without a final
   * newline, as prom-client's registry writes a histogram: HELP and TYPE,
   * then for each series its cumulative buckets (the series' labels, then
   * `le`), +Inf, the sum in the exposed unit and the count.
   */
  text(): string {
    const lines = [
      `# HELP ${escapeText(this.name)} ${escapeText(this.help)}`,
      `# TYPE ${this.name} histogram`,
    ];
    for (const { series, bucketPrefixes, sumPrefix, countPrefix } of this.#series) {
      const counts = series.counts;
      let cumulative = 0;
      for (let i = 0; i < counts.length; i++) {
        cumulative += counts[i]!;
        lines.push(bucketPrefixes[i]! + formatValue(cumulative));
      }
      lines.push(sumPrefix + formatValue(series.sum / this.#perUnit));
      lines.push(countPrefix + formatValue(cumulative));
    }
    return lines.join("\n");
  }
}

/**
 * The q-quantile (0 < q ≤ 1) of everything observed in these series (which
 * share their bounds), in the unit observed, estimated as Prometheus's
 * histogram_quantile does: linear within the bucket the rank falls in (from 0
 * in the first one); past the last bound, the last bound. null when nothing
 * was observed.
 */
export function estimateQuantile(series: readonly BucketSeries[], q: number): number | null {
  const first = series[0];
  if (first === undefined) return null;
  const bounds = first.bounds;
  const merged = new Float64Array(bounds.length + 1);
  for (const one of series) {
    for (let i = 0; i < merged.length; i++) merged[i]! += one.counts[i]!;
  }
  let total = 0;
  for (let i = 0; i < merged.length; i++) total += merged[i]!;
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < bounds.length; i++) {
    const inBucket = merged[i]!;
    if (below + inBucket >= rank && inBucket > 0) {
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      return lower + ((bounds[i]! - lower) * (rank - below)) / inBucket;
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1]!;
}

// The text format's escapes, as prom-client writes them: backslash and
// newline in names and help, and the double quote too in label values.
function escapeText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(value: string): string {
  return escapeText(value).replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "Nan";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return `${value}`;
}
