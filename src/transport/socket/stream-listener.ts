// The listener both socket protocols share: accepts connections up to a
// limit and refuses the rest with one line, gives each accepted socket the
// protocol's connection (a StreamConnection), runs their requests on one
// worker pool, closes idle connections, and shuts down gracefully. What is
// the protocol's own (its connection, its refusal lines, its stats and
// metrics) the caller gives or adds: socket-server.ts, original-socket-server.ts.

import { createServer, type Server, type Socket } from "node:net";
import { WorkerPool } from "../../concurrency/worker-pool.js";
import type { ConnectionLimits } from "./connection-limits.js";
import { startIdleSweep } from "./idle-sweep.js";
import type { ResolvedSocketServerOptions } from "./socket-options.js";
import type { StreamConnection } from "./stream-connection.js";

/** The listener's options: the line protocol's, the line timeout optional (absent: none). */
export type StreamListenerOptions = Omit<ResolvedSocketServerOptions, "lineTimeoutMs"> & {
  readonly lineTimeoutMs?: number;
};

/** What listenForConnections takes, besides the options: the protocol's own parts. */
export interface StreamListenerSetup<Stats> {
  /** Told of a bug or a listener failure; default: one line on stderr. */
  readonly onError?: ((message: string, error: unknown) => void) | undefined;
  /** What onError is told when a request threw (a bug), and when the listener failed. */
  readonly messages: { readonly requestThrew: string; readonly listenerFailed: string };
  /** The one line (with its line end, if the protocol has one) a connection over maxConnections is told. */
  readonly tooManyConnections: string;
  /** The one line a connection that arrives during shutdown is told. */
  readonly shuttingDown: string;
  /** The protocol's connection on an accepted socket; it calls `onClosed` once its socket has closed. */
  connect(
    socket: Socket,
    pool: WorkerPool,
    limits: ConnectionLimits,
    onClosed: (connection: StreamConnection) => void,
  ): StreamConnection;
  /** The protocol's stats, from the connections open now and how many were refused since the start. */
  stats(open: ReadonlySet<StreamConnection>, refusedConnections: number): Stats;
}

/** A socket protocol's server, bound. */
export interface StreamServerHandle<Stats> {
  readonly address: { readonly host: string; readonly port: number };
  readonly pool: WorkerPool;
  /** Connections open now. */
  readonly connections: number;
  /** Counters and what the connections hold now (may walk the connections: for tests and tools, not per request). */
  stats(): Stats;
  /**
   * Stops accepting, stops reading, answers every request already read, closes
   * the connections, and resolves. After `graceMs` (default 10000) the
   * remaining connections are destroyed. Idempotent.
   */
  close(graceMs?: number): Promise<void>;
}

/** Starts listening; resolves once bound, with the real address. */
export async function listenForConnections<Stats>(
  o: StreamListenerOptions,
  setup: StreamListenerSetup<Stats>,
): Promise<StreamServerHandle<Stats>> {
  const onError =
    setup.onError ??
    ((message: string, error: unknown) => process.stderr.write(`toystore: ${message}: ${String(error)}\n`));
  const pool = new WorkerPool({
    size: o.poolSize,
    maxQueued: o.maxQueued,
    onTaskError: (error) => onError(setup.messages.requestThrew, error),
  });
  const limits: ConnectionLimits = {
    maxLineBytes: o.maxLineBytes,
    maxInFlight: o.maxInFlightPerConnection,
    maxAdmitted: o.maxAdmittedPerConnection,
    lineTimeoutMs: o.lineTimeoutMs ?? 0,
    writeStallTimeoutMs: o.writeStallTimeoutMs,
    lingerMs: o.lingerMs,
  };
  let refusedConnections = 0;
  const open = new Set<StreamConnection>();
  let closing: Promise<void> | undefined;
  let allClosed: (() => void) | undefined;

  const onClosed = (connection: StreamConnection): void => {
    open.delete(connection);
    if (open.size === 0) allClosed?.();
  };

  // allowHalfOpen: a client may send its requests and then FIN (as `nc -q1`
  // does); its replies must still go out before the server ends the socket.
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket: Socket) => {
    if (closing !== undefined || open.size >= o.maxConnections) {
      refusedConnections++;
      refuse(socket, closing !== undefined ? setup.shuttingDown : setup.tooManyConnections, o.lingerMs);
      return;
    }
    socket.setNoDelay(true);
    open.add(setup.connect(socket, pool, limits, onClosed));
  });
  const stopSweep = o.idleTimeoutMs > 0 ? startIdleSweep(open, o.idleTimeoutMs) : () => {};

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: unknown) => {
    stopSweep();
    throw error;
  });
  server.on("error", (error) => onError(setup.messages.listenerFailed, error));
  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : o.port;

  return {
    address: { host: o.host, port },
    pool,
    get connections() {
      return open.size;
    },
    stats: () => setup.stats(open, refusedConnections),
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
        stopSweep();
        await stopped;
        await pool.close();
      })();
      return closing;
    },
  };
}

/**
 * Sends a refused connection its one line and closes it. Its input is read
 * and dropped meanwhile (a reset would lose the line), for at most `lingerMs`:
 * a client that neither reads nor closes must not hold a descriptor.
 */
function refuse(socket: Socket, line: string, lingerMs: number): void {
  socket.on("error", () => {});
  socket.resume();
  socket.end(line);
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}
