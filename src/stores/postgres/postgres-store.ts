// The shared store: PostgreSQL, one database for any number of server
// processes and hosts. Every answer comes from the database, so every answer
// is linearizable across all the servers: a query is one statement (its
// snapshot is taken after the request arrived), and a buy is answered only
// after its transaction committed with synchronous_commit on.
//
// With no simulated work (or under "atomic", after the work), requests are
// batched: the queries of one event-loop turn are one SELECT, and the buys of
// one turn one statement, one commit (group commit). With simulated work
// under a lock, each request is its own transaction that takes the lock in the
// database (a lock row for the global locks, the toy's row for per-toy) and
// holds it through the work, so the policy holds across processes.
//
// Every stock change is announced to every server in its own statement
// (announce.ts); `feed` passes them on from a listening connection made only
// while needed (stock-listener.ts). --query-cache answers queries from memory
// the announcements keep current (cached-stock.ts): not linearizable across
// servers; buys still decide in the database. Connections, gate and health
// probe: connection.ts; statements: statements.ts, keyed-buy.ts; tables:
// schema.ts.

import { setTimeout as sleep } from "node:timers/promises";
import {
  checkQuantity,
  orderNumber,
  type RefillResult,
  type Restock,
  type Section,
  type SharedStore,
  ToyIndex,
} from "../../catalog/catalog-store.js";
import { NOT_FOUND, SOLD_OUT, stockReport } from "../../catalog/outcomes.js";
import type { Order, SaleResult, StockReport, Toy } from "../../catalog/toy.js";
import { StoreError } from "../../errors.js";
import { type CatalogSource, type Opened, type StoreLog, storeLog } from "../open-options.js";
import { reason, StoreOpenError } from "../store-errors.js";
import { Batcher } from "./batcher.js";
import type { PostgresCacheOptions } from "./cache-options.js";
import { POSTGRES_POOL_OPTIONS, PostgresConnections, type PostgresPoolOptions } from "./connection.js";
import { describeConnectFailure } from "./errors.js";
import { buyOnce, forgetOldKeys, PRUNE_EVERY_MS } from "./keyed-buy.js";
import { prepare } from "./schema.js";
import {
  buyAll,
  buyOne,
  listToys,
  lockFor,
  locksInDatabase,
  lookupAll,
  readOrder,
  readStock,
  refillRound,
  restockOne,
  type Sold,
  type Stocked,
  type Wanted,
  work,
} from "./statements.js";
import { type ListeningFeed, StoreAnnouncements } from "./store-announcements.js";
import { type Tx, transaction } from "./transaction.js";

/** What the server holds of a toy: its name never changes; its stock and price are read from the database. */
interface Known {
  readonly key: string;
  readonly name: string;
}

/** How a PostgreSQL store connects, announces and caches, and where it reports what no request carries. */
export interface PostgresStoreOptions extends Partial<PostgresPoolOptions>, Partial<PostgresCacheOptions> {
  /** Where a failed commit or cleanup is logged (default: one line on stderr). */
  readonly log?: StoreLog;
}

/**
 * Buy batches in flight at once: one, so each batch gathers every buy that
 * came while the last one committed. (A batcher per toy, so that toys commit
 * side by side, measured slower here: more, smaller commits.)
 */
const BUY_BATCHES = 1;
/** Lookup batches in flight at once. */
const QUERY_BATCHES = 8;

export class PostgresStore implements SharedStore {
  readonly shared = true;
  onCommitBatch: ((size: number) => void) | undefined;
  /** Told of each announcement received: ms since its statement changed the row, and whether another server made it. */
  onAnnouncement: ((delayMs: number, fromOther: boolean) => void) | undefined;
  /** Told of each query with the cache on: answered from memory (true) or read from the database. */
  onCacheLookup: ((hit: boolean) => void) | undefined;
  /** Every server's announcements (absent with --db-announce off). */
  readonly feed: ListeningFeed | undefined;
  readonly #db: PostgresConnections;
  readonly #log: StoreLog;
  readonly #toys = new ToyIndex<Known>();
  readonly #lookups: Batcher<string, Stocked | undefined>;
  readonly #buys: Batcher<Wanted, Sold | undefined>;
  readonly #pruning: NodeJS.Timeout;
  readonly #announcements: StoreAnnouncements;
  #onHealth: ((healthy: boolean, reason: string | undefined) => void) | undefined;

