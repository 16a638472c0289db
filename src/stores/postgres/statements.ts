// The PostgreSQL store's statements for queries and buys: batched (the
// requests of one turn in one statement, see batcher.ts) and one at a time
// inside a transaction that holds a lock policy's lock through the work.
// Every buy is all or nothing, and places one order carrying its quantity and
// the unit price paid in the same statement as its stock change. And the
// restock timer's round, once per period for every server of the database.
// Every statement that changes a toy's stock also moves its version on and
// announces the change (announce.ts), in the same statement.

import type { RefillResult, Restock, Section } from "../../catalog/catalog-store.js";
import { refilled } from "../../catalog/outcomes.js";
import type { Order, Toy } from "../../catalog/toy.js";
import { type Announcing, announceRow } from "./announce.js";
import type { Sql } from "./connection.js";
import type { Tx } from "./transaction.js";

/** A toy's stock, price and version as a statement read or left them. */
export interface Stocked {
  readonly stock: number;
  readonly priceCents: number;
  /** The row's version (schema.ts): one more at every stock change. */
  readonly version: number;
}

/** One buy as the store asks it: the toy's key and the units. */
export interface Wanted {
  readonly key: string;
  readonly quantity: number;
}

/** A buy that sold: the stock it left, the order it placed, the unit price paid. */
export interface Sold {
  readonly stockLeft: number;
  readonly orderId: string;
  readonly unitPriceCents: number;
  /**
   * The toy's row as the statement committed it (after every sale of its
   * batch), for the server's own query cache; absent for a keyed buy's repeat,
   * which changed nothing.
   */
  readonly after?: Stocked;
}

/** A row's stock, price and version as the driver returns them (text). */
interface StockedRow {
  readonly stock: string;
  readonly price_cents: string;
  readonly version: string;
}

/** The row's figures as numbers. */
export function stockedOf(row: StockedRow): Stocked {
  return { stock: Number(row.stock), priceCents: Number(row.price_cents), version: Number(row.version) };
}

/** The stock and price of each key, in one statement. */
export async function lookupAll(sql: Sql, keys: readonly string[]): Promise<(Stocked | undefined)[]> {
  const unique = [...new Set(keys)];
  const rows = await sql<(StockedRow & { key: string })[]>`
    SELECT key, stock, price_cents, version FROM toys WHERE key = ANY(${unique}::text[])`;
  const found = new Map(rows.map((r) => [r.key, stockedOf(r)]));
  return keys.map((key) => found.get(key));
}

/**
 * Every buy of a batch, in arrival order, as one statement: one round trip
 * and one commit for the whole batch. Each toy's row is locked once (in key
 * order, so two servers' batches cannot deadlock); then, toy by toy, each buy
 * in turn takes its quantity if that many are still left and is sold out
 * otherwise (a later, smaller buy may still fit), a walk written as a
 * recursive query over each toy's quantities. The sales' orders are inserted
 * with their ids drawn first, so each buyer gets its own order back. A buy
 * that did not sell has no row: sold out.
 */
