// The embedded durable store: one SQLite file, owned by one server process.
//
// The catalog is mirrored in memory, so a query never touches the disk. A buy
// is decided at once against the mirror and answered only once it is stored:
// the buys decided while the last commit was syncing are written in one
// transaction, with one sync (group commit), by a writer thread (writer.ts),
// so the main thread keeps reading requests meanwhile. Each buy is one order,
// stored in the same transaction as the stock it took. Queries answer from
// the stock as stored, so no reply ever reports a change that could still be
// lost; a sold-out that a pending buy caused waits for that buy's commit. If
// a commit fails, every buy not yet stored (and every sold-out they caused)
// gets an error, and the mirror goes back to what is stored.

import {
  type CatalogStore,
  Committing,
  checkQuantity,
  orderNumber,
  type RefillResult,
  type Restock,
  restockedStock,
  ToyIndex,
} from "../../catalog/catalog-store.js";
import { NOT_FOUND, refilled, SOLD_OUT, saleOf, stockReport } from "../../catalog/outcomes.js";
import type { Order, SaleResult, StockReport, Toy } from "../../catalog/toy.js";
import { type CatalogSource, type Opened, type StoreLog, storeLog } from "../open-options.js";
import { reason, StoreOpenError } from "../store-errors.js";
import { Batch, type Entry } from "./batch.js";
import { describeOpenFailure, prepareFile } from "./open-file.js";
import type { ToyRow } from "./schema.js";
import { WriterClient } from "./writer-client.js";
import type { WriterReply } from "./writer-protocol.js";

/** How a sqlite store reports what no request carries. */
export interface SqliteStoreOptions {
  /** Where a failed commit is logged (default: one line on stderr). */
  readonly log?: StoreLog;
}

export class SqliteStore implements CatalogStore {
  readonly #where: string;
  readonly #writer: WriterClient;
  readonly #log: StoreLog;
  readonly #toys = new ToyIndex<Entry>();
  #lastOrder: number;
  /** The batch gathering buys, and the one being committed. */
  #gathering: Batch | undefined;
  #committing: Batch | undefined;
  readonly #flush = (): void => this.#commitNext();
  onCommitBatch: ((size: number) => void) | undefined;

  /**
   * Opens (or creates) the file at `path`, migrating an older schema.
   * `catalog` fills a new file; given for a file that already holds a
   * catalog, it is refused. Rejects with a StoreOpenError whose message names
   * the file and what is wrong.
   */
  static async open(
    path: string,
    catalog: CatalogSource,
    options: SqliteStoreOptions = {},
  ): Promise<Opened<SqliteStore>> {
    const where = `sqlite:${path}`;
    const prepared = prepareFile(path, where, catalog);
    const writer = await WriterClient.start(path).catch((error: unknown) => {
      throw new StoreOpenError(`cannot open ${where}: ${describeOpenFailure(error)}`);
    });
    const store = new SqliteStore(writer, where, prepared.lastOrder, prepared.rows, storeLog(options.log));
    return { store, created: prepared.created, toys: prepared.rows.length, orders: prepared.orders };
  }

  private constructor(
    writer: WriterClient,
    where: string,
    lastOrder: number,
    rows: readonly ToyRow[],
    log: StoreLog,
  ) {
    this.#writer = writer;
    this.#where = where;
    this.#lastOrder = lastOrder;
    this.#log = log;
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
  }

  query(name: string): StockReport {
    const entry = this.#toys.get(name);
    if (entry === undefined) return NOT_FOUND;
    return stockReport(entry.name, entry.priceCents, entry.storedStock);
  }

  /** All or nothing, decided in one synchronous step against the mirror; answered once stored. */
  buy(name: string, quantity: number): SaleResult | Committing<SaleResult> {
    checkQuantity(quantity);
    const entry = this.#toys.get(name);
    if (entry === undefined) return NOT_FOUND;
    if (entry.stock < quantity)
      return entry.pending === undefined ? SOLD_OUT : new Committing(SOLD_OUT, entry.pending.stored);
    const batch = this.#join(entry);
    entry.stock -= quantity;
    const id = ++this.#lastOrder;
    const priceCents = entry.nextPriceCents ?? entry.priceCents;
    batch.orders.push([id, entry.key, entry.name, quantity, priceCents, new Date().toISOString()]);
    return new Committing(saleOf(entry, id, quantity, priceCents), batch.stored);
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

  /**
   * Every toy sold out as decided (a buy of its last units may still be
   * storing) back to `to`, in one synchronous step against the mirror, as a
   * buy is decided; answered once stored, with the batch it joins.
   */
  refill(to: number): RefillResult | Committing<RefillResult> {
    const toys: Toy[] = [];
    let batch: Batch | undefined;
    for (const entry of this.#toys.values()) {
      if (entry.stock !== 0) continue;
      batch = this.#join(entry);
      entry.stock = to;
      toys.push({ name: entry.name, priceCents: entry.nextPriceCents ?? entry.priceCents, stock: to });
    }
    return batch === undefined ? refilled(toys) : new Committing(refilled(toys), batch.stored);
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
    const reply = await this.#writer.send({ kind: "order", id: n });
    if (!reply.ok) throw new Error(reply.error);
    const row = reply.row;
    if (row === undefined) return undefined;
    return {
      id: String(row.id),
      toy: row.toy,
      quantity: row.quantity,
      unitPriceCents: row.unit_price_cents,
      time: row.sold_at,
    };
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
    if (!this.#writer.broken) await this.#writer.send({ kind: "close" });
    await this.#writer.terminate();
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
    this.#writer
      .send({
        kind: "commit",
        stocks: after.map(([e, stock, price]) => [e.key, stock, price]),
        orders: batch.orders,
      })
      .then(
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
    for (const b of failed) {
      for (const entry of b.touched) {
        entry.stock = entry.storedStock;
        entry.nextPriceCents = undefined;
        entry.pending = undefined;
      }
      b.settle(error);
    }
    this.#log(`${this.#where}: a commit failed, ${buys} buys answered with an error: ${reason(error)}`);
  }
}
