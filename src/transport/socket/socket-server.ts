// The socket transport's listener: accepts connections up to a limit, gives
// each a Connection, shares one worker pool between them, and shuts down
// gracefully.

import { createServer, type Server, type Socket } from "node:net";
import { WORKER_POOL_DEFAULTS, WorkerPool } from "../../concurrency/worker-pool.js";
import { DEFAULT_MAX_LINE_BYTES } from "../../protocol/line-decoder.js";
import type { StoreService } from "../../service/store-service.js";
import { Connection } from "./connection.js";

export interface SocketServerOptions {
  /** Interface to listen on. Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** TCP port; 0 picks a free one. Default 7070. */
  readonly port?: number;
  /** Workers running requests at once, shared by all connections. Default 5. */
  readonly poolSize?: number;
  /** Requests waiting for a worker before new ones get "ERR busy". Default 1024. */
  readonly maxQueued?: number;
  /** Open connections; one more is told "ERR too many connections" and closed. Default 1024. */
  readonly maxConnections?: number;
  /** Longest request line in bytes; a longer one gets "ERR line too long" and the connection closes. Default 1024. */
  readonly maxLineBytes?: number;
  /** A connection with nothing in flight and no input for this long is closed. Default 300000 (5 min). */
  readonly idleTimeoutMs?: number;
  /** Unanswered requests per connection before the server stops reading from it. Default 1024. */
  readonly maxInFlightPerConnection?: number;
}

export const SOCKET_SERVER_DEFAULTS = {
  host: "127.0.0.1",
  port: 7070,
  poolSize: WORKER_POOL_DEFAULTS.size,
  maxQueued: WORKER_POOL_DEFAULTS.maxQueued,
  maxConnections: 1024,
  maxLineBytes: DEFAULT_MAX_LINE_BYTES,
  idleTimeoutMs: 300_000,
  maxInFlightPerConnection: 1024,
} as const satisfies Required<SocketServerOptions>;

export interface SocketServerHandle {
  readonly address: { readonly host: string; readonly port: number };
  readonly pool: WorkerPool;
  /** Connections open now. */
  readonly connections: number;
  /**
   * Stops accepting, stops reading, answers every request already read, closes
   * the connections, and resolves. After `graceMs` (default 10000) the
   * remaining connections are destroyed. Idempotent.
   */
  close(graceMs?: number): Promise<void>;
}

const TOO_MANY_CONNECTIONS = "ERR too many connections\n";

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`socket server: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** Starts listening; resolves once bound, with the real address. */
export async function startSocketServer(
  service: StoreService,
  options: SocketServerOptions = {},
): Promise<SocketServerHandle> {
  const o = { ...SOCKET_SERVER_DEFAULTS, ...stripUndefined(options) };
  checkInteger("port", o.port, 0);
  if (o.port > 65535) throw new RangeError(`socket server: port must be <= 65535, got ${o.port}`);
  checkInteger("maxConnections", o.maxConnections, 1);
  checkInteger("maxLineBytes", o.maxLineBytes, 16);
  checkInteger("idleTimeoutMs", o.idleTimeoutMs, 0);
  checkInteger("maxInFlightPerConnection", o.maxInFlightPerConnection, 1);
  const pool = new WorkerPool({ size: o.poolSize, maxQueued: o.maxQueued });
  const limits = { maxLineBytes: o.maxLineBytes, maxInFlight: o.maxInFlightPerConnection };
  const open = new Set<Connection>();
  let closing: Promise<void> | undefined;
  let allClosed: (() => void) | undefined;

  const onClosed = (connection: Connection): void => {
    open.delete(connection);
    if (open.size === 0) allClosed?.();
  };

  // allowHalfOpen: a client may send its requests and then FIN (as `nc -q1`
  // does); its replies must still go out before the server ends the socket.
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket: Socket) => {
    if (closing !== undefined || open.size >= o.maxConnections) {
      socket.on("error", () => {});
      socket.end(closing !== undefined ? "ERR shutting down\n" : TOO_MANY_CONNECTIONS);
      return;
    }
    socket.setNoDelay(true);
    const connection = new Connection(socket, service, pool, limits, onClosed);
    open.add(connection);
    if (o.idleTimeoutMs > 0) {
      socket.setTimeout(o.idleTimeoutMs, () => {
        // Requests still running (long simulated work) are not idleness.
        if (connection.inFlight === 0) connection.beginEnd();
      });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => console.error("socket server error:", error));
  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : o.port;

  return {
    address: { host: o.host, port },
    pool,
    get connections() {
      return open.size;
    },
    close(graceMs = 10_000): Promise<void> {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        const drained = new Promise<void>((resolve) => {
          allClosed = resolve;
          if (open.size === 0) resolve();
        });
        for (const connection of open) connection.beginEnd();
        const timer = setTimeout(() => {
          for (const connection of open) connection.destroy();
        }, graceMs);
        await drained;
        clearTimeout(timer);
        await stopped;
        await pool.close();
      })();
      return closing;
    },
  };
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