export async function buyAll(
  sql: Sql,
  buys: readonly Wanted[],
  announcing: Announcing,
): Promise<(Sold | undefined)[]> {
  const rows = await sql<(StockedRow & { i: string; id: string; stock_left: string })[]>`
    WITH RECURSIVE asked AS (
      SELECT w.key, array_agg(w.quantity ORDER BY w.i) AS quantities, array_agg(w.i ORDER BY w.i) AS arrivals
      FROM unnest(${buys.map((b) => b.key)}::text[], ${buys.map((b) => b.quantity)}::bigint[])
        WITH ORDINALITY AS w(key, quantity, i)
      GROUP BY w.key
    ), locked AS (
      SELECT t.key, t.name, t.price_cents, t.stock, a.quantities, a.arrivals
      FROM toys t JOIN asked a ON a.key = t.key
      ORDER BY t.key
      FOR UPDATE OF t
    ), walk (key, n, i, quantity, sold, stock_left) AS (
      SELECT key, 1, arrivals[1], quantities[1], stock >= quantities[1],
        CASE WHEN stock >= quantities[1] THEN stock - quantities[1] ELSE stock END
      FROM locked
      UNION ALL
      SELECT w.key, w.n + 1, l.arrivals[w.n + 1], l.quantities[w.n + 1], w.stock_left >= l.quantities[w.n + 1],
        CASE WHEN w.stock_left >= l.quantities[w.n + 1] THEN w.stock_left - l.quantities[w.n + 1] ELSE w.stock_left END
      FROM walk w JOIN locked l ON l.key = w.key
      WHERE w.n < cardinality(l.quantities)
    ), sales AS (
      SELECT w.key, w.i, w.quantity, w.stock_left, l.name, l.price_cents,
        nextval(pg_get_serial_sequence('orders', 'id')) AS id
      FROM walk w JOIN locked l ON l.key = w.key
      WHERE w.sold
    ), updated AS (
      -- Only toys that sold, and no test on t.stock: this UPDATE reads the row
      -- as of the statement's snapshot, while the walk started from the row
      -- as locked, which a restock committed meanwhile may have raised; a test
      -- on the older stock could skip the update and leave the sale unrecorded
      -- in the stock (an oversell).
      -- One announcement per toy (its stock after the whole batch, the one commit).
      UPDATE toys t SET stock = f.stock_left, version = t.version + 1
      FROM (SELECT key, min(stock_left) AS stock_left FROM walk GROUP BY key HAVING bool_or(sold)) f
      WHERE t.key = f.key
      RETURNING t.key, t.stock, t.version, ${announceRow(sql, announcing)} AS announced
    ), placed AS (
      INSERT INTO orders (id, toy_key, toy, unit_price_cents, quantity)
      SELECT id, key, name, price_cents, quantity FROM sales
      RETURNING id
    )
    SELECT s.i::text, s.id::text, s.stock_left::text, s.price_cents::text,
      u.stock::text, u.version::text
    FROM sales s JOIN updated u ON u.key = s.key`;
  const sold: (Sold | undefined)[] = new Array(buys.length).fill(undefined);
  for (const row of rows)
    sold[Number(row.i) - 1] = {
      stockLeft: Number(row.stock_left),
      orderId: row.id,
      unitPriceCents: Number(row.price_cents),
      after: stockedOf(row),
    };
  return sold;
}

/** Takes `quantity` units if that many are left and places the order, in one statement; no row if not. */
export async function buyOne(
  tx: Tx,
  key: string,
  quantity: number,
  announcing: Announcing,
): Promise<Sold | undefined> {
  const [row] = await tx<(StockedRow & { id: string })[]>`
    WITH taken AS (
      UPDATE toys t SET stock = t.stock - ${quantity}, version = t.version + 1
      WHERE t.key = ${key} AND t.stock >= ${quantity}
      RETURNING t.key, t.name, t.price_cents, t.stock, t.version, ${announceRow(tx, announcing)} AS announced
    ), placed AS (
      INSERT INTO orders (toy_key, toy, unit_price_cents, quantity)
      SELECT key, name, price_cents, ${quantity} FROM taken
      RETURNING id
    )
    SELECT taken.stock::text, taken.price_cents::text, taken.version::text, placed.id::text FROM taken, placed`;
  if (row === undefined) return undefined;
  const after = stockedOf(row);
  return { stockLeft: after.stock, orderId: row.id, unitPriceCents: after.priceCents, after };
}

/** An order by its number; undefined if there is none. */
export async function readOrder(sql: Sql, n: number): Promise<Order | undefined> {
  const [row] = await sql<
    { id: string; toy: string; quantity: string; unit_price_cents: string; sold_at: Date }[]
  >`
    SELECT id, toy, quantity, unit_price_cents, sold_at FROM orders WHERE id = ${n}`;
  if (row === undefined) return undefined;
  return {
    id: row.id,
    toy: row.toy,
    quantity: Number(row.quantity),
    unitPriceCents: Number(row.unit_price_cents),
    time: row.sold_at.toISOString(),
  };
}

/** Every toy, in catalog order. */
export async function listToys(sql: Sql): Promise<Toy[]> {
  const rows = await sql<{ name: string; price_cents: string; stock: string }[]>`
    SELECT name, price_cents, stock FROM toys ORDER BY position`;
  return rows.map((r) => ({ name: r.name, priceCents: Number(r.price_cents), stock: Number(r.stock) }));
}

export async function readStock(tx: Tx, key: string): Promise<Stocked | undefined> {
  const [row] = await tx<StockedRow[]>`SELECT stock, price_cents, version FROM toys WHERE key = ${key}`;
  return row === undefined ? undefined : stockedOf(row);
}

/**
 * Sets a toy's stock or adds to it, and/or sets its price, in one statement
 * (the row lock it takes orders it with every buy of the toy, on every
 * server); the row after, or undefined if there is no such toy.
 */
