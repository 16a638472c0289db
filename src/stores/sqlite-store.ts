// The embedded durable store: one SQLite file, owned by one server process.
//
// The catalog is mirrored in memory, so a query never touches the disk. A buy
// is decided at once against the mirror and answered only once it is stored:
// the buys decided in one event-loop turn are written in one transaction, with
// one sync (group commit), on the next turn. Queries answer from the stock as
// stored, so no reply ever reports a change that could still be lost; a
// sold-out that a pending buy caused waits for that buy's commit. If a commit
// fails, its buys (and the sold-outs they caused) get an error, and the mirror
// goes back to what is stored.

import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { type CatalogStore, Committing, orderNumber, ToyIndex } from "../catalog/catalog-store.js";
import {
  type BuyResult,
  NOT_FOUND,
  normalizeName,
  type Order,
  type QueryResult,
  SOLD_OUT,
  type Toy,
} from "../catalog/toy.js";
import {
  catalogAlreadyStored,
  reason,
  SCHEMA_KEY,
  SCHEMA_VERSION,
  StoreOpenError,
  schemaProblem,
} from "./store-errors.js";

interface Entry {
  readonly key: string;
  readonly name: string;
  readonly priceCents: number;
  /** Units left, counting the buys decided but not yet stored. */
  stock: number;
  /** Units left as stored: what queries report. */
  storedStock: number;
  /** The batch holding this toy's latest buy, until it is stored. */
  pending: Batch | undefined;
}

interface Sale {
  readonly id: number;
  readonly entry: Entry;
  readonly atMs: number;
}

/** The buys of one turn, stored in one transaction. */
class Batch {
  readonly sales: Sale[] = [];
  readonly touched = new Set<Entry>();
  readonly stored: Promise<void>;
  settle!: (error?: unknown) => void;

  constructor() {
    this.stored = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Every buy in the batch handles the outcome; this keeps a failure with no listener left quiet.
    this.stored.catch(() => {});
  }
}

const SCHEMA = [
  "CREATE TABLE toystore_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
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
    sold_at TEXT NOT NULL)`,
];

/** How a store opened: created now and filled from the catalog, or serving what it held. */
export interface Opened<S> {
  readonly store: S;
  readonly created: boolean;
  readonly toys: number;
  readonly orders: number;
}

interface OrderRow {
  id: number;
  toy: string;
  unit_price_cents: number;
  sold_at: string;
}

export class SqliteStore implements CatalogStore {
  readonly #db: Database.Database;
  readonly #where: string;
  readonly #toys = new ToyIndex<Entry>();
  #lastOrder: number;
  #batch: Batch | undefined;
  readonly #setStock: Database.Statement<[number, string]>;
  readonly #insertOrder: Database.Statement<[number, string, string, number, string]>;
  readonly #readOrder: Database.Statement<[number], OrderRow>;
  readonly #commit: (batch: Batch) => void;
  readonly #flush = (): void => this.#store();

  /**
   * Opens (or creates) the file at `path`. `catalog` fills a new file; given
   * for a file that already holds a catalog, it is refused. Throws a
   * StoreOpenError whose message names the file and what is wrong.
   */
  static open(path: string, catalog: { toys: readonly Toy[]; given: boolean }): Opened<SqliteStore> {
    const where = `sqlite:${path}`;
    if (isDirectory(path)) throw new StoreOpenError(`${where} is a directory, not a database file`);
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: 0 });
      // One process owns the file: a second server is refused rather than sharing it unsafely.
      db.pragma("locking_mode = EXCLUSIVE");
      if (db.pragma("journal_mode = WAL", { simple: true }) !== "wal")
        throw new StoreOpenError(`${where}: cannot switch the database to WAL mode`);
      db.pragma("synchronous = FULL");
      const opened = prepare(db, where, catalog);
      return { ...opened, store: new SqliteStore(db, where, opened.lastOrder) };
    } catch (error) {
      db?.close();
      if (error instanceof StoreOpenError) throw error;
      throw new StoreOpenError(`cannot open ${where}: ${describeOpenFailure(error)}`);
    }
  }

  private constructor(db: Database.Database, where: string, lastOrder: number) {
    this.#db = db;
    this.#where = where;
    this.#lastOrder = lastOrder;
    const rows = db.prepare("SELECT key, name, price_cents, stock FROM toys ORDER BY position").all() as {
      key: string;
      name: string;
      price_cents: number;
      stock: number;
    }[];
    for (const row of rows)
      this.#toys.add({
        key: row.key,
        name: row.name,
        priceCents: row.price_cents,
        stock: row.stock,
        storedStock: row.stock,
        pending: undefined,
      });
    this.#setStock = db.prepare("UPDATE toys SET stock = ? WHERE key = ?");
    this.#insertOrder = db.prepare(
      "INSERT INTO orders (id, toy_key, toy, unit_price_cents, sold_at) VALUES (?, ?, ?, ?, ?)",
    );
    this.#readOrder = db.prepare("SELECT id, toy, unit_price_cents, sold_at FROM orders WHERE id = ?");
    this.#commit = db.transaction((batch: Batch) => {
      for (const entry of batch.touched) this.#setStock.run(entry.stock, entry.key);
      for (const sale of batch.sales)
        this.#insertOrder.run(
          sale.id,
          sale.entry.key,
          sale.entry.name,
          sale.entry.priceCents,
          new Date(sale.atMs).toISOString(),
        );
    });
  }

  query(name: string): QueryResult {
    const entry = this.#toys.get(name);
    if (entry === undefined) return NOT_FOUND;
    if (entry.storedStock === 0) return SOLD_OUT;
    return { kind: "in_stock", priceCents: entry.priceCents, stock: entry.storedStock };
  }

  buy(name: string): BuyResult | Committing<BuyResult> {
    const entry = this.#toys.get(name);
    if (entry === undefined) return NOT_FOUND;
    if (entry.stock === 0)
      return entry.pending === undefined ? SOLD_OUT : new Committing(SOLD_OUT, entry.pending.stored);
    let batch = this.#batch;
    if (batch === undefined) {
      batch = this.#batch = new Batch();
      setImmediate(this.#flush);
    }
    entry.stock--;
    entry.pending = batch;
    const id = ++this.#lastOrder;
    batch.sales.push({ id, entry, atMs: Date.now() });
    batch.touched.add(entry);
    return new Committing({ kind: "bought", stockLeft: entry.stock, orderId: String(id) }, batch.stored);
  }

  order(id: string): Order | undefined {
    const n = orderNumber(id);
    const row = n === undefined ? undefined : this.#readOrder.get(n);
    if (row === undefined) return undefined;
    return { id: String(row.id), toy: row.toy, unitPriceCents: row.unit_price_cents, time: row.sold_at };
  }

  list(): readonly Toy[] {
    return Array.from(this.#toys.values(), (e) => ({
      name: e.name,
      priceCents: e.priceCents,
      stock: e.storedStock,
    }));
  }

  /** Stores what is pending, then closes the file. */
  close(): void {
    this.#store();
    this.#db.close();
  }

  /** Writes the pending batch in one transaction: one sync for all its buys. */
  #store(): void {
    const batch = this.#batch;
    if (batch === undefined) return;
    this.#batch = undefined;
    let failure: unknown;
    try {
      this.#commit(batch);
    } catch (error) {
      failure = error;
      console.error(
        `toystore: ${this.#where}: a commit failed, ${batch.sales.length} buys answered with an error: ${reason(error)}`,
      );
    }
    for (const entry of batch.touched) {
      if (failure === undefined) entry.storedStock = entry.stock;
      else entry.stock = entry.storedStock;
      entry.pending = undefined;
    }
    batch.settle(failure);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Creates the schema in an empty file, or checks the one it holds; returns what it holds. */
