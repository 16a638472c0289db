// One process's measurements: the latency histogram, counters and CPU use over
// the measured window, and the report it sends to the parent.

import {
  createLatencyHistogram,
  encodeHistogram,
  recordLatencyMicros,
} from "../measure/latency-histogram.js";

/** What a process sends back: plain data, the histogram encoded for merging. */
export interface ThroughputReport {
  readonly requests: number;
  readonly errors: number;
  /** The measured window as this process saw it, ms. */
  readonly measuredMs: number;
  /** CPU time this process used over the window, as a share of one core (0..1+). */
  readonly cpuShare: number;
  /** Connections or channels that failed during the run. */
  readonly lostConnections: number;
  /** Latencies in µs, as measure/latency-histogram's encodeHistogram writes them. */
  readonly histogram: string;
}

/**
 * Counts and times replies, but only inside the measured window: warm-up
 * replies are dropped, so connection set-up and JIT compilation stay out of
 * the figures.
 */
export class ThroughputRecorder {
  /** Read on the hot path: true between the end of warm-up and the end of the run. */
  measuring = false;
  requests = 0;
  errors = 0;
  lostConnections = 0;
  readonly #histogram = createLatencyHistogram();
  #startedAt = 0;
  #stoppedAt = 0;
  #cpuAtStart: NodeJS.CpuUsage | undefined;
  #cpuUsed: NodeJS.CpuUsage | undefined;

  /**
   * Records `count` replies that all took `latencyMs`. Pipelined replies
   * read from one chunk and sent in one write share a latency, so callers
   * group them: one histogram update per group instead of one per reply.
   */
  record(latencyMs: number, count: number): void {
    recordLatencyMicros(this.#histogram, latencyMs * 1000, count);
    this.requests += count;
  }

  /** Runs the warm-up, then the measured window; resolves when the window closes. */
  runWindow(warmupMs: number, durationMs: number): Promise<void> {
    return new Promise((resolve) => {
      setTimeout(() => {
        this.#cpuAtStart = process.cpuUsage();
        this.#startedAt = performance.now();
        this.measuring = true;
        setTimeout(() => {
          this.measuring = false;
          this.#stoppedAt = performance.now();
          this.#cpuUsed = process.cpuUsage(this.#cpuAtStart);
          resolve();
        }, durationMs);
      }, warmupMs);
    });
  }

  report(): ThroughputReport {
    const measuredMs = this.#stoppedAt - this.#startedAt;
    const cpu = this.#cpuUsed ?? { user: 0, system: 0 };
    return {
      requests: this.requests,
      errors: this.errors,
      measuredMs,
      cpuShare: measuredMs > 0 ? (cpu.user + cpu.system) / 1000 / measuredMs : 0,
      lostConnections: this.lostConnections,
      histogram: encodeHistogram(this.#histogram),
    };
  }
}
