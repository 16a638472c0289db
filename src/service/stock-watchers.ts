// The service's stock watchers and where their news comes from: the store's
// feed when it has one (a shared store that announces every committed change,
// from every server, this one's included), else the changes this service
// makes itself (memory, SQLite: the one process that owns the store).

import type { StockFeed } from "../catalog/catalog-store.js";

/** Told a toy's stock after a change (a sale, a restock): its display name and the stock left. */
export type StockWatcher = (name: string, stock: number) => void;

/** What else a watcher may be told. */
export interface StockWatchOptions {
  /**
   * Called when changes may have been missed (a shared store's listening
   * connection was lost and is back): whoever keeps stock figures reads them
   * afresh (StoreService.list); also once the feed listens, if it did not
   * yet when the watch began (see `live`). Never called on a store this
   * process owns.
   */
  readonly resync?: () => void;
}

/** The watchers of one service; `onBug` hears a watcher that threw. */
export class StockWatchers {
  /** One entry per add, so that adding the same function twice makes two watchers, each with its own stop. */
  readonly #watchers = new Set<{
    readonly watcher: StockWatcher;
    readonly resync: (() => void) | undefined;
  }>();
  readonly #feed: StockFeed | undefined;
  readonly #onBug: (message: string, error: unknown) => void;
  /** Stops the feed; set while anyone watches, so a store listens only while someone does. */
  #stopFeed: (() => void) | undefined;

  constructor(feed: StockFeed | undefined, onBug: (message: string, error: unknown) => void) {
    this.#feed = feed;
    this.#onBug = onBug;
  }

  /**
   * Whether the service should tell the changes it makes itself: only without
   * a feed (with one, its own changes come back through the feed, and telling
   * them here too would show each twice), and only to someone.
   */
  get wantsLocal(): boolean {
    return this.#feed === undefined && this.#watchers.size > 0;
  }

  /**
   * Whether every stock change from now on reaches the watchers: always
   * without a feed; with one, while it listens (when it does not, each
   * watcher's resync comes once it does again).
   */
  get live(): boolean {
    // A feed that does not say listens always (StockFeed.listening).
    return this.#feed?.listening !== false;
  }

  /** Adds a watcher; returns the function that removes it (idempotent). */
  add(watcher: StockWatcher, options: StockWatchOptions = {}): () => void {
    const entry = { watcher, resync: options.resync };
    this.#watchers.add(entry);
    if (this.#feed !== undefined && this.#stopFeed === undefined) {
      this.#stopFeed = this.#feed.watchStock(
        (name, stock) => this.tell(name, stock),
        () => this.#resync(),
      );
    }
    return () => {
      if (!this.#watchers.delete(entry) || this.#watchers.size > 0) return;
      const stop = this.#stopFeed;
      this.#stopFeed = undefined;
      stop?.();
    };
  }

  /** Tells every watcher a toy's stock after a change. */
  tell(name: string, stock: number): void {
    for (const { watcher } of this.#watchers) {
      try {
        watcher(name, stock);
      } catch (error) {
        this.#onBug("a stock watcher threw", error);
      }
    }
  }

  #resync(): void {
    for (const { resync } of this.#watchers) {
      try {
        resync?.();
      } catch (error) {
        this.#onBug("a stock watcher threw", error);
      }
    }
  }
}
