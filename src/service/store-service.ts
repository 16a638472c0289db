// StoreService: the one place where the lock policy and the simulated work
// meet the store. Every transport calls it; no business rule lives in them.
// It runs every operation the same way, from what the operation declares
// (operations/): validate, lock, work, run on the store, release, report.

import { setTimeout as sleep } from "node:timers/promises";
import type { AnyStore, CatalogStore, Restock, Section, SharedStore } from "../catalog/catalog-store.js";
import { Committing } from "../catalog/catalog-store.js";
import { type BuyResult, normalizeName, type Order, type QueryResult, type Toy } from "../catalog/toy.js";
import { createLockPolicy, type LockPolicy } from "../concurrency/lock-policy.js";
import type { LockKind } from "../concurrency/section-lock.js";
import type { StoreError } from "../errors.js";
import { resolveOptions } from "../options/schema.js";
import { internalFailure, storeFailure } from "./failures.js";
import { KeyedBuys } from "./keyed-buys.js";
import { type OutcomeOf, operationOf, type StoreRequest, type StoreResult } from "./operations/index.js";
import { isPromiseLike } from "./operations/map-answer.js";
import type { Operation, OwnedAnswer, RequestLimits } from "./operations/operation.js";
import type { ResultSink } from "./result-sink.js";
import { type StockWatcher, StockWatchers, type StockWatchOptions } from "./stock-watchers.js";
import { STORE_SERVICE_OPTIONS, type StoreServiceOptions } from "./store-service-options.js";

export type { ResultSink } from "./result-sink.js";
export type { StockWatcher, StockWatchOptions } from "./stock-watchers.js";

type AnyOperation = Operation<StoreRequest, StoreResult>;

export interface ServiceHooks {
  /** How long each request that had to wait for its lock waited, in ms. */
  readonly onLockWait?: (ms: number) => void;
  /** Every request the store failed (the error's cause says why: for the log, never for the client). */
  readonly onFailure?: (error: StoreError) => void;
  /** Every request answered with a result (a debug log; failures go to onFailure); absent, it costs nothing. */
  readonly onAnswer?: (request: StoreRequest, result: StoreResult) => void;
  /** A bug: a result sink or a watcher threw. Default: one line on stderr. */
  readonly onBug?: (message: string, error: unknown) => void;
}

export class StoreService {
  readonly lockKind: LockKind;
  readonly workMs: number;
  readonly #store: CatalogStore | undefined;
  readonly #shared: SharedStore | undefined;
  readonly #section: Section;
  readonly #locks: LockPolicy;
  readonly #limits: RequestLimits;
  readonly #watchers: StockWatchers;
  /** The idempotency keys of an owned store; a shared store keeps its own. */
  readonly #keyed = new KeyedBuys();
  readonly #hooks: ServiceHooks;

  constructor(store: AnyStore, options: StoreServiceOptions = {}, hooks: ServiceHooks = {}) {
    this.#hooks = hooks;
    const { lock, workMs, maxNameLength } = resolveOptions(STORE_SERVICE_OPTIONS, options);
    if (store.shared === true) this.#shared = store;
    else this.#store = store;
    this.lockKind = lock;
    // A shared store runs the policy in its own transactions; here it takes nothing.
    this.#locks = createLockPolicy(store.shared === true ? "atomic" : lock);
    this.#section = Object.freeze({ lock, workMs });
    this.workMs = workMs;
    this.#limits = Object.freeze({ maxNameLength });
    const feed = store.shared === true ? store.feed : undefined;
    this.#watchers = new StockWatchers(feed, (message, error) => this.#bug(message, error));
  }

