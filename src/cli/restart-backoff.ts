// When the primary of `toystore serve --workers N` replaces a worker that
// died: at once would spin on a worker that dies at start (a database gone,
// say), so the delay doubles while workers keep dying young.

/** When to replace a dead worker. */
export interface RestartBackoffOptions {
  /** The first delay. Default 100 ms. */
  readonly initialMs: number;
  /** Delays double up to this. Default 5 000 ms. */
  readonly maxMs: number;
  /** A worker that stayed up this long was healthy: the next delay is the first one again. Default 10 000 ms. */
  readonly stableMs: number;
}

export const RESTART_BACKOFF: RestartBackoffOptions = Object.freeze({
  initialMs: 100,
  maxMs: 5_000,
  stableMs: 10_000,
});

/** Restart delays: 100 ms, doubling to 5 s while workers keep dying young; back to 100 ms after a stable one. */
export class RestartBackoff {
  readonly #options: RestartBackoffOptions;
  #nextMs: number;

  constructor(options: RestartBackoffOptions = RESTART_BACKOFF) {
    this.#options = options;
    this.#nextMs = options.initialMs;
  }

  /** The delay before replacing a worker that was up `uptimeMs`. */
  delayAfter(uptimeMs: number): number {
    if (uptimeMs >= this.#options.stableMs) this.#nextMs = this.#options.initialMs;
    const delay = this.#nextMs;
    this.#nextMs = Math.min(delay * 2, this.#options.maxMs);
    return delay;
  }
}