  /**
   * Connects to `url`; creates the schema and fills it from `catalog` if the
   * database holds no tables, else checks (and migrates) the schema and serves
   * what it holds (refusing `catalog` if it was given). Throws a
   * StoreOpenError naming the store (`where`) and what is wrong.
   */
  static async open(
    url: string,
    where: string,
    catalog: CatalogSource,
    options: PostgresStoreOptions = {},
  ): Promise<Opened<PostgresStore>> {
    const problem = StoreAnnouncements.problem(options);
    if (problem !== undefined) throw new StoreOpenError(`cannot use ${where}: ${problem}`);
    const db = new PostgresConnections(url, {
      pool: options.pool ?? POSTGRES_POOL_OPTIONS.pool.default,
      waitMs: options.waitMs ?? POSTGRES_POOL_OPTIONS.waitMs.default,
    });
    let prepared: Awaited<ReturnType<typeof prepare>>;
    try {
      prepared = await prepare(db.sql, where, catalog);
    } catch (error) {
      await db.close();
      if (error instanceof StoreOpenError) throw error;
      throw new StoreOpenError(`cannot use ${where}: ${describeConnectFailure(error)}`);
    }
    const store = new PostgresStore(db, prepared.known, storeLog(options.log), url, options);
    await db.startProbe();
    return { store, created: prepared.created, toys: prepared.toys, orders: prepared.orders };
  }

