// The store interface the service talks to, and its in-memory implementation.

import type { BuyResult, QueryResult, Toy } from "./toy.js";
import { NOT_FOUND, normalizeName, SOLD_OUT } from "./toy.js";

/** A value now, or a promise of one. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * The catalog behind one asynchronous interface: a database-backed store can
 * return promises; the in-memory one answers at once, so the hot path pays no
 * promise hop. Callers must handle both (see StoreService).
 *
 * A store is not itself safe against interleaving across awaits: StoreService
 * holds the lock around each call.
 */
export interface CatalogStore {
  query(name: string): Awaitable<QueryResult>;
  /** Takes one unit if any is left; never oversells. */
  buy(name: string): Awaitable<BuyResult>;
  /** Every toy, in catalog order. */
  list(): Awaitable<readonly Toy[]>;
}

interface Entry {
  readonly name: string;
  readonly priceCents: number;
  stock: number;
}

/** The catalog in a Map keyed by normalized name. */
export class InMemoryCatalog implements CatalogStore {
  readonly #entries = new Map<string, Entry>();
  // Display names as written, so the common exact-case request skips normalization.
  readonly #exact = new Map<string, Entry>();

  /** Throws on a duplicate name; callers validate toys first (see loadCatalogFile). */
  constructor(toys: readonly Toy[]) {
    for (const toy of toys) {
      const key = normalizeName(toy.name);
      if (this.#entries.has(key)) throw new Error(`InMemoryCatalog: duplicate toy name "${toy.name}"`);
      const entry = { name: toy.name, priceCents: toy.priceCents, stock: toy.stock };
      this.#entries.set(key, entry);
      this.#exact.set(toy.name, entry);
    }
  }

  query(name: string): QueryResult {
    const entry = this.#lookup(name);
    if (entry === undefined) return NOT_FOUND;
    if (entry.stock === 0) return SOLD_OUT;
    return { kind: "in_stock", priceCents: entry.priceCents, stock: entry.stock };
  }

  buy(name: string): BuyResult {
    const entry = this.#lookup(name);
    if (entry === undefined) return NOT_FOUND;
    if (entry.stock === 0) return SOLD_OUT;
    entry.stock--;
    return { kind: "bought", stockLeft: entry.stock };
  }

  list(): readonly Toy[] {
    return Array.from(this.#entries.values(), (e) => ({
      name: e.name,
      priceCents: e.priceCents,
      stock: e.stock,
    }));
  }

  #lookup(name: string): Entry | undefined {
    return this.#exact.get(name) ?? this.#entries.get(normalizeName(name));
  }
}
