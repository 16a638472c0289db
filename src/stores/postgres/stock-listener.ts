// The listening connection of one PostgreSQL store: LISTEN on the stock
// channel (announce.ts), each announcement passed to every subscriber in the
// order PostgreSQL delivers them (commit order), and, when the connection is
// lost, a new one made with back-off until it listens again.
//
// A driver instance of its own (max 1) per attempt, not the driver's
// sql.listen: that re-listens by itself but says nothing when the connection
// is lost, and a gap must be known (subscribers stop trusting what they hold,
// and resync once listening again). A new instance per attempt also follows
// the primary of a URL with several hosts (target_session_attrs=primary, the
// hosts tried from a different one each time) after a failover. The store
// also drops the connection when its health probe finds the database away
// (restart()): a link that is gone may not close the socket for minutes.

import { type Announcement, parseAnnouncement, STOCK_CHANNEL } from "./announce.js";
import { CLUSTER_CONNECT_TIMEOUT_S, CONNECT_TIMEOUT_S, connectTo, rotateHosts, type Sql } from "./pool.js";

/** What a subscriber is told. */
export interface StockSubscriber {
  /** Each announcement, in commit order. */
  change(announcement: Announcement): void;
  /** The connection was lost: announcements may be missed until resync(). */
  down(): void;
  /** Listening (again): whatever was read before may have missed changes, read afresh. */
  resync(): void;
}

/** Between two attempts to listen: 100 ms, doubling, at most 2 s. */
export const relistenDelayMs = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt, 5), 2000);

export class StockListener {
  readonly #url: string;
  readonly #hosts: number;
  readonly #log: (message: string) => void;
  readonly #observe: (announcement: Announcement) => void;
  readonly #subscribers = new Set<StockSubscriber>();
  /** The connection listening or being made; undefined while idle or waiting to try again. */
  #sql: Sql | undefined;
  /** Ends the current connection's wait (lost, restarted, stopped). */
  #lost: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #listening = false;
  #closed = false;
  #wake: (() => void) | undefined;

  /**
   * Listens on `url` (of `hosts` hosts: with several, the primary) once
   * subscribed to; `log` hears of each loss and return, `observe` of each
   * announcement before the subscribers do.
   */
  constructor(
    url: string,
    hosts: number,
    log: (message: string) => void,
    observe: (announcement: Announcement) => void = () => {},
  ) {
    this.#url = url;
    this.#hosts = hosts;
    this.#log = log;
    this.#observe = observe;
  }

  /** Whether the connection listens now (every announcement since it began reaches the subscribers). */
  get listening(): boolean {
    return this.#listening;
  }

  /**
   * Adds a subscriber, starting the connection if it is the first; the
   * subscriber gets resync() once listening if it is not yet. Returns the
   * function that removes it (the last one out ends the connection).
   */
  subscribe(subscriber: StockSubscriber): () => void {
    if (this.#closed) return () => {};
    this.#subscribers.add(subscriber);
    this.#start();
    return () => {
      if (!this.#subscribers.delete(subscriber) || this.#subscribers.size > 0) return;
      this.#lost?.();
      this.#wake?.();
    };
  }

  /** Drops the connection (the database looks away): the subscribers are told down(), and it is made again. */
  restart(): void {
    this.#lost?.();
  }

  /** Ends the connection for good. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#lost?.();
    this.#wake?.();
    await this.#running;
  }

  #start(): void {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
      // A subscriber that came while the loop was ending finds none running.
      if (this.#subscribers.size > 0 && !this.#closed) this.#start();
    });
  }

  /** Calls `tell` on every subscriber; one that throws is logged, and the others still hear. */
  #tell(tell: (subscriber: StockSubscriber) => void): void {
    for (const subscriber of [...this.#subscribers]) {
      try {
        tell(subscriber);
      } catch (error) {
        this.#log(`postgres: a stock change watcher failed: ${describe(error)}`);
      }
    }
  }

  /** While anyone subscribes: listen, wait until lost, tell down(), wait the back-off, again. */
  async #run(): Promise<void> {
    let attempt = 0;
    let failedBefore = false;
    while (!this.#closed && this.#subscribers.size > 0) {
      const lost = new Promise<void>((resolve) => {
        this.#lost = resolve;
      });
      const sql = this.#connect(attempt, () => this.#lost?.());
      this.#sql = sql;
      let listened = false;
      try {
        await Promise.race([sql`LISTEN ${sql(STOCK_CHANNEL)}`, lost]);
        listened = this.#sql === sql && !this.#closed && this.#subscribers.size > 0;
      } catch (error) {
        if (!failedBefore) this.#log(`postgres: cannot listen for stock changes: ${describe(error)}`);
        failedBefore = true;
      }
      if (listened) {
        if (attempt > 0 || failedBefore) this.#log("postgres: listening for stock changes again");
        attempt = 0;
        failedBefore = false;
        this.#listening = true;
        this.#tell((subscriber) => subscriber.resync());
        await lost;
        this.#listening = false;
        this.#tell((subscriber) => subscriber.down());
        if (!this.#closed && this.#subscribers.size > 0)
          this.#log("postgres: lost the connection listening for stock changes; listening again");
      }
      this.#sql = undefined;
      this.#lost = undefined;
      void sql.end({ timeout: 0 }).catch(() => {});
      if (listened || this.#closed || this.#subscribers.size === 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, relistenDelayMs(attempt));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
      attempt++;
    }
  }

  /** A connection of its own, its notifications passed on while it is the current one. */
  #connect(attempt: number, onLost: () => void): Sql {
    const cluster = this.#hosts > 1;
    const sql: Sql = connectTo(rotateHosts(this.#url, attempt), {
      max: 1,
      connectTimeoutS: cluster ? CLUSTER_CONNECT_TIMEOUT_S : CONNECT_TIMEOUT_S,
      name: "toystore stock listener",
      cluster,
      listener: {
        onnotify: (channel, payload) => {
          if (channel !== STOCK_CHANNEL || this.#sql !== sql) return;
          const announcement = parseAnnouncement(payload);
          if (announcement === undefined) return;
          this.#observe(announcement);
          this.#tell((subscriber) => subscriber.change(announcement));
        },
        onclose: () => {
          if (this.#sql === sql) onLost();
        },
      },
    });
    return sql;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