function prepare(
  db: Database.Database,
  where: string,
  catalog: { toys: readonly Toy[]; given: boolean },
): { created: boolean; toys: number; orders: number; lastOrder: number } {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (tables.length === 0) {
    db.transaction(() => {
      for (const statement of SCHEMA) db.exec(statement);
      db.prepare("INSERT INTO toystore_meta (key, value) VALUES (?, ?)").run(
        SCHEMA_KEY,
        String(SCHEMA_VERSION),
      );
      const insert = db.prepare(
        "INSERT INTO toys (position, key, name, price_cents, stock) VALUES (?, ?, ?, ?, ?)",
      );
      for (const [i, toy] of catalog.toys.entries())
        insert.run(i, normalizeName(toy.name), toy.name, toy.priceCents, toy.stock);
    })();
    return { created: true, toys: catalog.toys.length, orders: 0, lastOrder: 0 };
  }
  const version = tables.includes("toystore_meta")
    ? (db.prepare("SELECT value FROM toystore_meta WHERE key = ?").pluck().get(SCHEMA_KEY) as
        | string
        | undefined)
    : undefined;
  const problem = schemaProblem(where, version);
  if (problem !== undefined) throw new StoreOpenError(problem);
  const toys = db.prepare("SELECT count(*) FROM toys").pluck().get() as number;
  if (catalog.given)
    throw new StoreOpenError(catalogAlreadyStored(where, toys, "remove the file (and its -wal file)"));
  const orders = db.prepare("SELECT count(*) FROM orders").pluck().get() as number;
  const lastOrder = (db.prepare("SELECT coalesce(max(id), 0) FROM orders").pluck().get() as number) ?? 0;
  return { created: false, toys, orders, lastOrder };
}

/** SQLite's reasons, in the words of the file at hand. */
function describeOpenFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "SQLITE_NOTADB":
      return "the file is not a SQLite database";
    case "SQLITE_CANTOPEN":
      return "cannot create or open the file (does its folder exist, and may this user write there?)";
    case "SQLITE_READONLY":
      return "the file or its folder is read-only";
    case "SQLITE_BUSY":
      return "another process has the file open (one server owns a sqlite store)";
    default:
      return reason(error);
  }
}
