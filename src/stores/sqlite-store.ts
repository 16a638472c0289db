// The embedded durable store: one SQLite file, owned by one server process.
//
// The catalog is mirrored in memory, so a query never touches the disk. A buy
// is decided at once against the mirror and answered only once it is stored:
// the buys decided while the last commit was syncing are written in one
// transaction, with one sync (group commit), by a writer thread
// (sqlite-writer.ts), so the main thread keeps reading requests meanwhile.
// Queries answer from the stock as stored, so no reply ever reports a change
// that could still be lost; a sold-out that a pending buy caused waits for
// that buy's commit. If a commit fails, every buy not yet stored (and every
// sold-out they caused) gets an error, and the mirror goes back to what is
// stored.

import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import {
  type CatalogStore,
  Committing,
  orderNumber,
  type Restock,
  restockedStock,
  ToyIndex,
} from "../catalog/catalog-store.js";
import {
  type BuyResult,
  NOT_FOUND,
  normalizeName,
  type Order,
  type QueryResult,
  SOLD_OUT,
  type Toy,
} from "../catalog/toy.js";
import type { CommitMessage, OrderRow, WriterData, WriterReply, WriterRequest } from "./sqlite-writer.js";
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
  /** The price as stored: what queries report. */
  priceCents: number;
  /** A price a restock set that is not yet stored: what sales decided meanwhile are made at. */
  nextPriceCents: number | undefined;
  /** Units left, counting the buys decided but not yet stored. */
  stock: number;
  /** Units left as stored: what queries report. */
  storedStock: number;
  /** The batch holding this toy's latest buy, until it is stored. */
  pending: Batch | undefined;
}

/** The buys gathered for one commit. */
class Batch {
  readonly orders: [number, string, string, number, string][] = [];
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

/** The connection settings every opening of a store file uses: one owner, WAL, a sync per commit. */
export function configure(db: Database.Database): boolean {
  // One process owns the file: a second server is refused rather than sharing it unsafely.
  db.pragma("locking_mode = EXCLUSIVE");
  const wal = db.pragma("journal_mode = WAL", { simple: true }) === "wal";
  db.pragma("synchronous = FULL");
  return wal;
}

interface ToyRow {
  key: string;
  name: string;
  price_cents: number;
  stock: number;
}

export class SqliteStore implements CatalogStore {
  readonly #where: string;
  readonly #writer: Worker;
  readonly #toys = new ToyIndex<Entry>();
  #lastOrder: number;
  /** The batch gathering buys, and the one being committed. */
  #gathering: Batch | undefined;
  #committing: Batch | undefined;
  #seq = 0;
  readonly #waiting = new Map<number, (reply: WriterReply) => void>();
  /** Set once the writer has died: every later write fails with it. */
  #broken: Error | undefined;
  readonly #flush = (): void => this.#commitNext();
  onCommitBatch: ((size: number) => void) | undefined;

