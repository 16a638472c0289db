// The sqlite store's writer, on a worker thread: it owns the file's one
// connection and commits each batch the main thread sends, so the sync (the
// slow part of a durable commit) runs while the main thread goes on reading
// requests and gathering the next batch.

import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { configure } from "./sqlite-store.js";

/** A batch to store: the stock each touched toy has after it, and its orders. */
export interface CommitMessage {
  readonly kind: "commit";
  readonly stocks: readonly (readonly [key: string, stock: number, priceCents: number])[];
  readonly orders: readonly (readonly [
    id: number,
    key: string,
    toy: string,
    priceCents: number,
    soldAt: string,
  ])[];
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

export interface OrderRow {
  readonly id: number;
  readonly toy: string;
  readonly unit_price_cents: number;
  readonly sold_at: string;
}

export type WriterReply =
  | { readonly seq: number; readonly ok: true; readonly row?: OrderRow }
  | { readonly seq: number; readonly ok: false; readonly error: string; readonly code?: string };

export interface WriterData {
  readonly path: string;
}

function serve(): void {
  const port = parentPort;
  if (port === null) throw new Error("sqlite-writer runs as a worker thread");
  const { path } = workerData as WriterData;
  const db = new Database(path, { timeout: 0 });
  configure(db);
  const setStock = db.prepare<[number, number, string]>(
    "UPDATE toys SET stock = ?, price_cents = ? WHERE key = ?",
  );
  const insertOrder = db.prepare<[number, string, string, number, string]>(
    "INSERT INTO orders (id, toy_key, toy, unit_price_cents, sold_at) VALUES (?, ?, ?, ?, ?)",
  );
  const readOrder = db.prepare<[number], OrderRow>(
    "SELECT id, toy, unit_price_cents, sold_at FROM orders WHERE id = ?",
  );
  const commit = db.transaction((batch: CommitMessage) => {
    for (const [key, stock, price] of batch.stocks) setStock.run(stock, price, key);
    for (const order of batch.orders) insertOrder.run(...order);
  });
  // Taking the file's lock now, not at the first buy: a second server is refused at start.
  db.prepare("SELECT count(*) FROM toys").get();
  port.postMessage({ seq: 0, ok: true } satisfies WriterReply);
  port.on("message", (request: WriterRequest) => {
    let reply: WriterReply;
    try {
      if (request.kind === "commit") {
        commit(request);
        reply = { seq: request.seq, ok: true };
      } else if (request.kind === "order") {
        const row = readOrder.get(request.id);
        reply = row === undefined ? { seq: request.seq, ok: true } : { seq: request.seq, ok: true, row };
      } else {
        db.close();
        reply = { seq: request.seq, ok: true };
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      reply = {
        seq: request.seq,
        ok: false,
        error: (error as Error).message,
        ...(typeof code === "string" ? { code } : {}),
      };
    }
    port.postMessage(reply);
    if (request.kind === "close") port.close();
  });
}

if (parentPort !== null) serve();
