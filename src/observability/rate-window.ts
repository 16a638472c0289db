// Events per second over about the last 5 seconds, for the live panel: a
// ring of per-second counts, written with one increment per event.

/** Seconds of history kept: more than the 6 read, so a slot is never read while reused. */
const SLOTS = 8;
/** perSecond() counts this many whole seconds, plus the current one. */
const WINDOW_SECONDS = 5;

/** Counts events by the second of the clock they are given (ms, from performance.now()'s origin). */
export class RateWindow {
  readonly #since: number;
  // Events in each second of the clock: slot s % SLOTS holds second s when
  // #secondOf says so.
  readonly #secondOf = new Float64Array(SLOTS).fill(-1);
  readonly #perSecond = new Float64Array(SLOTS);
  #slot = 0;
  #secondEnds = 0;

  /** `since`: when counting began (a rate over less time than the window divides by that). */
  constructor(since: number) {
    this.#since = since;
  }

  /** One event at `now` (ms); `now` never goes back. */
  count(now: number): void {
    if (now >= this.#secondEnds) this.#nextSecond(now);
    this.#perSecond[this.#slot]! += 1;
  }

  /** Events per second over the current second and the 5 before it (or since counting began, if later). */
  perSecond(now: number): number {
    const second = Math.floor(now / 1000);
    let events = 0;
    for (let k = 0; k <= WINDOW_SECONDS; k++) {
      const s = second - k;
      const slot = s % SLOTS;
      if (this.#secondOf[slot] === s) events += this.#perSecond[slot]!;
    }
    const windowSeconds = Math.min(WINDOW_SECONDS + (now - second * 1000) / 1000, (now - this.#since) / 1000);
    return windowSeconds > 0 ? events / windowSeconds : 0;
  }

  #nextSecond(now: number): void {
    const second = Math.floor(now / 1000);
    this.#slot = second % SLOTS;
    this.#secondOf[this.#slot] = second;
    this.#perSecond[this.#slot] = 0;
    this.#secondEnds = (second + 1) * 1000;
  }
}
