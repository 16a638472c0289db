// The socket server's options: each limit declared once, with its flag, its
// default and its valid range (see src/options/schema.ts). Every limit has a
// default that keeps a small machine safe from a hostile or broken client;
// Connection explains what each one bounds.

import { WORKER_POOL_DEFAULTS } from "../../concurrency/worker-pool.js";
import { defaultsOf, integer, MAX_INT32, type Schema } from "../../options/schema.js";
import { DEFAULT_MAX_LINE_BYTES } from "../../protocol/line-decoder.js";
import { LISTEN_HOST, listenPort } from "../listen-address.js";

export interface ResolvedSocketServerOptions {
  /** Interface to listen on. Default 127.0.0.1 (loopback only). */
  readonly host: string;
  /** TCP port; 0 picks a free one. Default 7070. */
  readonly port: number;
  /** Workers running requests at once, shared by all connections. Default 5, as in the original design. */
  readonly poolSize: number;
  /** Requests waiting for a worker before new ones get "ERR busy". Default 1024. */
  readonly maxQueued: number;
  /** Open connections; one more is told "ERR too many connections" and closed. Default 512. */
  readonly maxConnections: number;
  /** Longest request line in bytes; a longer one gets "ERR line too long" and the connection closes. Default 1024. */
  readonly maxLineBytes: number;
  /** A connection with nothing in flight and no input for this long is closed. 0: never. Default 300000 (5 min). */
  readonly idleTimeoutMs: number;
  /** Requests read and unanswered per connection before the server stops reading from it (bounds its memory). Default 64. */
  readonly maxInFlightPerConnection: number;
  /**
   * Requests of one connection in the worker pool at once (running or queued);
   * its other requests wait in the connection, so a pipelining client holds a
   * bounded share of the shared queue and clients that send one request at a
   * time do not wait behind its whole pipeline. Keep it at least poolSize, so
   * that one pipelining client alone still keeps every worker busy. Default 8.
   */
  readonly maxAdmittedPerConnection: number;
  /** A request line started must end within this long, or "ERR line timeout" and the connection closes (slow loris). 0: never. Default 10000. */
  readonly lineTimeoutMs: number;
  /** A client that leaves its replies unread this long, with the server's buffer for it full, is disconnected. 0: never. Default 30000. */
  readonly writeStallTimeoutMs: number;
  /** After its last line to a closing connection, the server drains and drops its input at most this long, then closes it. Default 2000. */
  readonly lingerMs: number;
}

export type SocketServerOptions = Partial<ResolvedSocketServerOptions>;

const MILLION = 1_000_000;

export const SOCKET_SERVER_OPTIONS: Schema<ResolvedSocketServerOptions> = {
  host: LISTEN_HOST,
  port: listenPort("--socket-port", "socket transport", 7070),
  poolSize: integer(
    "--pool-size",
    "socket workers running requests at once",
    WORKER_POOL_DEFAULTS.size,
    1,
    10_000,
  ),
  maxQueued: integer(
    "--max-queued",
    "requests waiting for a worker before new ones get a busy error",
    WORKER_POOL_DEFAULTS.maxQueued,
    0,
    MILLION,
  ),
  maxConnections: integer("--max-connections", "open socket connections; more are refused", 512, 1, MILLION),
  maxLineBytes: integer(
    "--max-line-bytes",
    "longest request line; a longer one closes the connection",
    DEFAULT_MAX_LINE_BYTES,
    16,
    1_048_576,
  ),
  idleTimeoutMs: integer(
    "--idle-timeout-ms",
    "close a socket connection idle this long (0: never)",
    300_000,
    0,
    MAX_INT32,
  ),
  maxInFlightPerConnection: integer(
    "--max-in-flight-per-connection",
    "socket requests read and not yet answered on one connection before the server stops reading it",
    64,
    1,
    MILLION,
  ),
  maxAdmittedPerConnection: integer(
    "--max-admitted-per-connection",
    "socket requests of one connection in the worker pool at once; keep it >= --pool-size",
    8,
    1,
    MILLION,
  ),
  lineTimeoutMs: integer(
    "--line-timeout-ms",
    "a started socket request line must end within this long, or ERR line timeout and close (0: never)",
    10_000,
    0,
    MAX_INT32,
  ),
  writeStallTimeoutMs: integer(
    "--write-stall-timeout-ms",
    "disconnect a socket client that leaves its replies unread this long (0: never)",
    30_000,
    0,
    MAX_INT32,
  ),
  lingerMs: integer(
    "--linger-ms",
    "after its last line to a closing connection, drain its input this long before closing",
    2_000,
    0,
    MAX_INT32,
    { hidden: true },
  ),
};

export const SOCKET_SERVER_DEFAULTS: ResolvedSocketServerOptions = Object.freeze(
  defaultsOf(SOCKET_SERVER_OPTIONS),
);
