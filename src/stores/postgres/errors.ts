// The PostgreSQL store's error classification: which driver and server codes
// mean the database is away, and how a failure reads to a user.

import { StoreError } from "../../errors.js";
import { reason } from "../store-errors.js";

/** SQLSTATE too_many_connections: the server's max_connections is reached. */
export const TOO_MANY_CONNECTIONS = "53300";

/** SQLSTATE read_only_sql_transaction: a write sent to a standby (with several hosts, the primary of before a failover). */
export const READ_ONLY_TRANSACTION = "25006";

/** The driver's code for a statement that waited its queue_timeout for a connection, and was never sent. */
export const QUEUE_TIMEOUT = "QUEUE_TIMEOUT";

/** SQLSTATE unique_violation: here, an idempotency key stored already. */
export const UNIQUE_VIOLATION = "23505";

/** The driver's or the server's code for an error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The driver's (and Node's) codes for a connection that could not be made or was lost. */
const CONNECTION_FAILURES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
]);

/**
 * Whether `code` says the database could not be reached, or went away: a
 * connection failure, SQLSTATE class 08 (connection exception), or the server
 * shutting down, crashed or starting up (57P01, 57P02, 57P03).
 */
export function isConnectionFailure(code: string | undefined): boolean {
  if (code === undefined) return false;
  return CONNECTION_FAILURES.has(code) || code.startsWith("08") || /^57P0[123]$/.test(code);
}

/** The error a request gets while the database cannot be reached. */
export function unreachable(why: string | undefined, cause?: unknown): StoreError {
  return new StoreError(
    "unavailable",
    `store unavailable: cannot reach the database${why === undefined ? "" : `: ${why}`}`,
    cause === undefined ? undefined : { cause },
  );
}

/** The driver's and the server's reasons, in a user's words. */
export function describeConnectFailure(error: unknown): string {
  switch (errorCode(error)) {
    case "ECONNREFUSED":
      return "connection refused (is PostgreSQL running and listening there?)";
    case "ECONNRESET":
      return "connection reset";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "unknown host";
    case "CONNECT_TIMEOUT":
      return "no answer from the server in time";
    case "CONNECTION_CLOSED":
      return "the connection closed";
    case "CONNECTION_DESTROYED":
      return "no host would do (with several hosts: none is the primary, as during a failover)";
    case READ_ONLY_TRANSACTION:
      return "the server is a standby, not the primary (a failover is under way)";
    case "57P01":
      return "the database is shutting down";
    case "57P02":
      return "the database crashed";
    case "57P03":
      return "the database is starting up or shutting down";
    case "28P01":
      return "password authentication failed";
    default:
      return reason(error);
  }
}
