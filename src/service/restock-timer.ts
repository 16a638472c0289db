// The restock timer (`serve --restock-every 10s --restock-to 100`): every
// period, every sold-out toy is put back to a stock, as the course's lab
// catalog does. Each round is the refill operation (operations/refill.ts),
// run by the StoreService like any request: its lock, each store's one atomic
// step, its stock events. This file owns only when rounds run: one timer,
// unref'd, never two rounds at once (a tick that comes while a round still
// runs is skipped), errors to a hook and never thrown, and on a shared store
// an early retry when another server's round made this one not due.

import { duration, integer, OptionError, resolveOptions, type Schema } from "../options/schema.js";
import type { RefillOutcome, RefillRequest } from "./operations/index.js";
import type { StoreService } from "./store-service.js";

export interface RestockTimerOptions {
  /** How often a round runs, in ms; null (the default): never. */
  readonly restockEveryMs: number | null;
  /** The stock a sold-out toy is put back to. Default 100. */
  readonly restockTo: number;
}

/** The shortest and longest period: rounds at most every 10 ms, at least once a day. */
export const RESTOCK_PERIOD_RANGE = Object.freeze({ minMs: 10, maxMs: 24 * 3_600_000 });

export const RESTOCK_TIMER_OPTIONS: Schema<RestockTimerOptions> = {
  restockEveryMs: duration(
    "--restock-every",
    "put every sold-out toy back to --restock-to units this often, e.g. 10s, 500ms or 2m (off unless given; servers sharing a PostgreSQL database make one round per period between them)",
    null,
    RESTOCK_PERIOD_RANGE,
  ),
  restockTo: integer(
    "--restock-to",
    "the stock --restock-every puts each sold-out toy back to",
    100,
    1,
    Number.MAX_SAFE_INTEGER,
  ),
};

/**
 * The options as given (on the command line: readFlags), with the defaults
 * filled in and every value checked; `--restock-to` given without
 * `--restock-every` is refused, since it would do nothing. Throws an
 * OptionError naming the flag (the CLI's usage error, exit 2).
 */
export function resolveRestockTimerOptions(input: Partial<RestockTimerOptions> = {}): RestockTimerOptions {
  const resolved = resolveOptions(RESTOCK_TIMER_OPTIONS, input);
  if (input.restockTo !== undefined && resolved.restockEveryMs === null)
    throw new OptionError("--restock-to needs --restock-every to say how often, e.g. --restock-every 10s");
  return resolved;
}

/** The clock and the timer the rounds are scheduled with; tests pass a fake one. */
export interface Scheduler {
  /** Now, in ms, on a clock that only moves forward. */
  now(): number;
  /** Calls `fn` once after `ms`, without keeping the process alive for it. */
  schedule(fn: () => void, ms: number): { cancel(): void };
}

/** performance.now, and a setTimeout unref'd: a pending round never keeps the process up. */
export const REAL_SCHEDULER: Scheduler = Object.freeze({
  now: () => performance.now(),
  schedule(fn: () => void, ms: number) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
});

export interface RestockTimerHooks {
  /**
   * Each round's outcome: "refilled" with the toys put back (none: no toy was
   * sold out), or, on a shared store, "not_due": another server ran this
   * period's round. Must not throw.
   */
  readonly onRound?: (outcome: RefillOutcome) => void;
  /** A round that failed (the store unavailable, ...), for the log; the timer goes on. Default: a line on stderr. */
  readonly onError?: (error: unknown) => void;
  /** Ticks skipped because a round was still running when they came. */
  readonly onSkipped?: (ticks: number) => void;
  /** Default: REAL_SCHEDULER. */
  readonly scheduler?: Scheduler;
}

/** A running restock timer. */
export interface RestockTimer {
  /** Stops it: no round starts after this; resolves once a round in flight has ended (await it before closing the store). */
  stop(): Promise<void>;
}

const STOPPED: RestockTimer = Object.freeze({ stop: () => Promise.resolve() });

