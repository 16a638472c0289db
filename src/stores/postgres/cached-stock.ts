// The query cache at work (serve --query-cache): answers a toy's stock from
// memory while the store listens for every server's announcements, reads
// through to the database (and keeps what it read) otherwise. Its memory is
// query-cache.ts; the announcements come from stock-listener.ts.
//
// It is served only while listening: when the connection is lost nothing
// held can be trusted (a change may go unannounced to us), so every query
// reads the database until the store listens again, and then the cache starts
// empty. Between a commit on another server and its announcement's arrival a
// query here may answer the stock from before it: that window is what the
// cache gives up (measured by onAnnouncement).

import { QueryCache } from "./query-cache.js";
import type { Stocked } from "./statements.js";
import type { StockSubscriber } from "./stock-listener.js";

export class CachedStock implements StockSubscriber {
  readonly #cache: QueryCache;
  #serving = false;
  /** Told each lookup: answered from memory, or read from the database. */
  onLookup: ((hit: boolean) => void) | undefined;

  /** A cache of at most `capacity` toys, not served until the store listens (resync()). */
  constructor(capacity: number) {
    this.#cache = new QueryCache(capacity);
  }

  /** Toys held now. */
  get entries(): number {
    return this.#cache.size;
  }

  /** Whether queries are answered from memory now (the store listens). */
  get serving(): boolean {
    return this.#serving;
  }

  /**
   * The toy's stock from memory, or from `read` (the database), which fills
   * the cache while it is served. Either way the same answer a read would
   * give, but for changes committed elsewhere and not yet announced here.
   */
  lookup(key: string, read: () => Promise<Stocked | undefined>): Stocked | Promise<Stocked | undefined> {
    if (!this.#serving) {
      this.onLookup?.(false);
      return read();
    }
    const held = this.#cache.get(key);
    this.onLookup?.(held !== undefined);
    if (held !== undefined) return held;
    return this.#fill(key, read);
  }

  /** This server's own committed change, as its statement returned it: applied before its requester is answered. */
  changed(key: string, after: Stocked | undefined): void {
    if (after !== undefined) this.#cache.apply(key, after);
  }

  change(announcement: { readonly key: string } & Stocked): void {
    const { stock, priceCents, version } = announcement;
    this.#cache.apply(announcement.key, { stock, priceCents, version });
  }

  down(): void {
    this.#serving = false;
    this.#cache.clear();
  }

  resync(): void {
    this.#cache.clear();
    this.#serving = true;
  }

  async #fill(key: string, read: () => Promise<Stocked | undefined>): Promise<Stocked | undefined> {
    const fill = this.#cache.beginFill(key);
    let value: Stocked | undefined;
    try {
      value = await read();
      return value;
    } finally {
      this.#cache.endFill(fill, value);
    }
  }
}
