// Every store kind for the suites that must hold on all of them: a describe
// per kind that gets a fresh, empty store spec per test (a new SQLite file, a
// new PostgreSQL database) and removes them afterwards; and callStore, which
// calls a store as the service would, so the suites test the stores alone.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import postgres from "postgres";
import {
  type AnyStore,
  type Awaitable,
  Committing,
  type Restock,
  type Section,
} from "../../src/catalog/catalog-store.js";
import {
  normalizeName,
  type Order,
  type SaleResult,
  type StockReport,
  type Toy,
} from "../../src/catalog/toy.js";
import { createLockPolicy } from "../../src/concurrency/lock-policy.js";
import { type OpenStoreOptions, openStore } from "../../src/stores/open-store.js";
import { MEMORY_STORE, type StoreSpec } from "../../src/stores/store-spec.js";
import type { PostgresCluster } from "../../src/study/measure/postgres-cluster.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./postgres.js";

export type StoreKind = StoreSpec["kind"];
export const STORE_KINDS: readonly StoreKind[] = ["memory", "sqlite", "postgres"];
export const DURABLE_STORE_KINDS: readonly StoreKind[] = ["sqlite", "postgres"];

export interface StoreFixture {
  readonly kind: StoreKind;
  /** A new, empty store of this kind. */
  fresh(): Promise<StoreSpec>;
  /** A new store of this kind holding `toys`, opened in this process. */
  open(
    toys: readonly Toy[],
    options?: OpenStoreOptions,
  ): Promise<{ readonly store: AnyStore; readonly spec: StoreSpec }>;
  /** The cluster behind a postgres fixture. */
  readonly cluster: PostgresCluster | undefined;
}

/** A describe() for `kind` whose body gets the fixture; PostgreSQL's suites skip (saying why) where it is missing. */
export function describeStore(kind: StoreKind, title: string, body: (fixture: StoreFixture) => void): void {
  const skip = kind === "postgres" ? postgresOrSkip().skip : false;
  describe(`${title} (${kind} store)`, { skip }, () => {
    let dir = "";
    let files = 0;
    let cluster: PostgresCluster | undefined;
    before(async () => {
      if (kind === "sqlite") dir = await mkdtemp(join(tmpdir(), "toystore-sqlite-"));
      if (kind === "postgres") cluster = await startTestCluster();
    });
    after(async () => {
      if (dir !== "") await rm(dir, { recursive: true, force: true });
      await cluster?.stop();
    });
    const fixture: StoreFixture = {
      kind,
      get cluster() {
        return cluster;
      },
      async fresh() {
        switch (kind) {
          case "memory":
            return MEMORY_STORE;
          case "sqlite":
            files += 1;
            return { kind: "sqlite", path: join(dir, `store-${files}.db`) };
          case "postgres":
            if (cluster === undefined) throw new Error("the test cluster did not start");
            return { kind: "postgres", url: await freshDatabase(cluster) };
        }
      },
      async open(toys, options) {
        const spec = await fixture.fresh();
        const { store } = await openStore(spec, { toys, given: false }, options);
        return { store, spec };
      },
    };
    body(fixture);
  });
}

/** What the store suites ask a store, each answered as a client of the service would be answered. */
export interface StoreCalls {
  query(name: string): Promise<StockReport>;
  /** `quantity` units (default 1); with `requestKey`, a shared store's keyed buy. */
  buy(name: string, quantity?: number, requestKey?: string): Promise<SaleResult>;
  restock(name: string, change: Restock): Promise<Toy | undefined>;
  order(id: string): Promise<Order | undefined>;
  list(): Promise<readonly Toy[]>;
}

export const NO_WORK: Section = Object.freeze({ lock: "rwlock", workMs: 0 });

/**
 * Calls `store` as the service does, without the service (being rewritten as
 * these suites were; its own suite tests it): a store this process owns under
 * the section's lock policy, with the simulated work inside the lock and an
 * answer still committing awaited outside it; a shared store with the
 * section, which it runs itself. An owned store keeps no idempotency keys
 * (the service does), so a keyed buy needs a shared store.
 */
export function callStore(store: AnyStore, section: Section = NO_WORK): StoreCalls {
  if (store.shared === true)
    return {
      query: async (name) => store.query(name, section),
      buy: (name, quantity = 1, requestKey) => store.buy(name, section, quantity, requestKey),
      restock: (name, change) => store.restock(name, change),
      order: (id) => store.order(id),
      list: () => store.list(),
    };
  const locks = createLockPolicy(section.lock);
  const locked = async <T>(
    name: string | undefined,
    shared: boolean,
    work: boolean,
    run: () => Awaitable<T> | Committing<T>,
  ): Promise<T> => {
    const key = locks.keyed && name !== undefined ? normalizeName(name) : "";
    await locks.acquire(key, shared);
    let answer: T | Committing<T>;
    try {
      if (work && section.workMs > 0) await sleep(section.workMs);
      answer = await run();
    } finally {
      locks.release(key, shared);
    }
    if (!(answer instanceof Committing)) return answer;
    await answer.stored;
    return answer.outcome;
  };
  return {
    query: (name) => locked(name, true, true, () => store.query(name)),
    buy: (name, quantity = 1, requestKey) => {
      if (requestKey !== undefined)
        throw new Error("an owned store keeps no idempotency keys: the service does");
      return locked(name, false, true, () => store.buy(name, quantity));
    },
    restock: (name, change) => {
      const restock = store.restock?.bind(store);
      if (restock === undefined) throw new Error("this store cannot restock");
      return locked(name, false, false, () => restock(name, change));
    },
    order: async (id) => await store.order(id),
    list: () => locked(undefined, true, false, () => store.list()),
  };
}

/** Runs SQL on a store's database from outside the server (the store must be closed for sqlite). */
export async function runSql(spec: StoreSpec, statements: readonly string[]): Promise<void> {
  if (spec.kind === "sqlite") {
    const db = new Database(spec.path);
    try {
      for (const statement of statements) db.exec(statement);
    } finally {
      db.close();
    }
  } else if (spec.kind === "postgres") {
    const sql = postgres(spec.url, { max: 1, onnotice: () => {} });
    try {
      for (const statement of statements) await sql.unsafe(statement);
    } finally {
      await sql.end();
    }
  } else throw new Error("the memory store has no SQL");
}
