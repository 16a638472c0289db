// StoreService: the one place where the lock policy and the simulated work
// meet the catalog. Both transports call it; no business rule lives in them.

import { setTimeout as sleep } from "node:timers/promises";
import {
  type AnyStore,
  type Awaitable,
  type CatalogStore,
  Committing,
  type Restock,
  type Section,
  type SharedStore,
} from "../catalog/catalog-store.js";
import {
  type BuyResult,
  normalizeName,
  type Order,
  type QueryResult,
  type StoreRequest,
  type StoreResult,
  type Toy,
} from "../catalog/toy.js";
import { createLockPolicy, type LockPolicy } from "../concurrency/lock-policy.js";
import { LOCK_KINDS, type LockKind } from "../concurrency/section-lock.js";
import { keyReused, StoreError } from "../errors.js";
import { choice, decimal, defaultsOf, integer, resolveOptions, type Schema } from "../options/schema.js";
import { RequestKeys } from "./request-keys.js";
import { DEFAULT_MAX_NAME_LENGTH, validateName, validateRequestKey } from "./validate-name.js";

/** Receives the outcome of one request: exactly one of the two is called, once. Must not throw. */
export interface ResultSink {
  complete(result: StoreResult): void;
  fail(error: StoreError): void;
  /**
   * The outcome is decided and now waits to be stored (group commit); the
   * answer follows. A transport frees its worker here: the wait is the
   * store's, and a worker held through it would cap how many buys one commit
   * can gather at the number of workers. Optional; at most once, before the answer.
   */
  decided?(): void;
}

export interface ResolvedStoreServiceOptions {
  /**
   * "rwlock" (default): one lock, queries share, buys are exclusive. "mutex":
   * one lock, everything exclusive. "per-toy": a read-write lock per toy.
   * "atomic": no lock; the work runs, then the store acts in one atomic step.
   */
  readonly lock: LockKind;
  /** Simulated processing time per request, spent inside the critical section. Default 0. */
  readonly workMs: number;
  /** Longest accepted name, in UTF-16 code units. Default 256. */
  readonly maxNameLength: number;
}

export type StoreServiceOptions = Partial<ResolvedStoreServiceOptions>;

export const STORE_SERVICE_OPTIONS: Schema<ResolvedStoreServiceOptions> = {
  lock: choice<LockKind>(
    "--lock",
    "mutex: one lock, every request exclusive; rwlock: one lock, queries share; per-toy: a read-write lock per toy; atomic: no lock, one atomic step",
    "rwlock",
    LOCK_KINDS,
  ),
  workMs: decimal("--work-ms", "simulated processing time per request, held inside the lock, ms", 0, {
    min: 0,
  }),
  maxNameLength: integer(
    "--max-name-length",
    "longest toy name accepted",
    DEFAULT_MAX_NAME_LENGTH,
    1,
    1_000_000,
    {
      hidden: true,
    },
  ),
};

export const STORE_SERVICE_DEFAULTS: ResolvedStoreServiceOptions = Object.freeze(
  defaultsOf(STORE_SERVICE_OPTIONS),
);

function isPromiseLike<T>(value: Awaitable<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === "function";
}

// A sink that throws is a bug in a transport; on the asynchronous path there is
// no caller left to throw to, and the process must not die of it.
function reportSinkError(error: unknown): void {
  console.error("StoreService: a result sink threw", error);
}

/**
 * The error a client gets when the store could not do what it asked: nothing
 * was acknowledged. A StoreError the store chose (a reused idempotency key,
 * the database away) is passed on as it is.
 */
function storeFailure(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError("unavailable", "store unavailable", { cause: error });
}

export class StoreService {
  readonly lockKind: LockKind;
  readonly workMs: number;
  readonly #store: CatalogStore | undefined;
  readonly #shared: SharedStore | undefined;
  readonly #section: Section;
  readonly #locks: LockPolicy;
  readonly #maxNameLength: number;
  readonly #watchers = new Set<StockWatcher>();
  /** The idempotency keys of an owned store; a shared store keeps its own. */
  readonly #keys = new RequestKeys();

  readonly #onLockWait: ((ms: number) => void) | undefined;
  readonly #onFailure: ((error: StoreError) => void) | undefined;
  readonly #onAnswer: ServiceHooks["onAnswer"];

  /**
   * `hooks.onLockWait` is told how long each request that had to wait for its
   * lock waited, in ms; `hooks.onFailure` every request the store failed (the
   * error's cause says why: for the log, never for the client).
   */
  constructor(store: AnyStore, options: StoreServiceOptions = {}, hooks: ServiceHooks = {}) {
    this.#onLockWait = hooks.onLockWait;
    this.#onFailure = hooks.onFailure;
    this.#onAnswer = hooks.onAnswer;
    const { lock, workMs, maxNameLength } = resolveOptions(STORE_SERVICE_OPTIONS, options);
    if (store.shared === true) this.#shared = store;
    else this.#store = store;
    this.lockKind = lock;
    // A shared store runs the policy in its own transactions; here it takes nothing.
    this.#locks = createLockPolicy(store.shared === true ? "atomic" : lock);
    this.#section = Object.freeze({ lock, workMs });
    this.workMs = workMs;
    this.#maxNameLength = maxNameLength;
  }

