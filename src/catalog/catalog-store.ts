// The store interface the service talks to, and its in-memory implementation.

import type { BuyResult, Order, QueryResult, Toy } from "./toy.js";
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
  /** Takes one unit if any is left and records the sale as an order, in one step; never oversells. */
  buy(name: string): Awaitable<BuyResult>;
  /** An order by id; undefined if there is none (or, in memory, it is older than the ones kept). */
  order(id: string): Awaitable<Order | undefined>;
  /** Every toy, in catalog order. */
  list(): Awaitable<readonly Toy[]>;
}

interface Entry {
  readonly name: string;
  readonly priceCents: number;
  stock: number;
}

/** How many orders the in-memory store keeps: the latest, so its memory stays bounded. */
export const IN_MEMORY_ORDERS_KEPT = 10_000;

/** A sale as the memory store keeps it: the time as a number, formatted only when read. */
interface Sale {
  readonly id: number;
  readonly entry: Entry;
  readonly atMs: number;
}

/** The catalog in a Map keyed by normalized name; the latest orders in a ring indexed by order number. */
export class InMemoryCatalog implements CatalogStore {
  readonly #entries = new Map<string, Entry>();
  // A ring, not a Map: dropping the oldest order is an overwrite, and a buy pays O(1) whatever came before.
  readonly #sales: (Sale | undefined)[];
  #lastOrder = 0;
  // Display names as written, so the common exact-case request skips normalization.
  readonly #exact = new Map<string, Entry>();

  /**
   * Throws on a duplicate name; callers validate toys first (see
   * loadCatalogFile). Keeps the latest `ordersKept` orders (default 10 000).
   */
  constructor(toys: readonly Toy[], ordersKept = IN_MEMORY_ORDERS_KEPT) {
    this.#sales = new Array<Sale | undefined>(ordersKept);
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
    const id = ++this.#lastOrder;
    this.#sales[id % this.#sales.length] = { id, entry, atMs: Date.now() };
    return { kind: "bought", stockLeft: entry.stock, orderId: String(id) };
  }

  order(id: string): Order | undefined {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n < 1 || String(n) !== id) return undefined;
    const sale = this.#sales[n % this.#sales.length];
    if (sale?.id !== n) return undefined;
    // The price the toy had when sold: the memory store's prices never change.
    return {
      id,
      toy: sale.entry.name,
      unitPriceCents: sale.entry.priceCents,
      time: new Date(sale.atMs).toISOString(),
    };
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
