// How the PostgreSQL store makes a pool of the driver's connections: the
// timeouts, the reconnection back-off, the session settings, and with several
// hosts, only the primary (target_session_attrs=primary: "read-write" would
// take a standby on PostgreSQL 15, where every write then fails).

import postgres from "postgres";
import { formatPostgresUrl, parsePostgresUrl } from "../store-spec.js";

export type Sql = postgres.Sql;

/** How long the pool's driver tries to make a connection, seconds. */
export const CONNECT_TIMEOUT_S = 10;
/**
 * The same, per host, with several hosts: a host whose link is gone must not
 * hold every new connection that long before the next host is tried.
 */
export const CLUSTER_CONNECT_TIMEOUT_S = 2;
/**
 * A session left idle inside a transaction this long is ended by PostgreSQL
 * itself, rolling the transaction back. Our transactions never wait on the
 * client (work and statements follow each other at once), so only a server
 * cut off from the database mid-transaction (network gone, process frozen)
 * reaches it: without it, that session would keep its row locks (a toy's row,
 * the lock rows, an idempotency key) until TCP gave up on it, and every other
 * server would wait on them. Longer than any --work-ms a lock is held through.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;
/**
 * The driver's wait before it reconnects a connection that failed, seconds:
 * its default grows to 20 s after a few failures, and would hold requests
 * that long once the database is back. The probe already keeps failing
 * requests off a database that is away.
 */
const reconnectDelay = (retries: number): number => Math.min(0.05 * 2 ** Math.min(retries, 4), 0.5);

/** How connectTo makes a pool. */
export interface PoolShape {
  readonly max: number;
  /** Per host tried, seconds. */
  readonly connectTimeoutS: number;
  readonly name: string;
  /** Several hosts: only the primary will do. */
  readonly cluster: boolean;
  /** The longest a statement waits for the driver to make it a connection, seconds; default no limit. */
  readonly queueTimeoutS?: number;
  /**
   * A listening connection (stock-listener.ts): told each notification and
   * each close, and never closed for being idle or old (a close would be a
   * gap to resync).
   */
  readonly listener?: {
    readonly onnotify: (channel: string, payload: string) => void;
    readonly onclose: () => void;
  };
}

/** A pool of `max` connections to `url`, as the store and its probe use them. */
export function connectTo(url: string, shape: PoolShape): Sql {
  return postgres(url, {
    max: shape.max,
    connect_timeout: shape.connectTimeoutS,
    ...(shape.queueTimeoutS === undefined ? {} : { queue_timeout: shape.queueTimeoutS }),
    ...(shape.cluster ? { target_session_attrs: "primary" as const } : {}),
    ...(shape.listener === undefined
      ? {}
      : { ...shape.listener, idle_timeout: null, max_lifetime: null, fetch_types: false }),
    onnotice: () => {},
    // A server that goes away must not leave requests hanging on a dead socket.
    keep_alive: 30,
    backoff: reconnectDelay,
    connection: {
      application_name: shape.name,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
  });
}

/**
 * `url` with its hosts in turn from the `first`th: the driver tries them in
 * order, each up to its connect timeout, so a probe that always began with a
 * host whose link is gone would never reach the others in its own time.
 */
export function rotateHosts(url: string, first: number): string {
  const parsed = parsePostgresUrl(url);
  if (parsed === undefined || parsed.hosts.length < 2 || first % parsed.hosts.length === 0) return url;
  const n = first % parsed.hosts.length;
  return formatPostgresUrl({ ...parsed, hosts: [...parsed.hosts.slice(n), ...parsed.hosts.slice(0, n)] });
}