/**
 * Starts the rounds on `service`'s store, the first one period from now;
 * with no `restockEveryMs` (the default) nothing runs. `options` may be
 * resolved already (resolveRestockTimerOptions). Throws an OptionError for a
 * bad value.
 */
export function startRestockTimer(
  service: StoreService,
  options: Partial<RestockTimerOptions> = {},
  hooks: RestockTimerHooks = {},
): RestockTimer {
  const { restockEveryMs, restockTo } = resolveOptions(RESTOCK_TIMER_OPTIONS, options);
  if (restockEveryMs === null) return STOPPED;
  return new Rounds(service, { op: "refill", to: restockTo, periodMs: restockEveryMs }, hooks);
}

/**
 * The rounds: one timer at a time, set for the next tick of a fixed cadence
 * (start + k periods) once the last round has ended, so rounds never overlap
 * and the ticks a long round ran over are skipped rather than run late.
 */
class Rounds implements RestockTimer {
  readonly #service: StoreService;
  readonly #request: RefillRequest;
  readonly #hooks: RestockTimerHooks;
  readonly #scheduler: Scheduler;
  readonly #start: number;
  /** The number of the cadence's next tick (tick k is due at start + k periods). */
  #tick = 1;
  #pending: { cancel(): void } | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(service: StoreService, request: RefillRequest, hooks: RestockTimerHooks) {
    this.#service = service;
    this.#request = request;
    this.#hooks = hooks;
    this.#scheduler = hooks.scheduler ?? REAL_SCHEDULER;
    this.#start = this.#scheduler.now();
    this.#schedule(this.#start + request.periodMs, true);
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.#pending?.cancel();
    this.#pending = undefined;
    return this.#running ?? Promise.resolve();
  }

  /** Sets the one timer for `at`: a tick of the cadence, or an early retry. */
  #schedule(at: number, onCadence: boolean): void {
    const delay = Math.max(0, at - this.#scheduler.now());
    this.#pending = this.#scheduler.schedule(() => this.#fire(onCadence), delay);
  }

  #fire(onCadence: boolean): void {
    this.#pending = undefined;
    if (this.#stopped) return;
    if (onCadence) this.#tick += 1;
    this.#running = this.#round().then((outcome) => {
      this.#running = undefined;
      if (!this.#stopped) this.#next(outcome);
    });
  }

  /** One round; never rejects: a failure goes to onError. */
  async #round(): Promise<RefillOutcome | undefined> {
    let outcome: RefillOutcome;
    try {
      outcome = await this.#service.run(this.#request);
    } catch (error) {
      this.#safely(() => (this.#hooks.onError ?? logError)(error));
      return undefined;
    }
    this.#safely(() => this.#hooks.onRound?.(outcome));
    return outcome;
  }

  /**
   * After a round: the cadence's next tick still ahead (those a long round
   * ran over are skipped), or sooner when a shared store said when the next
   * round is due: the server that ran this period's round may have started
   * its timer earlier, and without the retry this one would wait a whole
   * period more whenever its tick came a moment before the round was due.
   */
  #next(outcome: RefillOutcome | undefined): void {
    const now = this.#scheduler.now();
    const period = this.#request.periodMs;
    const ahead = Math.floor((now - this.#start) / period) + 1;
    if (ahead > this.#tick) {
      const skipped = ahead - this.#tick;
      this.#tick = ahead;
      this.#safely(() => this.#hooks.onSkipped?.(skipped));
    }
    const tickAt = this.#start + this.#tick * period;
    if (outcome?.kind === "not_due") {
      const dueAt = now + Math.max(1, Math.ceil(outcome.dueInMs));
      if (dueAt < tickAt) {
        this.#schedule(dueAt, false);
        return;
      }
    }
    this.#schedule(tickAt, true);
  }

  // A hook that throws is a bug in its caller; the timer must not die of it.
  #safely(call: () => void): void {
    try {
      call();
    } catch (error) {
      logError(error);
    }
  }
}

function logError(error: unknown): void {
  process.stderr.write(
    `toystore: restock timer: ${error instanceof Error ? error.message : String(error)}\n`,
  );
}
