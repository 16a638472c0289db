// Opens the store a `--store` spec names, and says what it found there.

import { type AnyStore, InMemoryCatalog } from "../catalog/catalog-store.js";
import type { Toy } from "../catalog/toy.js";
import { type PostgresPoolOptions, PostgresStore } from "./postgres-store.js";
import { SqliteStore } from "./sqlite-store.js";
import { describeStore, type StoreSpec } from "./store-spec.js";

export interface OpenedStore {
  readonly store: AnyStore;
  /** One line for the operator: which store, and whether it was created now or held a catalog already. */
  readonly summary: string;
}

/** The catalog to fill a new store with; `given` when the user named it (a store that holds one refuses it). */
export interface CatalogSource {
  readonly toys: readonly Toy[];
  readonly given: boolean;
}

/** Opens the store (`pool`: a postgres store's connections); throws a StoreOpenError (one line, naming the store) when it cannot. */
export async function openStore(
  spec: StoreSpec,
  catalog: CatalogSource,
  pool: Partial<PostgresPoolOptions> = {},
): Promise<OpenedStore> {
  const where = describeStore(spec);
  if (spec.kind === "memory")
    return {
      store: new InMemoryCatalog(catalog.toys),
      summary: `store memory: ${count(catalog.toys.length, "toy")}, nothing written to disk`,
    };
  const opened =
    spec.kind === "sqlite"
      ? await SqliteStore.open(spec.path, catalog)
      : await PostgresStore.open(spec.url, where, catalog, pool);
  const summary = opened.created
    ? `store ${where}: created, filled with the catalog (${count(opened.toys, "toy")})`
    : `store ${where}: serving what it holds (${count(opened.toys, "toy")}, ${count(opened.orders, "order")})`;
  return { store: opened.store, summary };
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
