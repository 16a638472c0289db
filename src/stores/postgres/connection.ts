// The PostgreSQL store's connections: the pool and its options, the gate every
// statement waits at for a free connection, the health probe on a connection
// of its own, and the pool's renewal when the database comes back.
//
// Every statement first passes a gate (src/concurrency/gate.ts) with one
// permit per connection: a request waits for a free connection in arrival
// order, at most --db-wait-ms, and then fails "unavailable" instead of waiting
// on in the driver. A probe checks every 500 ms that the database answers;
// while it does not, requests fail "unavailable" at once, and the server
// reports NOT_SERVING (gRPC health) and 503 (/readyz).
//
// A URL with several hosts names a cluster with standbys (one primary, whose
// role moves in a failover): every connection, the probe's too, is made to
// whichever host is the primary (target_session_attrs=primary; "read-write"
// would take a standby on PostgreSQL 15, where every write then fails), and
// the servers follow it through a failover with no restart. While no host is
// the primary the probe fails, and requests fail "unavailable" at once.

import { Gate, GateRefusal } from "../../concurrency/gate.js";
import { StoreError } from "../../errors.js";
import { integer, MAX_INT32, type Schema } from "../../options/schema.js";
import { parsePostgresUrl } from "../store-spec.js";
import {
  describeConnectFailure,
  errorCode,
  isConnectionFailure,
  QUEUE_TIMEOUT,
  READ_ONLY_TRANSACTION,
  TOO_MANY_CONNECTIONS,
  unreachable,
} from "./errors.js";
import { HealthProbe } from "./health-probe.js";
import { CLUSTER_CONNECT_TIMEOUT_S, CONNECT_TIMEOUT_S, connectTo, rotateHosts, type Sql } from "./pool.js";

export type { Sql } from "./pool.js";

/** The database connections of one server process, and how long a request may wait for one. */
export interface PostgresPoolOptions {
  /** Connections this process opens at most (each --workers worker has its own). Default 16. */
  readonly pool: number;
  /** The longest a request waits for a free connection before it fails "unavailable", ms. Default 2000. */
  readonly waitMs: number;
}

export const POSTGRES_POOL_OPTIONS: Schema<PostgresPoolOptions> = {
  pool: integer(
    "--db-pool",
    "PostgreSQL connections per server process (with --workers N, each worker opens its own pool of this many; the database must allow them all, plus one health-check connection per process); postgres:// stores only",
    16,
    1,
    10_000,
  ),
  waitMs: integer(
    "--db-wait-ms",
    "the longest a request waits for a free database connection before it fails unavailable, ms; postgres:// stores only",
    2000,
    0,
    MAX_INT32,
  ),
};

/**
 * Requests waiting for a connection at once; one more fails at once. The
 * transports' own limits keep far fewer in flight; this only bounds memory.
 */
const MAX_WAITING = 4096;
/** Between the end of one health check and the next. */
const PROBE_INTERVAL_MS = 500;
/** A health check that takes longer fails: the database is unreachable. */
const PROBE_TIMEOUT_MS = 1000;

export class PostgresConnections {
  /** The pool; replaced by a new one when the database comes back (see #renewPool). */
  #sql: Sql;
  readonly #url: string;
  /** The URL's hosts in turn, the probe's from the next one after each failure (a host can be unreachable). */
  readonly #hosts: number;
  #probeFirst = 0;
  readonly #poolSize: number;
  readonly #waitMs: number;
  #renewedAt = 0;
  readonly #gate: Gate;
  readonly #probe: HealthProbe;
  /** The probe's own connection (max 1), so that busy connections never look like a database away. */
  #probeSql: Sql | undefined;
  #closed = false;
  /** Told each change of `healthy`, with why when it turned false. */
  onHealth: ((healthy: boolean, reason: string | undefined) => void) | undefined;

