// The sqlite store's writer, on a worker thread: it owns the file's one
// connection and commits each batch the main thread sends, so the sync (the
// slow part of a durable commit) runs while the main thread goes on reading
// requests and gathering the next batch. It imports writer-protocol.ts only,
// not the store: a worker thread loads its imports anew.

import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import {
  type CommitMessage,
  configure,
  type OrderRow,
  type OrderTuple,
  type WriterData,
  type WriterReply,
  type WriterRequest,
} from "./writer-protocol.js";

function serve(): void {
  const port = parentPort;
  if (port === null) throw new Error("the sqlite writer runs as a worker thread");
  const { path } = workerData as WriterData;
  const db = new Database(path, { timeout: 0 });
  configure(db);
  const setStock = db.prepare<[number, number, string]>(
    "UPDATE toys SET stock = ?, price_cents = ? WHERE key = ?",
  );
  const insertOrder = db.prepare<[...OrderTuple]>(
    "INSERT INTO orders (id, toy_key, toy, quantity, unit_price_cents, sold_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const readOrder = db.prepare<[number], OrderRow>(
    "SELECT id, toy, quantity, unit_price_cents, sold_at FROM orders WHERE id = ?",
  );
  // The stock changes and the orders that made them: one transaction, all or nothing.
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
