// The query cache's memory (serve --query-cache): a bounded map from a toy's
// key to its stock, price and version, least recently used out first, which
// only ever moves to a newer version. No I/O here: the store fills it from
// its reads and its own changes, and the announcements of every server's
// changes keep it current (postgres-store.ts, cached-stock.ts).
//
// A fill races the announcements: a read of version 7 may come back after the
// announcement of version 8 (committed after the read's snapshot) was
// received, when no entry held the toy for it to update. So while a key's
// fill is in flight the newest announcement for it is noted, and the fill
// stores whichever of the two is newer. The notes are bounded by the fills in
// flight; clear() makes every fill in flight store nothing.

/** What the cache holds of a toy. */
export interface CachedStock {
  readonly stock: number;
  readonly priceCents: number;
  /** The toy's row version (schema.ts): a value only ever replaces an older one. */
  readonly version: number;
}

/** A fill begun: hand it back to endFill() with what the database read. */
export interface Fill {
  readonly key: string;
  readonly generation: number;
}

export class QueryCache {
  readonly #capacity: number;
  /** Insertion order is recency: the first key is the least recently used. */
  readonly #entries = new Map<string, CachedStock>();
  /** Keys with fills in flight: how many, and the newest value announced meanwhile. */
  readonly #filling = new Map<string, { count: number; newest: CachedStock | undefined }>();
  /** Moved on by clear(): a fill begun before it stores nothing. */
  #generation = 0;

  /** A cache of at most `capacity` toys (at least 1). */
  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`a query cache holds at least 1 entry, got ${capacity}`);
    this.#capacity = capacity;
  }

  /** Toys held now (at most the capacity). */
  get size(): number {
    return this.#entries.size;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Keys with a fill in flight (each holds a note at most). */
  get filling(): number {
    return this.#filling.size;
  }

  /** The toy's entry, now the most recently used; undefined if not held. */
  get(key: string): CachedStock | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  /** The entry without touching its recency (tests, metrics). */
  peek(key: string): CachedStock | undefined {
    return this.#entries.get(key);
  }

  /** Keys from least to most recently used. */
  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** A read of the key is about to be sent to the database. */
  beginFill(key: string): Fill {
    const filling = this.#filling.get(key);
    if (filling === undefined) this.#filling.set(key, { count: 1, newest: undefined });
    else filling.count++;
    return { key, generation: this.#generation };
  }

  /**
   * The read came back with `read` (undefined: failed or no such row): the
   * key is held with the newest of it, the entry already there and what was
   * announced meanwhile; nothing is stored if the cache was cleared since the
   * fill began, or if nothing is known.
   */
  endFill(fill: Fill, read: CachedStock | undefined): void {
    if (fill.generation !== this.#generation) return;
    const filling = this.#filling.get(fill.key);
    let value = newer(read, filling?.newest);
    if (filling !== undefined && --filling.count === 0) this.#filling.delete(fill.key);
    const held = this.#entries.get(fill.key);
    value = newer(value, held);
    if (value === undefined) return;
    this.#entries.delete(fill.key);
    this.#entries.set(fill.key, value);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  /**
   * A committed change of the key (an announcement, or this server's own
   * change as its statement returned it): an entry held moves to it if it is
   * newer; a key not held is left out (nothing says an entry would stay
   * current), unless a fill of it is in flight, which then stores the newer.
   * Recency is left alone: a change is not a use.
   */
  apply(key: string, value: CachedStock): void {
    const held = this.#entries.get(key);
    if (held !== undefined) {
      if (value.version > held.version) this.#entries.set(key, value);
      return;
    }
    const filling = this.#filling.get(key);
    if (filling !== undefined) filling.newest = newer(value, filling.newest);
  }

  /** Forgets every entry, and every fill in flight stores nothing. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#filling.clear();
  }
}

/** The one of two values with the higher version (either may be missing). */
function newer(a: CachedStock | undefined, b: CachedStock | undefined): CachedStock | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.version > a.version ? b : a;
}