  /** A pool of `options.pool` connections to `url` (made as statements need them); no check runs before startProbe(). */
  constructor(url: string, options: PostgresPoolOptions) {
    this.#url = url;
    this.#hosts = parsePostgresUrl(url)?.hosts.length ?? 1;
    this.#poolSize = options.pool;
    this.#waitMs = options.waitMs;
    this.#sql = this.#connect();
    this.#gate = new Gate({ permits: options.pool, maxWaiting: MAX_WAITING, waitMs: options.waitMs });
    this.#probe = new HealthProbe({
      check: () => this.#check(),
      // A check stuck on a dead socket: drop its connection, the next check makes a new one.
      onTimeout: () => this.#dropProbeConnection(),
      describe: describeConnectFailure,
      onChange: (healthy, why) => {
        // Those waiting for a connection would only wait out --db-wait-ms for nothing.
        if (!healthy) this.#gate.refuseWaiting(unreachable(why));
        else this.#renewPool();
        this.onHealth?.(healthy, why);
      },
      intervalMs: PROBE_INTERVAL_MS,
      timeoutMs: PROBE_TIMEOUT_MS,
    });
  }

  /** The pool itself, for what runs before the store serves (creating the schema), past the gate. */
  get sql(): Sql {
    return this.#sql;
  }

  /** Whether the database answered the last health check. */
  get healthy(): boolean {
    return this.#probe.healthy;
  }

  /** Checks now (making the probe's connection while the database has room for it), then every 500 ms. */
  async startProbe(): Promise<void> {
    this.#probe.start();
    await this.#probe.checkNow();
  }

  /**
   * Runs `statement` on a connection of the pool: at once while the database
   * is away, else once a connection is free (at most --db-wait-ms later); its
   * failures as a client should see them. Every statement of the store goes
   * through here.
   */
  run<T>(statement: (sql: Sql) => PromiseLike<T>): Promise<T> {
    if (!this.#probe.healthy) return Promise.reject(unreachable(this.#probe.reason));
    return this.#gate
      .run(() => statement(this.#sql))
      .catch((error: unknown) => {
        throw this.#failure(error);
      });
  }

  /** Stops the probe and the gate, then ends every connection (statements running get 5 s). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#probe.close();
    this.#gate.close();
    const probe = this.#probeSql;
    this.#probeSql = undefined;
    await Promise.all([this.#sql.end({ timeout: 5 }), probe?.end({ timeout: 1 })]);
  }

  /** One health check: on the probe's own connection, SELECT 1, or with several hosts, that it reached the primary. */
  async #check(): Promise<void> {
    this.#probeSql ??= connectTo(rotateHosts(this.#url, this.#probeFirst), {
      max: 1,
      connectTimeoutS: PROBE_TIMEOUT_MS / 1000,
      name: "toystore health check",
      cluster: this.#hosts > 1,
    });
    const sql = this.#probeSql;
    try {
      if (this.#hosts === 1) await sql`SELECT 1`;
      else {
        const [row] = await sql<{ standby: boolean }[]>`SELECT pg_is_in_recovery() AS standby`;
        if (row?.standby !== false)
          throw Object.assign(new Error("read-only"), { code: READ_ONLY_TRANSACTION });
      }
    } catch (error) {
      // Full is not away: the database answers, and the connections already open still serve.
      if (errorCode(error) === TOO_MANY_CONNECTIONS) return;
      // The next check starts from a new connection (see #renewPool for why not this one).
      if (this.#probeSql === sql) this.#dropProbeConnection();
      this.#probeFirst = (this.#probeFirst + 1) % this.#hosts;
      throw error;
    }
  }

  /**
   * Replaces the pool with a new one; the old one ends once its statements
   * have (at most 5 s). Done when the database is back after an outage, and
   * when a connection cannot be made while the database answers: no
   * connection of the pool from before is trusted (after a failover or a
   * pulled link one may sit on a socket nobody answers until TCP gives up,
   * and postgres.js 3 could leave one unable to connect again). At most once
   * a second.
   */
  #renewPool(): void {
    const now = performance.now();
    if (now - this.#renewedAt < 1000 || this.#closed) return;
    this.#renewedAt = now;
    const old = this.#sql;
    this.#sql = this.#connect();
    void old.end({ timeout: 5 }).catch(() => {});
  }

  /** A new pool, as the store uses it. */
  #connect(): Sql {
    const cluster = this.#hosts > 1;
    return connectTo(this.#url, {
      max: this.#poolSize,
      connectTimeoutS: cluster ? CLUSTER_CONNECT_TIMEOUT_S : CONNECT_TIMEOUT_S,
      name: "toystore",
      cluster,
      // With several hosts, a connection can take a connect timeout per host whose link is gone: a
      // statement that got a permit but no connection within --db-wait-ms was never sent, so it fails.
      ...(cluster ? { queueTimeoutS: Math.max(this.#waitMs, 100) / 1000 } : {}),
    });
  }

  #dropProbeConnection(): void {
    const sql = this.#probeSql;
    this.#probeSql = undefined;
    void sql?.end({ timeout: 0 }).catch(() => {});
  }

  /** A StoreError for what went wrong, when it is about the connections; anything else as it is. */
  #failure(error: unknown): unknown {
    if (error instanceof StoreError) return error;
    if (error instanceof GateRefusal) {
      const n = this.#gate.permits;
      if (error.kind === "timeout")
        return new StoreError(
          "unavailable",
          `store unavailable: all ${n} database connections busy for ${this.#gate.waitMs} ms`,
        );
      if (error.kind === "full")
        return new StoreError(
          "unavailable",
          `store unavailable: all ${n} database connections busy and ${this.#gate.maxWaiting} requests already waiting`,
        );
      return new StoreError("unavailable", "store unavailable: the store is closed");
    }
    const code = errorCode(error);
    if (code === TOO_MANY_CONNECTIONS)
      return new StoreError(
        "unavailable",
        "store unavailable: the database refuses more connections (too many connections: raise its max_connections, or lower --db-pool or --workers)",
        { cause: error },
      );
    if (code === QUEUE_TIMEOUT) {
      void this.#probe.checkNow();
      return unreachable(`no connection to the database could be made within ${this.#waitMs} ms`, error);
    }
    // A standby (the primary of before a failover): the pool's connections are not to be trusted.
    if (code === READ_ONLY_TRANSACTION && this.#hosts > 1) {
      void this.#probe.checkNow().then(() => this.#renewPool());
      return unreachable(describeConnectFailure(error), error);
    }
    if (isConnectionFailure(code)) {
      // Is it away? The probe finds out now, rather than at its next round.
      const checked = this.#probe.checkNow();
      // Cannot connect, yet the database answers the probe: the pool's connection is broken.
      if (code === "CONNECT_TIMEOUT")
        void checked.then(() => {
          if (this.#probe.healthy) this.#renewPool();
        });
      return unreachable(describeConnectFailure(error), error);
    }
    return error;
  }
}
