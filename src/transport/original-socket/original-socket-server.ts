// The original socket protocol's listener: the protocol the Toy Store design
// document's socket clients speak (one message per read, "query: Tux" with no
// line end, answered with no line end), on a port of its own. It accepts
// connections up to the line protocol's limit, gives each an
// OriginalConnection, runs their requests on a worker pool of its own through
// the one StoreService, and shuts down as the line protocol's server does.

import { createServer, type Server, type Socket } from "node:net";
import { WorkerPool } from "../../concurrency/worker-pool.js";
import { clientError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import { resolveOptions } from "../../options/schema.js";
import { encodeError, TOO_MANY_CONNECTIONS_REPLY } from "../../protocol/replies.js";
import type { StoreService } from "../../service/store-service.js";
import type { ConnectionLimits } from "../socket/connection-limits.js";
import { startIdleSweep } from "../socket/idle-sweep.js";
import { refuse } from "../socket/socket-server.js";
import { OriginalConnection, type OriginalConnectionCounters } from "./connection.js";
import { ORIGINAL_SOCKET_OPTIONS, type OriginalSocketOptions } from "./original-socket-options.js";

/** What startOriginalSocketServer takes: the limits (original-socket-options.ts), and where to report. */
export interface OriginalSocketStartOptions extends OriginalSocketOptions {
  /** Records every answered request; absent: nothing is recorded. */
  readonly recorder?: RequestRecorder | undefined;
  /** Told of a bug or a listener failure; default: one line on stderr. */
  readonly onError?: ((message: string, error: unknown) => void) | undefined;
}

/** What the server has refused or cut off since it started. */
export interface OriginalSocketStats {
  /** Connections open now. */
  readonly connections: number;
  /** Connections told "ERR too many connections" (or "ERR shutting down") and closed. */
  readonly refusedConnections: number;
  /** Connections closed after "ERR message too long". */
  readonly messageTooLong: number;
  /** Connections dropped because the client left its answers unread past writeStallTimeoutMs. */
  readonly writeStalls: number;
}

export interface OriginalSocketServerHandle {
  readonly address: { readonly host: string; readonly port: number };
  readonly pool: WorkerPool;
  /** Connections open now. */
  readonly connections: number;
  stats(): OriginalSocketStats;
  /**
   * Stops accepting, stops reading, answers every request already read, closes
   * the connections, and resolves; after `graceMs` (default 10000) the rest
   * are destroyed. Idempotent.
   */
  close(graceMs?: number): Promise<void>;
}

// Connection-level answers, with no line end as every answer of this protocol.
const TOO_MANY_CONNECTIONS = TOO_MANY_CONNECTIONS_REPLY;
const SHUTTING_DOWN = encodeError(clientError("shutting_down", "shutting down"));

/** Starts listening; resolves once bound, with the real address. */
export async function startOriginalSocketServer(
  service: StoreService,
  options: OriginalSocketStartOptions = {},
): Promise<OriginalSocketServerHandle> {
  const o = resolveOptions(ORIGINAL_SOCKET_OPTIONS, options);
  const onError =
    options.onError ??
    ((message: string, error: unknown) => process.stderr.write(`toystore: ${message}: ${String(error)}\n`));
  const pool = new WorkerPool({
    size: o.poolSize,
    maxQueued: o.maxQueued,
    onTaskError: (error) => onError("an original-socket request threw", error),
  });
  const recorder = options.recorder;
  const limits: ConnectionLimits = {
    maxLineBytes: o.maxLineBytes,
    maxInFlight: o.maxInFlightPerConnection,
    maxAdmitted: o.maxAdmittedPerConnection,
    lineTimeoutMs: 0,
    writeStallTimeoutMs: o.writeStallTimeoutMs,
    lingerMs: o.lingerMs,
  };
  const counters: OriginalConnectionCounters = { messageTooLong: 0, writeStalls: 0 };
  let refusedConnections = 0;
  const open = new Set<OriginalConnection>();
  let closing: Promise<void> | undefined;
  let allClosed: (() => void) | undefined;

  const onClosed = (connection: OriginalConnection): void => {
    open.delete(connection);
    if (open.size === 0) allClosed?.();
  };

  // allowHalfOpen: a client may send its message and then FIN (nc -q1); its answer must still go out.
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket: Socket) => {
    if (closing !== undefined || open.size >= o.maxConnections) {
      refusedConnections++;
      refuse(socket, closing !== undefined ? SHUTTING_DOWN : TOO_MANY_CONNECTIONS, o.lingerMs);
      return;
    }
    socket.setNoDelay(true);
    open.add(new OriginalConnection(socket, service, pool, limits, counters, recorder, onClosed));
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
  server.on("error", (error) => onError("original-socket server error", error));
  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : o.port;

  return {
    address: { host: o.host, port },
    pool,
    get connections() {
      return open.size;
    },
    stats: () => ({ connections: open.size, refusedConnections, ...counters }),
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
