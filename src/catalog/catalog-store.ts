// The store interfaces the service talks to, and what every store shares:
// toys by name, order ids, the quantity a buy may take. (The in-memory store
// is memory-store.ts.)

import type { LockKind } from "../concurrency/section-lock.js";
import type { Order, SaleResult, StockReport, Toy } from "./toy.js";
import { normalizeName } from "./toy.js";

/** A value now, or a promise of one. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * An outcome decided now whose answer must wait until it is stored: the
 * change is already visible to the next request in this process, so the
 * service releases the lock at once and waits for `stored` outside it (group
 * commit needs that: a buy holding the lock through its sync would leave no
 * other buy to share the sync with). If `stored` rejects, nothing was stored
 * and the answer is an error.
 */
export class Committing<T> {
  constructor(
    readonly outcome: T,
    readonly stored: Promise<void>,
  ) {}
}

/**
 * A store one process owns (memory, sqlite): the service runs the lock policy
 * and the simulated work around each call. The in-memory store answers at
 * once, so the hot path pays no promise hop; a durable one answers with a
 * Committing outcome; a store may also answer with a promise, which the
 * service awaits while holding the lock.
 */
export interface CatalogStore {
  readonly shared?: false;
  query(name: string): Awaitable<StockReport>;
  /**
   * Takes `quantity` units if that many are left (all or nothing: fewer left
   * is sold out, nothing sold) and records the sale as one order, in one step;
   * never oversells.
   */
  buy(name: string, quantity: number): Awaitable<SaleResult> | Committing<SaleResult>;
  /** An order by id; undefined if there is none (or, in memory, it is older than the ones kept). */
  order(id: string): Awaitable<Order | undefined>;
  /** Every toy, in catalog order. */
  list(): Awaitable<readonly Toy[]>;
  /** Sets a toy's stock or adds to it, and/or sets its price; the toy after, or undefined if there is none. */
  restock?(name: string, change: Restock): Awaitable<Toy | undefined> | Committing<Toy | undefined>;
  /**
   * Puts every sold-out toy (stock 0) back to `to` units, in one step with
   * respect to buys (none lost, none oversold); answers "refilled" with them.
   */
  refill?(to: number): Awaitable<RefillResult> | Committing<RefillResult>;
  /** Releases what the store holds (files, connections). */
  close?(): Awaitable<void>;
  /** Told the size of each batch the store commits (durable stores). */
  onCommitBatch?: ((size: number) => void) | undefined;
}

/** A restock: `stock` sets it, `addStock` adds to it (one of them at most); `priceCents` sets the price. */
export interface Restock {
  readonly stock?: number;
  readonly addStock?: number;
  readonly priceCents?: number;
}

/**
 * What a refill round did: "refilled", the toys it put back, each with its
 * new stock, in catalog order (none when no toy was sold out); or, on a shared
 * store, "not_due": another server ran this period's round, and the next one
 * is due in `dueInMs`.
 */
export type RefillResult =
  | { readonly kind: "refilled"; readonly toys: readonly Toy[] }
  | { readonly kind: "not_due"; readonly dueInMs: number };

/** The stock a restock leaves, from the stock before it. */
export function restockedStock(before: number, change: Restock): number {
  return change.stock ?? before + (change.addStock ?? 0);
}

/** What a shared store runs each request inside: the lock policy and the simulated work. */
export interface Section {
  readonly lock: LockKind;
  readonly workMs: number;
}

/**
 * A store several server processes share (postgres): the lock policy must hold
 * across processes, so the store runs it, and the simulated work, inside its
 * own transactions. Every answer is linearizable across all the servers.
 */
