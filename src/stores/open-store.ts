// Opens the store a `--store` spec names, and says what it found there.

import type { AnyStore } from "../catalog/catalog-store.js";
import { InMemoryCatalog } from "../catalog/memory-store.js";
import type { CatalogSource, StoreLog } from "./open-options.js";
import type { PostgresCacheOptions } from "./postgres/cache-options.js";
import type { PostgresPoolOptions } from "./postgres/connection.js";
import { PostgresStore } from "./postgres/postgres-store.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import { describeStore, type StoreSpec } from "./store-spec.js";

export interface OpenedStore {
  readonly store: AnyStore;
  /** One line for the operator: which store, and whether it was created now or held a catalog already. */
  readonly summary: string;
}

/** How to open a store: a postgres store's connections, announcements and cache, and where a durable store logs. */
export interface OpenStoreOptions extends Partial<PostgresPoolOptions>, Partial<PostgresCacheOptions> {
  /**
   * Told each failure a durable store meets that no request carries (a commit
   * that failed for a whole batch, a cleanup that failed), as one message;
   * the server passes its logger. Default: one line on stderr.
   */
  readonly log?: StoreLog;
}

/** Opens the store; throws a StoreOpenError (one line, naming the store) when it cannot. */
export async function openStore(
  spec: StoreSpec,
  catalog: CatalogSource,
  options: OpenStoreOptions = {},
): Promise<OpenedStore> {
  const where = describeStore(spec);
  if (spec.kind === "memory")
    return {
      store: new InMemoryCatalog(catalog.toys),
      summary: `store memory: ${count(catalog.toys.length, "toy")}, nothing written to disk`,
    };
  const opened =
    spec.kind === "sqlite"
      ? await SqliteStore.open(spec.path, catalog, { log: options.log })
      : await PostgresStore.open(spec.url, where, catalog, options);
  const summary = opened.created
    ? `store ${where}: created, filled with the catalog (${count(opened.toys, "toy")})`
    : `store ${where}: serving what it holds (${count(opened.toys, "toy")}, ${count(opened.orders, "order")})`;
  return { store: opened.store, summary };
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