  /**
   * Runs one request: validate the name, take the lock (the catalog's or the
   * toy's; shared for a query, exclusive for a buy; always exclusive under
   * "mutex"; none under "atomic"), do the simulated work, read or update the
   * store, release, then report to the sink. A shared store does the locking
   * and the work itself.
   *
   * Fast path: with no simulated work, a free lock and a store that answers at
   * once, everything happens synchronously inside this call: no promise, no
   * timer. Otherwise the request continues asynchronously.
   */
  execute(request: StoreRequest, sink: ResultSink): void {
    const invalid = validateName(request.name, this.#maxNameLength);
    if (invalid !== undefined) {
      sink.fail(invalid);
      return;
    }
    const requestKey = request.op === "buy" ? request.requestKey : undefined;
    if (requestKey !== undefined) {
      const bad = validateRequestKey(requestKey);
      if (bad !== undefined) {
        sink.fail(bad);
        return;
      }
      if (this.#shared === undefined) {
        this.#keyedBuy(request, requestKey, sink);
        return;
      }
    }
    const shared = request.op === "query";
    if (this.#shared !== undefined) {
      const answer = shared
        ? this.#shared.query(request.name, this.#section)
        : this.#shared.buy(request.name, this.#section, requestKey);
      answer
        .then(
          (result) => this.#complete(request.name, result, sink),
          (error: unknown) => this.#fail(sink, storeFailure(error)),
        )
        .catch(reportSinkError);
      return;
    }
    this.#executeOwned(request, sink);
  }

  /**
   * A keyed buy on an owned store: the first with its key runs and is
   * remembered; a retry gets the first one's outcome (waiting for it if it is
   * still running) and sells nothing. The check and the record are one
   * synchronous step, so two retries racing cannot both buy.
   */
  #keyedBuy(request: StoreRequest, requestKey: string, sink: ResultSink): void {
    const toyKey = normalizeName(request.name);
    const prior = this.#keys.get(requestKey);
    if (prior !== undefined) {
      if (prior.toyKey !== toyKey) {
        sink.fail(keyReused());
        return;
      }
      prior.outcome.then(
        (result) => sink.complete(result),
        (error: StoreError) => sink.fail(error),
      );
      return;
    }
    let settle: (result: BuyResult) => void = () => {};
    let refuse: (error: StoreError) => void = () => {};
    const outcome = new Promise<BuyResult>((resolve, reject) => {
      settle = resolve;
      refuse = reject;
    });
    // Retries attach their own handlers; a failure nobody waits for is not unhandled.
    outcome.catch(() => {});
    const keys = this.#keys;
    keys.set(requestKey, { toyKey, outcome });
    this.#executeOwned(request, {
      complete(result) {
        // Nothing was bought: nothing to remember (the toy may be added later).
        if (result.kind === "not_found") keys.delete(requestKey);
        settle(result as BuyResult);
        sink.complete(result);
      },
      fail(error) {
        // Nothing was stored: a retry may buy.
        keys.delete(requestKey);
        refuse(error);
        sink.fail(error);
      },
      decided() {
        sink.decided?.();
      },
    });
  }

  #executeOwned(request: StoreRequest, sink: ResultSink): void {
    const shared = request.op === "query";
    const key = this.#locks.keyed ? normalizeName(request.name) : "";
    if (this.workMs === 0 && this.#locks.tryAcquire(key, shared)) {
      let result: Answer;
      try {
        result = this.#call(request.name, shared);
      } catch (error) {
        this.#locks.release(key, shared);
        this.#fail(sink, new StoreError("internal", "internal error", { cause: error }));
        return;
      }
      if (!isPromiseLike(result)) {
        this.#locks.release(key, shared);
        this.#report(request.name, result, sink);
        return;
      }
      this.#finish(request.name, result, key, shared, sink).catch(reportSinkError);
      return;
    }
    this.#runLocked(request, key, shared, sink).catch(reportSinkError);
  }

  query(name: string): Promise<QueryResult> {
    return new Promise((resolve, reject) => {
      this.execute({ op: "query", name }, { complete: resolve as (r: StoreResult) => void, fail: reject });
    });
  }

  buy(name: string, requestKey?: string): Promise<BuyResult> {
    return new Promise((resolve, reject) => {
      this.execute(
        { op: "buy", name, requestKey },
        { complete: resolve as (r: StoreResult) => void, fail: reject },
      );
    });
  }

  /** An order by id, as the store recorded it; undefined if there is none. */
  async order(id: string): Promise<Order | undefined> {
    return await (this.#shared ?? this.#owned()).order(id);
  }

  /**
   * A consistent snapshot of the whole catalog, without simulated work: under
   * the catalog's read lock, or (per-toy, atomic, a shared store) as the
   * store's one step.
   */
  async list(): Promise<readonly Toy[]> {
    if (this.#shared !== undefined) return await this.#shared.list();
    await this.#locks.acquire("", true);
    try {
      return await this.#owned().list();
    } finally {
      this.#locks.release("", true);
    }
  }

  /**
   * Restocks a toy (sets or adds stock, sets the price) under the toy's
   * exclusive lock, as a buy would take it; the toy after, or undefined if
   * there is none. Watchers are told the new stock. Rejects with a StoreError:
   * bad_request for a bad name, unavailable if the store failed.
   */
  async restock(name: string, change: Restock): Promise<Toy | undefined> {
    const invalid = validateName(name, this.#maxNameLength);
    if (invalid !== undefined) throw invalid;
    let toy: Toy | undefined;
    if (this.#shared !== undefined) {
      toy = await this.#shared.restock(name, change).catch((error: unknown) => {
        throw storeFailure(error);
      });
    } else {
      const store = this.#owned();
      if (store.restock === undefined) throw new StoreError("bad_request", "this store cannot restock");
      const key = this.#locks.keyed ? normalizeName(name) : "";
      await this.#locks.acquire(key, false);
      let answer: Toy | undefined | Committing<Toy | undefined>;
      try {
        answer = await store.restock(name, change);
      } finally {
        this.#locks.release(key, false);
      }
      if (answer instanceof Committing) {
        // Stored with the buys around it; answered, as they are, only once it is.
        await answer.stored.catch((error: unknown) => {
          throw storeFailure(error);
        });
        toy = answer.outcome;
      } else toy = answer;
    }
    if (toy !== undefined) this.#tell(name, toy.stock);
    return toy;
  }

  /** Closes the store: its files or connections. Requests still running may fail. */
  async close(): Promise<void> {
    await (this.#shared ?? this.#owned()).close?.();
  }

  #owned(): CatalogStore {
    // One of the two is always set (see the constructor).
    return this.#store as CatalogStore;
  }

  #call(name: string, shared: boolean): Answer {
    const store = this.#owned();
    return shared ? store.query(name) : store.buy(name);
  }

  async #runLocked(request: StoreRequest, key: string, shared: boolean, sink: ResultSink): Promise<void> {
    const asked = this.#onLockWait === undefined ? 0 : performance.now();
    await this.#locks.acquire(key, shared);
    if (this.#onLockWait !== undefined) this.#onLockWait(performance.now() - asked);
    let pending: Answer;
    try {
      // The simulated work sits inside the critical section, as in the original design:
      // it models database work done while holding the lock ("atomic" holds none).
      if (this.workMs > 0) await sleep(this.workMs);
      pending = this.#call(request.name, shared);
    } catch (error) {
      this.#locks.release(key, shared);
      this.#fail(sink, new StoreError("internal", "internal error", { cause: error }));
      return;
    }
    await this.#finish(request.name, pending, key, shared, sink);
  }

  /** Waits for the store's answer while holding the lock, then releases and reports. */
  async #finish(
    name: string,
    pending: Answer,
    key: string,
    shared: boolean,
    sink: ResultSink,
  ): Promise<void> {
    let result: StoreResult | Committing<StoreResult>;
    try {
      result = await pending;
    } catch (error) {
      this.#locks.release(key, shared);
      this.#fail(sink, new StoreError("internal", "internal error", { cause: error }));
      return;
    }
    this.#locks.release(key, shared);
    this.#report(name, result, sink);
  }

  /** Reports an outcome, once it is stored if it is still committing. */
  #report(name: string, result: StoreResult | Committing<StoreResult>, sink: ResultSink): void {
    if (!(result instanceof Committing)) {
      this.#complete(name, result, sink);
      return;
    }
    sink.decided?.();
    result.stored
      .then(
        () => this.#complete(name, result.outcome, sink),
        (error: unknown) => this.#fail(sink, storeFailure(error)),
      )
      .catch(reportSinkError);
  }

  #fail(sink: ResultSink, error: StoreError): void {
    this.#onFailure?.(error);
    sink.fail(error);
  }

  /** The answer, and, for a sale, the stock it left to whoever watches. */
  #complete(name: string, result: StoreResult, sink: ResultSink): void {
    this.#onAnswer?.(name, result);
    if (result.kind === "bought" && result.stockLeft !== undefined && this.#watchers.size > 0)
      this.#tell(name, result.stockLeft);
    sink.complete(result);
  }

  #tell(name: string, stock: number): void {
    for (const watcher of this.#watchers) {
      try {
        watcher(name, stock);
      } catch (error) {
        reportSinkError(error);
      }
    }
  }

  /**
   * Calls `watcher` after every stored sale (and restock) this service makes,
   * over any transport, with the toy's name as the request gave it and the
   * stock it left. Returns the function that stops it. A watcher must not throw.
   */
  watchStock(watcher: StockWatcher): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }
}

export interface ServiceHooks {
  readonly onLockWait?: (ms: number) => void;
  readonly onFailure?: (error: StoreError) => void;
  /** Every request answered with a result (a debug log; failures go to onFailure); absent, it costs nothing. */
  readonly onAnswer?: (name: string, result: StoreResult) => void;
}

/** Told a toy's stock after a change: the name as the request gave it. */
export type StockWatcher = (name: string, stock: number) => void;

/** What an owned store answers with. */
type Answer = Awaitable<StoreResult> | Committing<StoreResult>;
