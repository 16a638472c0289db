// Idempotency keys in the database, shared by every server of the store: a
// keyed buy stores its key with what it did in the statement that sells, so
// the key commits with its sale or not at all; a retry answers from the key's
// row and sells nothing more. Keys are forgotten after a day.

import { keyReused } from "../../errors.js";
import { type Announcing, announceRow } from "./announce.js";
import type { Sql } from "./connection.js";
import { errorCode, UNIQUE_VIOLATION } from "./errors.js";
import { type Sold, type Wanted, work } from "./statements.js";
import { type Tx, transaction } from "./transaction.js";

/** How often a server forgets keys older than a day. */
export const PRUNE_EVERY_MS = 10 * 60 * 1000;

/** A keyed buy: the toy and units, and the client's key. */
export interface KeyedWanted extends Wanted {
  readonly requestKey: string;
}

/**
 * A keyed buy, run once whatever the retries: the sale (undefined: sold out)
 * the first buy with this key made, now or before. With `lockFirst`, inside a
 * transaction that first takes the section's lock and spends the work.
 * Rejects with keyReused() if the key bought another toy or another quantity.
 *
 * One statement, not a transaction of several (when unlocked): a server cut
 * off from the database between statements would leave the toy's row and the
 * key locked until PostgreSQL noticed; a statement that reached the database
 * runs to its end without us. A key already used fails the statement on the
 * key's unique index (nothing it did stays), and the buy answers from the
 * key's row; a repeat racing the first waits on that index until the first
 * commits (then answers from its row) or rolls back (then buys). Not batched:
 * each key's row is part of its own sale.
 */
export async function buyOnce(
  sql: Sql,
  buy: KeyedWanted,
  announcing: Announcing,
  lock?: { readonly take: (tx: Tx) => Promise<void>; readonly workMs: number },
): Promise<Sold | undefined> {
  try {
    if (lock === undefined) return await keyedBuyOne(sql, buy, announcing);
    return await transaction(sql, async (tx) => {
      await lock.take(tx);
      await work(tx, lock.workMs);
      return await keyedBuyOne(tx, buy, announcing);
    });
  } catch (error) {
    if (errorCode(error) !== UNIQUE_VIOLATION) throw error;
  }
  const prior = await priorBuy(sql, buy.requestKey);
  if (prior === undefined) throw new Error("idempotency key vanished while it was read");
  if (prior.toyKey !== buy.key || prior.quantity !== buy.quantity) throw keyReused();
  return prior.sold;
}

/**
 * Takes the units unless the key is stored already, places the order, and
 * stores the key with the quantity and the order (none: sold out), in one
 * statement. Fails with a unique violation when the key was used.
 */
async function keyedBuyOne(
  sql: Sql | Tx,
  buy: KeyedWanted,
  announcing: Announcing,
): Promise<Sold | undefined> {
  const { key, quantity, requestKey } = buy;
  const [row] = await sql<
    { id: string | null; stock: string | null; price_cents: string | null; version: string | null }[]
  >`
    WITH taken AS (
      UPDATE toys t SET stock = t.stock - ${quantity}, version = t.version + 1
      WHERE t.key = ${key} AND t.stock >= ${quantity}
        AND NOT EXISTS (SELECT 1 FROM request_keys WHERE key = ${requestKey})
      RETURNING t.key, t.name, t.price_cents, t.stock, t.version, ${announceRow(sql, announcing)} AS announced
    ), placed AS (
      INSERT INTO orders (toy_key, toy, unit_price_cents, quantity)
      SELECT key, name, price_cents, ${quantity} FROM taken
      RETURNING id
    ), keyed AS (
      INSERT INTO request_keys (key, toy_key, quantity, order_id, stock_left)
      SELECT ${requestKey}, ${key}, ${quantity}, (SELECT id FROM placed), (SELECT stock FROM taken)
      RETURNING order_id, stock_left
    )
    SELECT order_id::text AS id, stock_left::text AS stock, (SELECT price_cents FROM taken)::text AS price_cents,
      (SELECT version FROM taken)::text AS version
    FROM keyed`;
  const sold = soldOf(row?.id ?? null, row?.stock ?? null, row?.price_cents ?? null);
  if (sold === undefined || row?.version == null) return sold;
  const after = { stock: sold.stockLeft, priceCents: sold.unitPriceCents, version: Number(row.version) };
  return { ...sold, after };
}

/** What a stored key did: its toy, the units it asked for, and its sale (undefined: sold out). */
async function priorBuy(
  sql: Sql,
  requestKey: string,
): Promise<{ toyKey: string; quantity: number; sold: Sold | undefined } | undefined> {
  const [row] = await sql<
    {
      toy_key: string;
      quantity: string;
      id: string | null;
      stock: string | null;
      price_cents: string | null;
    }[]
  >`
    SELECT k.toy_key, k.quantity::text, k.order_id::text AS id, k.stock_left::text AS stock,
      o.unit_price_cents::text AS price_cents
    FROM request_keys k LEFT JOIN orders o ON o.id = k.order_id
    WHERE k.key = ${requestKey}`;
  if (row === undefined) return undefined;
  return {
    toyKey: row.toy_key,
    quantity: Number(row.quantity),
    sold: soldOf(row.id, row.stock, row.price_cents),
  };
}

function soldOf(id: string | null, stock: string | null, priceCents: string | null): Sold | undefined {
  if (id === null) return undefined;
  return { orderId: id, stockLeft: Number(stock ?? 0), unitPriceCents: Number(priceCents ?? 0) };
}

/** Forgets the idempotency keys older than a day. */
export async function forgetOldKeys(sql: Sql): Promise<void> {
  await sql`DELETE FROM request_keys WHERE at < now() - interval '1 day'`;
}
