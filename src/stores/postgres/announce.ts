// The announcements of committed stock changes, as the PostgreSQL store makes
// and reads them: one pg_notify per changed toy, issued by the very statement
// that changes the toy's row (so PostgreSQL sends it only if that transaction
// commits, and every listener gets them in commit order), on one channel, with
// what a receiver needs to apply it without reading the database.

import type { Sql } from "./connection.js";
import type { Tx } from "./transaction.js";

/** The channel every server of a database announces on and listens to. */
export const STOCK_CHANNEL = "toystore_stock";

/** How a store's statements announce: on (with the server's id in each payload), or not at all (--db-announce off). */
export type Announcing = { readonly server: string } | undefined;

/** One committed stock change, as a listener reads it. */
export interface Announcement {
  /** The toy's key (its normalized name). */
  readonly key: string;
  /** Its display name. */
  readonly name: string;
  /** The stock after the change. */
  readonly stock: number;
  readonly priceCents: number;
  /** The toy's version after the change (schema.ts): higher is newer. */
  readonly version: number;
  /** The database's clock_timestamp() when the statement changed the row, ms since the epoch. */
  readonly atMs: number;
  /** The id of the server whose statement made the change. */
  readonly server: string;
}

/**
 * The SQL expression a statement returns for each row of toys (named `t`) it
 * changed, to announce it: pg_notify with a JSON payload, or NULL when not
 * announcing. Put in the RETURNING of the UPDATE, so each changed row is
 * announced exactly once and no statement grows a round trip. The time is
 * clock_timestamp() as the row is changed, in the statement just before the
 * commit: a delay measured from it includes the commit (a slight
 * overestimate of the time from commit to receipt).
 */
export function announceRow(sql: Sql | Tx, announcing: Announcing) {
  if (announcing === undefined) return sql`NULL::text`;
  return sql`pg_notify(${STOCK_CHANNEL}, json_build_object(
    'k', t.key, 'n', t.name, 's', t.stock, 'p', t.price_cents, 'v', t.version,
    'at', extract(epoch FROM clock_timestamp()) * 1000, 'from', ${announcing.server}::text)::text)`;
}

/** The announcement a payload holds; undefined if it is not one of ours (any client may notify on a channel). */
export function parseAnnouncement(payload: string): Announcement | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { k, n, s, p, v, at, from } = value as Record<string, unknown>;
  if (typeof k !== "string" || typeof n !== "string" || typeof from !== "string") return undefined;
  if (!isCount(s) || !isCount(p) || !isCount(v) || typeof at !== "number" || !Number.isFinite(at))
    return undefined;
  return { key: k, name: n, stock: s, priceCents: p, version: v, atMs: at, server: from };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
