// A transaction on a connection of its own, written here rather than with the
// driver's sql.begin, to work around a postgres.js 3 bug that ended the process
// (see transaction() below), and kept on postgres 4: a transaction whose
// connection failed is left to the database, never answered by a ROLLBACK.

import type postgres from "postgres";
import { errorCode, isConnectionFailure } from "./errors.js";

/** A connection a transaction runs on (see transaction()). */
export type Tx = postgres.ReservedSql;

/**
 * Runs `fn` in a transaction on a connection of its own, and commits. Not the
 * driver's sql.begin: when a transaction's connection closes under it (the
 * database stopped or crashed), begin still sends ROLLBACK on it, and
 * postgres.js 3.4.9 then writes to the closed socket from a setImmediate,
 * which throws where nothing can catch it and ends the process
 * (porsager/postgres#1154, #1208). Here a transaction whose connection failed
 * is left alone: the database rolls it back as the session ends, and the
 * driver puts the connection back in its pool once it has closed. Any other
 * failure rolls back and releases the connection. `fn` must only ever wait on
 * `tx` (no timer between statements: the connection could close meanwhile;
 * see work() in statements.ts).
 */
export async function transaction<T>(sql: postgres.Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const tx = await sql.reserve();
  try {
    await tx`BEGIN`;
    const result = await fn(tx);
    await tx`COMMIT`;
    tx.release();
    return result;
  } catch (error) {
    if (isConnectionFailure(errorCode(error))) throw error;
    try {
      await tx`ROLLBACK`;
    } catch (rollback) {
      if (isConnectionFailure(errorCode(rollback))) throw error;
    }
    tx.release();
    throw error;
  }
}
