// The little of autocannon's programmatic API the benchmark runner uses (tools/bench/generators.ts)
// (autocannon 8/9 ships no types, and @types/autocannon is not installed).

declare module "autocannon" {
  interface Histogram {
    readonly average: number;
    readonly mean: number;
    readonly stddev: number;
    readonly min: number;
    readonly max: number;
    readonly total: number;
    readonly p50: number;
    readonly p90: number;
    readonly p97_5: number;
    readonly p99: number;
  }

  interface Options {
    readonly url: string;
    readonly method?: "GET" | "POST";
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly connections?: number;
    readonly pipelining?: number;
    /** Seconds. */
    readonly duration?: number;
    /** A separate run before the measured one; its figures are left out of the result. */
    readonly warmup?: { readonly connections?: number; readonly duration?: number };
    /** Seconds before a request counts as timed out. */
    readonly timeout?: number;
    readonly workers?: number;
  }

  interface Result {
    readonly url: string;
    readonly connections: number;
    readonly pipelining: number;
    /** Seconds. */
    readonly duration: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly mismatches: number;
    readonly non2xx: number;
    readonly resets: number;
    readonly "2xx": number;
    /** Milliseconds (HDR histogram with 1 ms resolution). */
    readonly latency: Histogram;
    /** Requests per one-second sample. */
    readonly requests: Histogram & { readonly sent: number };
    readonly throughput: Histogram;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
  export type { Options, Result };
}