export async function restockOne(
  sql: Sql,
  key: string,
  change: Restock,
  announcing: Announcing,
): Promise<(Stocked & { name: string }) | undefined> {
  const [row] = await sql<(StockedRow & { name: string })[]>`
    UPDATE toys t SET
      stock = COALESCE(${change.stock ?? null}::bigint, t.stock + ${change.addStock ?? 0}::bigint),
      price_cents = COALESCE(${change.priceCents ?? null}::bigint, t.price_cents),
      version = t.version + 1
    WHERE t.key = ${key}
    RETURNING t.name, t.price_cents, t.stock, t.version, ${announceRow(sql, announcing)} AS announced`;
  return row === undefined ? undefined : { name: row.name, ...stockedOf(row) };
}

/** Takes the section's lock inside the transaction, held until it ends: the catalog's lock row, or the toy's. */
export async function lockFor(tx: Tx, section: Section, key: string, query: boolean): Promise<void> {
  const exclusive = section.lock === "mutex" || !query;
  if (section.lock === "per-toy") {
    if (exclusive) await tx`SELECT key FROM toy_locks WHERE key = ${key} FOR UPDATE`;
    else await tx`SELECT key FROM toy_locks WHERE key = ${key} FOR SHARE`;
  } else if (exclusive) await tx`SELECT id FROM store_lock WHERE id = 1 FOR UPDATE`;
  else await tx`SELECT id FROM store_lock WHERE id = 1 FOR SHARE`;
}

/**
 * The simulated work inside a transaction: a sleep in the database, on the
 * transaction's connection, holding its locks. Not a timer here: a statement
 * sent after a timer on a connection that closed meanwhile would end the
 * process (see transaction.ts).
 */
export async function work(tx: Tx, workMs: number): Promise<void> {
  await tx`SELECT pg_sleep(${workMs / 1000}::float8)`;
}

/** Whether a request runs in a transaction of its own that holds its lock through the work. */
export function locksInDatabase(section: Section): boolean {
  return section.workMs > 0 && section.lock !== "atomic";
}

/**
 * One round of the restock timer, in the transaction `tx`: every sold-out toy
 * back to `to`, at most once per `periodMs` across every server of the
 * database. The round is claimed first, on the one row of refill_rounds: only
 * if the last round is a period old (by the database's clock, so the servers'
 * clocks do not matter). A server claiming at the same time waits for that
 * row, then finds the round taken and answers not_due, with the time left
 * until the next. The claim commits with the refill, or neither happens.
 */
export async function refillRound(
  tx: Tx,
  to: number,
  periodMs: number,
  section: Section,
  announcing: Announcing,
): Promise<{ readonly outcome: RefillResult; readonly rows: readonly (Stocked & { key: string })[] }> {
  const [claimed] = await tx<{ rounds: string }[]>`
    UPDATE refill_rounds SET last_at = now(), rounds = rounds + 1
    WHERE id = 1 AND last_at <= now() - ${periodMs}::float8 * interval '1 millisecond'
    RETURNING rounds::text`;
  if (claimed === undefined) {
    const [row] = await tx<{ due_in_ms: string }[]>`
      SELECT GREATEST(0, EXTRACT(EPOCH FROM last_at - now()) * 1000 + ${periodMs}::float8)::text AS due_in_ms
      FROM refill_rounds WHERE id = 1`;
    return { outcome: { kind: "not_due", dueInMs: Number(row?.due_in_ms ?? periodMs) }, rows: [] };
  }
  // The catalog's lock row, held as a buy's is under mutex and rwlock with work; per-toy has no catalog's lock.
  if (locksInDatabase(section) && section.lock !== "per-toy") await lockFor(tx, section, "", false);
  // The sold-out rows locked in key order, as a batch of buys locks its toys, so the two cannot
  // deadlock; a row a buy or a restock changed meanwhile is read again and left if no longer at 0.
  const sold = await tx<{ key: string }[]>`SELECT key FROM toys WHERE stock = 0 ORDER BY key FOR UPDATE`;
  if (sold.length === 0) return { outcome: refilled([]), rows: [] };
  const rows = await tx<(StockedRow & { key: string; name: string })[]>`
    WITH put AS (
      UPDATE toys t SET stock = ${to}::bigint, version = t.version + 1
      WHERE t.key = ANY(${sold.map((row) => row.key)}::text[]) AND t.stock = 0
      RETURNING t.position, t.key, t.name, t.price_cents, t.stock, t.version, ${announceRow(tx, announcing)} AS announced
    )
    SELECT key, name, price_cents::text, stock::text, version::text FROM put ORDER BY position`;
  return {
    outcome: refilled(
      rows.map((r) => ({ name: r.name, priceCents: Number(r.price_cents), stock: Number(r.stock) })),
    ),
    rows: rows.map((r) => ({ key: r.key, ...stockedOf(r) })),
  };
}