  /**
   * Opens (or creates) the file at `path`. `catalog` fills a new file; given
   * for a file that already holds a catalog, it is refused. Rejects with a
   * StoreOpenError whose message names the file and what is wrong.
   */
  static async open(
    path: string,
    catalog: { toys: readonly Toy[]; given: boolean },
  ): Promise<Opened<SqliteStore>> {
    const where = `sqlite:${path}`;
    if (isDirectory(path)) throw new StoreOpenError(`${where} is a directory, not a database file`);
    let opened: ReturnType<typeof prepare> & { rows: ToyRow[] };
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: 0 });
      if (!configure(db)) throw new StoreOpenError(`${where}: cannot switch the database to WAL mode`);
      opened = {
        ...prepare(db, where, catalog),
        rows: db
          .prepare("SELECT key, name, price_cents, stock FROM toys ORDER BY position")
          .all() as ToyRow[],
      };
    } catch (error) {
      if (error instanceof StoreOpenError) throw error;
      throw new StoreOpenError(`cannot open ${where}: ${describeOpenFailure(error)}`);
    } finally {
      db?.close();
    }
    const writer = startWriter({ path });
    const ready = await new Promise<WriterReply | Error>((resolve) => {
      writer.once("message", resolve);
      writer.once("error", resolve);
    });
    if (ready instanceof Error || !ready.ok) {
      await writer.terminate();
      const failure =
        ready instanceof Error ? ready : Object.assign(new Error(ready.error), { code: ready.code });
      throw new StoreOpenError(`cannot open ${where}: ${describeOpenFailure(failure)}`);
    }
    const store = new SqliteStore(writer, where, opened.lastOrder, opened.rows);
    return { store, created: opened.created, toys: opened.toys, orders: opened.orders };
  }

  private constructor(writer: Worker, where: string, lastOrder: number, rows: readonly ToyRow[]) {
    this.#writer = writer;
    this.#where = where;
    this.#lastOrder = lastOrder;
    for (const row of rows)
      this.#toys.add({
        key: row.key,
        name: row.name,
        priceCents: row.price_cents,
        stock: row.stock,
        storedStock: row.stock,
        nextPriceCents: undefined,
        pending: undefined,
      });
    writer.on("message", (reply: WriterReply) => {
      const resolve = this.#waiting.get(reply.seq);
      this.#waiting.delete(reply.seq);
      resolve?.(reply);
    });
    const die = (error: Error): void => {
      this.#broken ??= error;
      for (const resolve of this.#waiting.values())
        resolve({ seq: -1, ok: false, error: `the writer thread stopped: ${error.message}` });
      this.#waiting.clear();
    };
    writer.on("error", die);
    writer.on("exit", (code) => die(new Error(`exit code ${code}`)));
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
    const batch = this.#join(entry);
    entry.stock--;
    const id = ++this.#lastOrder;
    batch.orders.push([
      id,
      entry.key,
      entry.name,
      entry.nextPriceCents ?? entry.priceCents,
      new Date().toISOString(),
    ]);
    return new Committing({ kind: "bought", stockLeft: entry.stock, orderId: String(id) }, batch.stored);
  }

  restock(name: string, change: Restock): Toy | undefined | Committing<Toy | undefined> {
    const entry = this.#toys.get(name);
    if (entry === undefined) return undefined;
    const batch = this.#join(entry);
    entry.stock = restockedStock(entry.stock, change);
    if (change.priceCents !== undefined) entry.nextPriceCents = change.priceCents;
    const toy = {
      name: entry.name,
      priceCents: entry.nextPriceCents ?? entry.priceCents,
      stock: entry.stock,
    };
    return new Committing(toy, batch.stored);
  }

  /** The batch gathering changes, which `entry` is now part of (made, and its commit scheduled, if none is). */
  #join(entry: Entry): Batch {
    let batch = this.#gathering;
    if (batch === undefined) {
      batch = this.#gathering = new Batch();
      if (this.#committing === undefined) setImmediate(this.#flush);
    }
    entry.pending = batch;
    batch.touched.add(entry);
    return batch;
  }

  async order(id: string): Promise<Order | undefined> {
    const n = orderNumber(id);
    if (n === undefined) return undefined;
    const reply = await this.#send({ kind: "order", id: n });
    if (!reply.ok) throw new Error(reply.error);
    const row: OrderRow | undefined = reply.row;
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
  async close(): Promise<void> {
    while (this.#committing !== undefined || this.#gathering !== undefined) {
      if (this.#committing === undefined) this.#commitNext();
      await (this.#committing ?? this.#gathering)?.stored.catch(() => {});
    }
    if (this.#broken === undefined) await this.#send({ kind: "close" });
    await this.#writer.terminate();
  }

  #send(request: CommitMessage | { kind: "order"; id: number } | { kind: "close" }): Promise<WriterReply> {
    if (this.#broken !== undefined)
      return Promise.resolve({
        seq: -1,
        ok: false,
        error: `the writer thread stopped: ${this.#broken.message}`,
      });
    const seq = ++this.#seq;
    return new Promise((resolve) => {
      this.#waiting.set(seq, resolve);
      this.#writer.postMessage({ seq, ...request } satisfies WriterRequest);
    });
  }

  /** Sends the gathered batch to the writer: one transaction, one sync for all its buys. */
  #commitNext(): void {
    const batch = this.#gathering;
    if (batch === undefined || this.#committing !== undefined) return;
    this.#gathering = undefined;
    this.#committing = batch;
    this.onCommitBatch?.(batch.orders.length);
    // The stock each toy has after this batch: later buys go to the next one.
    const after = Array.from(
      batch.touched,
      (entry) => [entry, entry.stock, entry.nextPriceCents ?? entry.priceCents] as const,
    );
    this.#send({
      kind: "commit",
      stocks: after.map(([e, stock, price]) => [e.key, stock, price]),
      orders: batch.orders,
    }).then(
      (reply) => this.#committed(batch, after, reply),
      (error: unknown) => this.#committed(batch, after, { seq: -1, ok: false, error: reason(error) }),
    );
  }

  #committed(batch: Batch, after: readonly (readonly [Entry, number, number])[], reply: WriterReply): void {
    this.#committing = undefined;
    if (reply.ok) {
      for (const [entry, stock, price] of after) {
        entry.storedStock = stock;
        entry.priceCents = price;
        if (entry.pending === batch) {
          entry.pending = undefined;
          entry.nextPriceCents = undefined;
        }
      }
      batch.settle();
      this.#commitNext();
      return;
    }
    // Nothing of this batch is stored, and the one gathering was decided on top of it: both fail.
    const error = Object.assign(new Error(reply.error), reply.code === undefined ? {} : { code: reply.code });
    const next = this.#gathering;
    this.#gathering = undefined;
    const failed = [batch, ...(next === undefined ? [] : [next])];
    const buys = failed.reduce((n, b) => n + b.orders.length, 0);
    console.error(
      `toystore: ${this.#where}: a commit failed, ${buys} buys answered with an error: ${reason(error)}`,
    );
    for (const b of failed) {
      for (const entry of b.touched) {
        entry.stock = entry.storedStock;
        entry.nextPriceCents = undefined;
        entry.pending = undefined;
      }
      b.settle(error);
    }
  }
}

/**
 * The writer thread. Compiled, it is the .js next to this file. Run from
 * source, a worker does not inherit the tsx loader (Node 20 does not pass
 * --import hooks to workers), so the worker registers it, then loads the .ts.
 */
function startWriter(data: WriterData): Worker {
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./sqlite-writer.js", import.meta.url), { workerData: data });
  const source = JSON.stringify(new URL("./sqlite-writer.ts", import.meta.url).href);
  return new Worker(
    `import("tsx/esm/api").then(({ register }) => { register(); return import(${source}); });`,
    { eval: true, workerData: data },
  );
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
