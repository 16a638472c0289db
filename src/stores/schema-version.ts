// The toystore schema's version, as both durable stores keep it: the marker
// table and row that tell a toystore database from another program's, and the
// checks a database that already holds tables passes before it is served.

import type { CatalogSource } from "./open-options.js";
import { StoreOpenError } from "./store-errors.js";

/**
 * The version of the tables this code writes; a store with a newer one is
 * refused, an older one is migrated when it is opened. 2: orders carry a
 * quantity (a version-1 order sold one unit). 3: PostgreSQL's refill_rounds,
 * the one row that makes the restock timer's round once per period across
 * every server of a database (SQLite's tables are those of version 2). 4:
 * PostgreSQL's toys carry a version, one more at each stock change, which the
 * announcements of stock changes and the query cache order by (SQLite's tables
 * are still those of version 2).
 */
export const SCHEMA_VERSION = 4;

/** The marker row's key: the row that tells a toystore database from another program's. */
const SCHEMA_KEY = "toystore_schema_version";

/** The table that holds the marker row. */
const MARKER_TABLE = "toystore_meta";

/**
 * The marker row's statements, the same SQL in both stores: its key and value
 * are this code's own constants, so they are written in, not bound.
 */
export const SCHEMA_MARKER = {
  /** The table's name, to look for among a database's tables. */
  table: MARKER_TABLE,
  create: `CREATE TABLE ${MARKER_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  /** Writes this code's version, in a new database. */
  insert: `INSERT INTO ${MARKER_TABLE} (key, value) VALUES ('${SCHEMA_KEY}', '${SCHEMA_VERSION}')`,
  /** Reads the version a database holds: one row whose `value` is it, or none. */
  select: `SELECT value FROM ${MARKER_TABLE} WHERE key = '${SCHEMA_KEY}'`,
  /** Writes this code's version over an older one, once migrated. */
  update: `UPDATE ${MARKER_TABLE} SET value = '${SCHEMA_VERSION}' WHERE key = '${SCHEMA_KEY}'`,
} as const;

/** Why a database that already has tables cannot be served, if it cannot; undefined when it can. */
function schemaProblem(where: string, version: string | undefined): string | undefined {
  if (version === undefined)
    return `${where} holds tables of another program (no toystore schema): give an empty database or a new file`;
  const n = Number(version);
  if (!Number.isSafeInteger(n) || n < 1)
    return `${where} has a toystore schema version "${version}" that is not valid`;
  if (n > SCHEMA_VERSION)
    return `${where} has toystore schema version ${n}, newer than this server's ${SCHEMA_VERSION}: upgrade toystore to serve it`;
  return undefined;
}

/**
 * The schema version a database that already has tables holds (`version`, its
 * marker row's value, undefined without one), for its migration. Throws a
 * StoreOpenError naming the store (`where`) if it cannot be served.
 */
export function storedVersion(where: string, version: string | undefined): number {
  const problem = schemaProblem(where, version);
  if (problem !== undefined) throw new StoreOpenError(problem);
  return Number(version);
}

/** The refusal of `--catalog` for a store that already holds one, with how to replace it. */
export function catalogAlreadyStored(where: string, toys: number, howToEmpty: string): string {
  return `${where} already holds a catalog (${toys} toy${toys === 1 ? "" : "s"}); start without --catalog to serve it, or ${howToEmpty} and start again to replace it`;
}

/**
 * Refuses a catalog the user gave for a store that already holds one (of
 * `toys` toys): throws a StoreOpenError that says how to replace it.
 */
export function refuseGivenCatalog(
  where: string,
  catalog: CatalogSource,
  toys: number,
  howToEmpty: string,
): void {
  if (catalog.given) throw new StoreOpenError(catalogAlreadyStored(where, toys, howToEmpty));
}
