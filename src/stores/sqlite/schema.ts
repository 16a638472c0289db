// The sqlite store's tables: created in an empty file and filled from the
// catalog, or checked in a file that holds them, and migrated from an older
// toystore schema (version 1: orders without a quantity; version 2: the same
// tables as versions 3 and 4).

import type Database from "better-sqlite3";
import { normalizeName, type Toy } from "../../catalog/toy.js";
import type { CatalogSource } from "../open-options.js";
import { refuseGivenCatalog, SCHEMA_MARKER, SCHEMA_VERSION, storedVersion } from "../schema-version.js";

/**
 * Last in the table, where version 2's migration adds it, so both shapes are
 * the same; the default is what every order of version 1 sold.
 */
const ORDER_QUANTITY_COLUMN = "quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1)";

const SCHEMA = [
  SCHEMA_MARKER.create,
  `CREATE TABLE toys (
    position INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    stock INTEGER NOT NULL CHECK (stock >= 0))`,
  `CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    toy_key TEXT NOT NULL,
    toy TEXT NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    sold_at TEXT NOT NULL,
    ${ORDER_QUANTITY_COLUMN})`,
];

/**
 * Each version's step up from the one before, run in the transaction that
 * checks the schema. Versions 3 and 4 changed PostgreSQL's tables only (the
 * refill rounds' row, and the toys' versions the announcements carry: both
 * serve the servers sharing a database; one process owns a file): here they
 * are the marker alone.
 */
const MIGRATIONS: Readonly<Record<number, readonly string[]>> = {
  2: [`ALTER TABLE orders ADD COLUMN ${ORDER_QUANTITY_COLUMN}`],
  3: [],
  4: [],
};

/** A toy as the file holds it. */
export interface ToyRow {
  readonly key: string;
  readonly name: string;
  readonly price_cents: number;
  readonly stock: number;
}

/** What the file holds once prepared: its toys in catalog order, and the orders so far. */
export interface Prepared {
  readonly created: boolean;
  readonly rows: readonly ToyRow[];
  readonly orders: number;
  readonly lastOrder: number;
}

/**
 * Creates the schema in an empty file and fills it from `catalog`, or checks
 * (and migrates) the one it holds, refusing `catalog` if it was given. Throws
 * a StoreOpenError naming the store (`where`).
 */
export function prepare(db: Database.Database, where: string, catalog: CatalogSource): Prepared {
  return db.transaction(() => {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all() as string[];
    if (tables.length === 0) {
      create(db, catalog.toys);
      return { created: true, rows: readToys(db), orders: 0, lastOrder: 0 };
    }
    const version = tables.includes(SCHEMA_MARKER.table)
      ? (db.prepare(SCHEMA_MARKER.select).pluck().get() as string | undefined)
      : undefined;
    const from = storedVersion(where, version);
    const toys = db.prepare("SELECT count(*) FROM toys").pluck().get() as number;
    refuseGivenCatalog(where, catalog, toys, "remove the file (and its -wal file)");
    migrate(db, from);
    const orders = db.prepare("SELECT count(*) FROM orders").pluck().get() as number;
    const lastOrder = (db.prepare("SELECT coalesce(max(id), 0) FROM orders").pluck().get() as number) ?? 0;
    return { created: false, rows: readToys(db), orders, lastOrder };
  })();
}

function create(db: Database.Database, toys: readonly Toy[]): void {
  for (const statement of SCHEMA) db.exec(statement);
  db.exec(SCHEMA_MARKER.insert);
  const insert = db.prepare(
    "INSERT INTO toys (position, key, name, price_cents, stock) VALUES (?, ?, ?, ?, ?)",
  );
  for (const [i, toy] of toys.entries())
    insert.run(i, normalizeName(toy.name), toy.name, toy.priceCents, toy.stock);
}

/** Brings a file of schema `from` up to this version (storedVersion has refused a newer one). */
function migrate(db: Database.Database, from: number): void {
  if (from >= SCHEMA_VERSION) return;
  for (let version = from + 1; version <= SCHEMA_VERSION; version++)
    for (const statement of MIGRATIONS[version] ?? []) db.exec(statement);
  db.exec(SCHEMA_MARKER.update);
}

function readToys(db: Database.Database): ToyRow[] {
  return db.prepare("SELECT key, name, price_cents, stock FROM toys ORDER BY position").all() as ToyRow[];
}
