// Opening a sqlite store's file on the main thread, once, before the writer
// thread takes it: refusing what is not a store file, preparing the schema,
// and SQLite's reasons in the words of the file at hand.

import { statSync } from "node:fs";
import Database from "better-sqlite3";
import type { CatalogSource } from "../open-options.js";
import { reason, StoreOpenError } from "../store-errors.js";
import { type Prepared, prepare } from "./schema.js";
import { configure } from "./writer-protocol.js";

/**
 * Opens the file at `path`, prepares its schema (see prepare) and closes it
 * again: what it holds. Throws a StoreOpenError naming the store (`where`).
 */
export function prepareFile(path: string, where: string, catalog: CatalogSource): Prepared {
  if (isDirectory(path)) throw new StoreOpenError(`${where} is a directory, not a database file`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: 0 });
    if (!configure(db)) throw new StoreOpenError(`${where}: cannot switch the database to WAL mode`);
    return prepare(db, where, catalog);
  } catch (error) {
    if (error instanceof StoreOpenError) throw error;
    throw new StoreOpenError(`cannot open ${where}: ${describeOpenFailure(error)}`);
  } finally {
    db?.close();
  }
}

/** SQLite's reasons, in the words of the file at hand. */
export function describeOpenFailure(error: unknown): string {
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

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