  private constructor(
    db: PostgresConnections,
    known: readonly Known[],
    log: StoreLog,
    url: string,
    options: Partial<PostgresCacheOptions>,
  ) {
    this.#db = db;
    this.#log = log;
    this.#announcements = new StoreAnnouncements(url, log, options, this);
    this.feed = this.#announcements.feed;
    // A database away: the listening connection may sit on a dead link, drop it (it is made again).
    db.onHealth = (healthy, why) => {
      if (!healthy) this.#announcements.restart();
      this.#onHealth?.(healthy, why);
    };
    for (const row of known) this.#toys.add({ key: row.key, name: row.name });
    this.#lookups = new Batcher((keys) => this.#db.run((sql) => lookupAll(sql, keys)), QUERY_BATCHES);
    this.#buys = new Batcher((buys) => this.#buyBatch(buys), BUY_BATCHES);
    this.#pruning = setInterval(() => {
      this.#db
        .run(forgetOldKeys)
        .catch((error: unknown) =>
          this.#log(`postgres: could not forget old idempotency keys: ${reason(error)}`),
        );
    }, PRUNE_EVERY_MS);
    this.#pruning.unref();
  }

  /** Whether the database answered the store's last health check (see connection.ts). */
  get healthy(): boolean {
    return this.#db.healthy;
  }

  get onHealth(): ((healthy: boolean, reason: string | undefined) => void) | undefined {
    return this.#onHealth;
  }

  set onHealth(listener: ((healthy: boolean, reason: string | undefined) => void) | undefined) {
    this.#onHealth = listener;
  }

  /** Toys the query cache holds now; undefined without --query-cache. */
  get cacheEntries(): number | undefined {
    return this.#announcements.cache?.entries;
  }

  /**
   * With the cache served, a hit answers from memory at once: no lock, no
   * simulated work (the cache stands in front of the store as the original
   * design's front-end cache stands in front of its catalog server; the work
   * is the back end's). A miss runs as without the cache, and fills it.
   */
  query(name: string, section: Section): StockReport | Promise<StockReport> {
    const toy = this.#toys.get(name);
    if (toy === undefined) return NOT_FOUND;
    const cache = this.#announcements.cache;
    const read = (): Promise<Stocked | undefined> => this.#read(toy.key, section);
    const found = cache === undefined ? read() : cache.lookup(toy.key, read);
    // A hit is answered in this turn: no promise, no microtask.
    if (!(found instanceof Promise)) return reportOf(toy.name, found);
    return found.then((stocked) => reportOf(toy.name, stocked));
  }

  async #read(key: string, section: Section): Promise<Stocked | undefined> {
    if (locksInDatabase(section))
      return await this.#db.run((sql) =>
        transaction(sql, async (tx) => {
          await lockFor(tx, section, key, true);
          await work(tx, section.workMs);
          return await readStock(tx, key);
        }),
      );
    if (section.workMs > 0) await sleep(section.workMs);
    return await this.#lookups.add(key);
  }

  /**
   * All or nothing, one order per sale. With `requestKey`, once per key on
   * every server of the store (see keyed-buy.ts).
   */
  async buy(name: string, section: Section, quantity: number, requestKey?: string): Promise<SaleResult> {
    checkQuantity(quantity);
    const toy = this.#toys.get(name);
    if (toy === undefined) return NOT_FOUND;
    const locked = locksInDatabase(section);
    if (section.workMs > 0 && !locked) await sleep(section.workMs);
    let sold: Sold | undefined;
    if (requestKey !== undefined) {
      const buy = { key: toy.key, quantity, requestKey };
      const lock = locked
        ? { take: (tx: Tx) => lockFor(tx, section, toy.key, false), workMs: section.workMs }
        : undefined;
      sold = await this.#db.run((sql) => buyOnce(sql, buy, this.#announcements.announcing, lock));
    } else if (locked) {
      sold = await this.#db.run((sql) =>
        transaction(sql, async (tx) => {
          await lockFor(tx, section, toy.key, false);
          await work(tx, section.workMs);
          return await buyOne(tx, toy.key, quantity, this.#announcements.announcing);
        }),
      );
    } else sold = await this.#buys.add({ key: toy.key, quantity });
    if (sold === undefined) return SOLD_OUT;
    // Before the buyer hears of it: a client reads its own buys.
    this.#announcements.cache?.changed(toy.key, sold.after);
    return {
      kind: "bought",
      toy: toy.name,
      stockLeft: sold.stockLeft,
      orderId: sold.orderId,
      unitPriceCents: sold.unitPriceCents,
      quantity,
    };
  }

  /** One statement: the row lock it takes orders it with every buy of the toy, on every server. */
  async restock(name: string, change: Restock): Promise<Toy | undefined> {
    const toy = this.#toys.get(name);
    if (toy === undefined) return undefined;
    const row = await this.#db.run((sql) => restockOne(sql, toy.key, change, this.#announcements.announcing));
    if (row === undefined) return undefined;
    this.#announcements.cache?.changed(toy.key, row);
    return { name: row.name, priceCents: row.priceCents, stock: row.stock };
  }

  /** Every sold-out toy back to `to`, once per period across every server of the database (see refillRound). */
  async refill(to: number, periodMs: number, section: Section): Promise<RefillResult> {
    const round = await this.#db.run((sql) =>
      transaction(sql, (tx) => refillRound(tx, to, periodMs, section, this.#announcements.announcing)),
    );
    for (const row of round.rows) this.#announcements.cache?.changed(row.key, row);
    return round.outcome;
  }

  async order(id: string): Promise<Order | undefined> {
    const n = orderNumber(id);
    return n === undefined ? undefined : await this.#db.run((sql) => readOrder(sql, n));
  }

  async list(): Promise<readonly Toy[]> {
    return await this.#db.run(listToys);
  }

  async close(): Promise<void> {
    clearInterval(this.#pruning);
    await this.#announcements.close();
    await this.#db.close();
  }

  /** One batch of unkeyed buys: one statement, one commit (see buyAll); a failed commit is logged once. */
  async #buyBatch(buys: readonly Wanted[]): Promise<(Sold | undefined)[]> {
    this.onCommitBatch?.(buys.length);
    try {
      return await this.#db.run((sql) => buyAll(sql, buys, this.#announcements.announcing));
    } catch (error) {
      // A refusal (no connection, the database away) sent nothing: no commit failed, and each buy's failure is logged.
      const refused = error instanceof StoreError && error.cause === undefined;
      if (!refused)
        this.#log(`postgres: a commit failed, ${buys.length} buys answered with an error: ${reason(error)}`);
      throw error;
    }
  }
}

function reportOf(name: string, found: Stocked | undefined): StockReport {
  return found === undefined ? NOT_FOUND : stockReport(name, found.priceCents, found.stock);
}