export interface SharedStore {
  readonly shared: true;
  /** A report at once when the store can answer without waiting (a query cache's hit), else a promise. */
  query(name: string, section: Section): StockReport | Promise<StockReport>;
  /**
   * Buys `quantity` units, all or nothing. With `requestKey`, a key already
   * used answers its first outcome and sells nothing (rejecting with a
   * StoreError if it bought another toy or another quantity), on every server
   * of the store.
   */
  buy(name: string, section: Section, quantity: number, requestKey?: string): Promise<SaleResult>;
  order(id: string): Promise<Order | undefined>;
  list(): Promise<readonly Toy[]>;
  restock(name: string, change: Restock): Promise<Toy | undefined>;
  /**
   * Puts every sold-out toy back to `to` units, as CatalogStore.refill, at
   * most once per `periodMs` across every server of the store: a server
   * whose round another one already ran this period answers "not_due". Takes
   * the catalog's lock under the section's policy, if it has one.
   */
  refill?(to: number, periodMs: number, section: Section): Promise<RefillResult>;
  close(): Promise<void>;
  /** Told the size of each batch of buys the store commits. */
  onCommitBatch?: ((size: number) => void) | undefined;
  /**
   * Whether the database answered the store's last health check; while it is
   * false every request fails "unavailable" at once. Absent: the store checks
   * nothing (always healthy).
   */
  readonly healthy?: boolean;
  /** Told each change of `healthy`, with why when it turned false. */
  onHealth?: ((healthy: boolean, reason: string | undefined) => void) | undefined;
  /** Present when the store announces its committed stock changes to every server. */
  readonly feed?: StockFeed;
  /**
   * Told of each announcement the feed receives (while it listens), this
   * server's own too: ms from the change's statement to its receipt, and
   * whether another server made it.
   */
  onAnnouncement?: ((delayMs: number, fromOther: boolean) => void) | undefined;
  /** Told of each query while a query cache is on: answered from memory (true), or read from the database. */
  onCacheLookup?: ((hit: boolean) => void) | undefined;
  /** Toys a query cache holds now; undefined when the store has none. */
  readonly cacheEntries?: number | undefined;
}

/**
 * What a store shared by several servers offers when it announces every
 * committed stock change to all of them (PostgreSQL: LISTEN/NOTIFY).
 */
export interface StockFeed {
  /**
   * `change(name, stock)` for every committed stock change made through any
   * server of the store (a sale of any quantity, a restock, each toy of a
   * refill), in commit order, `name` the display name and `stock` what is
   * left after it; `resync()` when changes may have been missed (the
   * listening connection was lost and is back): whoever keeps stock
   * figures reads them afresh. `resync()` also comes once the store starts
   * listening, if it was not listening when the watcher came (a snapshot read
   * before that could miss a change). Returns the function that stops it.
   */
  watchStock(change: (name: string, stock: number) => void, resync: () => void): () => void;
  /**
   * Whether the store listens now: while false, changes may be missed (the
   * watchers get resync() once it listens again). Absent: always.
   */
  readonly listening?: boolean;
}

/** Any store the service can run on. */
export type AnyStore = CatalogStore | SharedStore;

/**
 * Toys by name, for the stores that keep the catalog in this process: keyed by
 * normalized name, plus the display names as written, so the common
 * exact-case request skips normalization.
 */
export class ToyIndex<E extends { readonly name: string }> {
  readonly #byKey = new Map<string, E>();
  readonly #exact = new Map<string, E>();

  /** Throws on a duplicate name; callers validate toys first (see loadCatalogFile). */
  add(entry: E): void {
    const key = normalizeName(entry.name);
    if (this.#byKey.has(key)) throw new Error(`duplicate toy name "${entry.name}"`);
    this.#byKey.set(key, entry);
    this.#exact.set(entry.name, entry);
  }

  get(name: string): E | undefined {
    return this.#exact.get(name) ?? this.#byKey.get(normalizeName(name));
  }

  /** Every entry, in the order added. */
  values(): IterableIterator<E> {
    return this.#byKey.values();
  }
}

/** An order id as its number, if it is one a store could have given (a positive integer, written plainly). */
export function orderNumber(id: string): number | undefined {
  const n = Number(id);
  return Number.isSafeInteger(n) && n >= 1 && String(n) === id ? n : undefined;
}

/**
 * Guards a store's stock against a quantity no request may carry: the buy
 * operation validates requests first (1 to MAX_QUANTITY), so this throws only
 * on a caller's bug (a RangeError, which the service answers "internal").
 */
export function checkQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 1)
    throw new RangeError(`a buy's quantity must be a whole number of at least 1, got ${quantity}`);
}
