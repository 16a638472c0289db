// What the sqlite store and its writer thread share, and nothing more, so the
// thread loads only this and better-sqlite3: the connection settings every
// opening of a store file uses, and the messages between the two threads.

import type Database from "better-sqlite3";

/** The connection settings every opening of a store file uses: one owner, WAL, a sync per commit. */
export function configure(db: Database.Database): boolean {
  // One process owns the file: a second server is refused rather than sharing it unsafely.
  db.pragma("locking_mode = EXCLUSIVE");
  const wal = db.pragma("journal_mode = WAL", { simple: true }) === "wal";
  db.pragma("synchronous = FULL");
  return wal;
}

/** One order as the writer inserts it. */
export type OrderTuple = readonly [
  id: number,
  key: string,
  toy: string,
  quantity: number,
  unitPriceCents: number,
  soldAt: string,
];

/** A batch to store: the stock and price each touched toy has after it, and its orders. */
export interface CommitMessage {
  readonly kind: "commit";
  readonly stocks: readonly (readonly [key: string, stock: number, priceCents: number])[];
  readonly orders: readonly OrderTuple[];
}

export interface OrderMessage {
  readonly kind: "order";
  readonly id: number;
}

export type WriterRequest = { readonly seq: number } & (
  | CommitMessage
  | OrderMessage
  | { readonly kind: "close" }
);

/** An order as the writer reads it back. */
export interface OrderRow {
  readonly id: number;
  readonly toy: string;
  readonly quantity: number;
  readonly unit_price_cents: number;
  readonly sold_at: string;
}

/** The answer to one request (`seq` 0: the thread is ready, or could not open the file). */
export type WriterReply =
  | { readonly seq: number; readonly ok: true; readonly row?: OrderRow }
  | { readonly seq: number; readonly ok: false; readonly error: string; readonly code?: string };

/** What the thread is started with. */
export interface WriterData {
  readonly path: string;
}