  /**
   * Runs one request and reports to the sink. On a store this process owns:
   * take the lock the operation names (its toy's or the catalog's, shared or
   * exclusive; always exclusive under "mutex"; none under "atomic"), spend the
   * simulated work if the operation does, run it on the store, release. A
   * shared store does the locking and the work in its own transaction.
   *
   * Fast path: with no simulated work, a free lock and a store that answers at
   * once, everything happens synchronously inside this call: no promise, no timer.
   */
  execute(request: StoreRequest, sink: ResultSink): void {
    const op = operationOf(request) as AnyOperation;
    const invalid = op.validate(request, this.#limits);
    if (invalid !== undefined) {
      sink.fail(invalid);
      return;
    }
    const shared = this.#shared;
    if (shared !== undefined) {
      this.#runShared(op, request, shared, sink);
      return;
    }
    if (request.op === "buy" && request.requestKey !== undefined) {
      this.#keyed.execute(request, request.requestKey, sink, (keyedSink) =>
        this.#runOwned(op, request, keyedSink),
      );
      return;
    }
    this.#runOwned(op, request, sink);
  }

  /** On a shared store; answered at once when the store answered at once (a cached query). */
  #runShared(op: AnyOperation, request: StoreRequest, shared: SharedStore, sink: ResultSink): void {
    let answer: StoreResult | Promise<StoreResult>;
    try {
      answer = op.shared(shared, request, this.#section);
    } catch (error) {
      this.#fail(sink, storeFailure(error));
      return;
    }
    if (!(answer instanceof Promise)) {
      this.#complete(op, request, answer, sink);
      return;
    }
    answer
      .then(
        (result) => this.#complete(op, request, result, sink),
        (error: unknown) => this.#fail(sink, storeFailure(error)),
      )
      .catch((error: unknown) => this.#bug("a result sink threw", error));
  }

  /** Runs one request and resolves with its result (rejects with a StoreError). */
  run<R extends StoreRequest>(request: R): Promise<OutcomeOf[R["op"]]> {
    return new Promise((resolve, reject) => {
      this.execute(request, { complete: resolve as (result: StoreResult) => void, fail: reject });
    });
  }

  async query(name: string): Promise<QueryResult> {
    return await this.run({ op: "query", name });
  }

  async buy(name: string, requestKey?: string, quantity = 1): Promise<BuyResult> {
    return await this.run({ op: "buy", name, quantity, requestKey });
  }

  /** An order by id, as the store recorded it; undefined if there is none. */
  async order(id: string): Promise<Order | undefined> {
    const result = await this.run({ op: "order", id });
    return result.kind === "order" ? result.order : undefined;
  }

  /** A consistent snapshot of the whole catalog, in catalog order. */
  async list(): Promise<readonly Toy[]> {
    return (await this.run({ op: "list" })).toys;
  }

  /** Restocks a toy; the toy after, or undefined if there is none. Rejects with a StoreError. */
  async restock(name: string, change: Restock): Promise<Toy | undefined> {
    const result = await this.run({ op: "restock", name, change });
    return result.kind === "restocked" ? result.toy : undefined;
  }

  /** Closes the store: its files or connections. Requests still running may fail. */
  async close(): Promise<void> {
    await (this.#shared ?? this.#store)?.close?.();
  }

  /**
   * Calls `watcher` after every stored stock change (a sale, a restock, each
   * toy of a refill): on a store with a feed, every change made through any
   * server of the store, this one's own included, as the feed announces them
   * (listened to only while someone watches), and `options.resync` when some
   * may have been missed; else every change this service makes, over any
   * transport. Returns the function that stops it. A watcher must not throw.
   */
  watchStock(watcher: StockWatcher, options?: StockWatchOptions): () => void {
    return this.#watchers.add(watcher, options);
  }

  /** Whether the watchers hear every stock change from now on (false while a feed does not listen: resync comes). */
  get watchingLive(): boolean {
    return this.#watchers.live;
  }

  #runOwned(op: AnyOperation, request: StoreRequest, sink: ResultSink): void {
    const lock = op.lock;
    const shared = lock === "shared";
    const key = this.#locks.keyed && op.toyOf !== undefined ? normalizeName(op.toyOf(request)) : "";
    const work = op.work && this.workMs > 0;
    if (lock === "none" || (!work && this.#locks.tryAcquire(key, shared))) {
      let answer: OwnedAnswer<StoreResult>;
      try {
        answer = op.owned(this.#store as CatalogStore, request);
      } catch (error) {
        if (lock !== "none") this.#locks.release(key, shared);
        this.#fail(sink, internalFailure(error));
        return;
      }
      if (!isPromiseLike(answer)) {
        if (lock !== "none") this.#locks.release(key, shared);
        this.#report(op, request, answer, sink);
        return;
      }
      this.#finish(op, request, answer, lock === "none" ? undefined : key, shared, sink);
      return;
    }
    this.#runLocked(op, request, key, shared, work, sink).catch((error: unknown) =>
      this.#bug("a result sink threw", error),
    );
  }

  async #runLocked(
    op: AnyOperation,
    request: StoreRequest,
    key: string,
    shared: boolean,
    work: boolean,
    sink: ResultSink,
  ): Promise<void> {
    const onLockWait = this.#hooks.onLockWait;
    const asked = onLockWait === undefined ? 0 : performance.now();
    await this.#locks.acquire(key, shared);
    if (onLockWait !== undefined) onLockWait(performance.now() - asked);
    let answer: OwnedAnswer<StoreResult>;
    try {
      // The simulated work sits inside the critical section, as in the original design:
      // it models database work done while holding the lock ("atomic" holds none).
      if (work) await sleep(this.workMs);
      answer = op.owned(this.#store as CatalogStore, request);
    } catch (error) {
      this.#locks.release(key, shared);
      this.#fail(sink, internalFailure(error));
      return;
    }
    if (isPromiseLike(answer)) {
      this.#finish(op, request, answer, key, shared, sink);
      return;
    }
    this.#locks.release(key, shared);
    this.#report(op, request, answer, sink);
  }

  /** Waits for the store's answer while holding the lock (if `key` is set), then releases and reports. */
  #finish(
    op: AnyOperation,
    request: StoreRequest,
    answer: OwnedAnswer<StoreResult>,
    key: string | undefined,
    shared: boolean,
    sink: ResultSink,
  ): void {
    Promise.resolve(answer)
      .then(
        (result) => {
          if (key !== undefined) this.#locks.release(key, shared);
          this.#report(op, request, result, sink);
        },
        (error: unknown) => {
          if (key !== undefined) this.#locks.release(key, shared);
          this.#fail(sink, internalFailure(error));
        },
      )
      .catch((error: unknown) => this.#bug("a result sink threw", error));
  }

  /** Reports an outcome, once it is stored if it is still committing. */
  #report(
    op: AnyOperation,
    request: StoreRequest,
    result: StoreResult | Committing<StoreResult>,
    sink: ResultSink,
  ): void {
    if (!(result instanceof Committing)) {
      this.#complete(op, request, result, sink);
      return;
    }
    sink.decided?.();
    result.stored
      .then(
        () => this.#complete(op, request, result.outcome, sink),
        (error: unknown) => this.#fail(sink, storeFailure(error)),
      )
      .catch((error: unknown) => this.#bug("a result sink threw", error));
  }

  #fail(sink: ResultSink, error: StoreError): void {
    this.#hooks.onFailure?.(error);
    sink.fail(error);
  }

  /** The answer, and the stock change it made to whoever watches. */
  #complete(op: AnyOperation, request: StoreRequest, result: StoreResult, sink: ResultSink): void {
    this.#hooks.onAnswer?.(request, result);
    // With a feed, this change comes back through it, like every other server's.
    if (op.stockChange !== undefined && this.#watchers.wantsLocal) {
      const change = op.stockChange(result);
      if (change !== undefined && "name" in change) this.#watchers.tell(change.name, change.stock);
      else if (change !== undefined) for (const each of change) this.#watchers.tell(each.name, each.stock);
    }
    sink.complete(result);
  }

  // A sink or watcher that throws is a bug in a transport; on the asynchronous
  // path there is no caller left to throw to, and the process must not die of it.
  #bug(message: string, error: unknown): void {
    const onBug = this.#hooks.onBug;
    if (onBug !== undefined) onBug(message, error);
    else process.stderr.write(`toystore: StoreService: ${message}: ${String(error)}\n`);
  }
}
