// The HTTP server's options: each limit declared once, with its flag, its
// default and its valid range (see src/options/schema.ts).

import { defaultsOf, integer, MAX_INT32, resolveOptions, type Schema } from "../../options/schema.js";
import { LISTEN_HOST, listenPort } from "../listen-address.js";

export interface ResolvedHttpServerOptions {
  readonly host: string;
  /** Default 8080; 0 picks a free one. */
  readonly port: number;
  /** API requests running at once (the pool's workers). Default 10, as gRPC's. */
  readonly maxConcurrency: number;
  /** API requests waiting for a worker before new ones get 503 with Retry-After. Default 1024. */
  readonly maxQueued: number;
  /** Open connections; beyond, new ones are closed at once. Default 512. */
  readonly maxConnections: number;
  /** Longest request target (path and query), in bytes; longer gets 414. Default 2048. */
  readonly maxUrlBytes: number;
  /** Largest header block, in bytes; larger gets 431 (Node's own limit). Default 8192. */
  readonly maxHeaderBytes: number;
  /** Largest request body, in bytes; larger gets 413. Default 4096. */
  readonly maxBodyBytes: number;
  /** The whole header block must arrive within this long, or the connection closes (slow loris). Default 10000. */
  readonly headersTimeoutMs: number;
  /** The whole request must arrive within this long. Default 30000. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. Default 5000. */
  readonly keepAliveTimeoutMs: number;
  /** Event stream clients at once; beyond, 503. Default 256. */
  readonly maxEventStreams: number;
  /** Bytes an event stream may have unsent before its reader is dropped as too slow. Default 65536. */
  readonly maxEventBacklogBytes: number;
}

export type HttpServerOptions = Partial<ResolvedHttpServerOptions>;

export const HTTP_SERVER_OPTIONS: Schema<ResolvedHttpServerOptions> = {
  host: LISTEN_HOST,
  port: listenPort("--http-port", "HTTP transport", 8080),
  maxConcurrency: integer("--http-max-concurrency", "HTTP API requests running at once", 10, 1, 10_000),
  maxQueued: integer(
    "--http-max-queued",
    "HTTP API requests waiting for a worker; beyond, 503",
    1024,
    0,
    1_000_000,
  ),
  maxConnections: integer("--http-max-connections", "open HTTP connections", 512, 1, 1_000_000),
  maxUrlBytes: integer("--http-max-url-bytes", "longest request target; longer gets 414", 2048, 64, 65_536, {
    hidden: true,
  }),
  maxHeaderBytes: integer(
    "--http-max-header-bytes",
    "largest header block; larger gets 431",
    8192,
    1024,
    65_536,
    {
      hidden: true,
    },
  ),
  maxBodyBytes: integer(
    "--http-max-body-bytes",
    "largest request body; larger gets 413",
    4096,
    16,
    1_048_576,
    {
      hidden: true,
    },
  ),
  headersTimeoutMs: integer("--http-headers-timeout-ms", "time to send the headers", 10_000, 1, MAX_INT32, {
    hidden: true,
  }),
  requestTimeoutMs: integer(
    "--http-request-timeout-ms",
    "time to send a whole request",
    30_000,
    1,
    MAX_INT32,
    {
      hidden: true,
    },
  ),
  keepAliveTimeoutMs: integer(
    "--http-keep-alive-timeout-ms",
    "close an idle keep-alive connection after this long",
    5000,
    1,
    MAX_INT32,
  ),
  maxEventStreams: integer("--http-max-event-streams", "event stream clients at once", 256, 0, 100_000, {
    hidden: true,
  }),
  maxEventBacklogBytes: integer(
    "--http-max-event-backlog-bytes",
    "unsent event bytes before a slow reader is dropped",
    65_536,
    1024,
    MAX_INT32,
    { hidden: true },
  ),
};

export const HTTP_SERVER_DEFAULTS: ResolvedHttpServerOptions = Object.freeze(defaultsOf(HTTP_SERVER_OPTIONS));

export function resolveHttpServerOptions(options: HttpServerOptions = {}): ResolvedHttpServerOptions {
  return resolveOptions(HTTP_SERVER_OPTIONS, options);
}
