// The socket transport's listener: accepts connections up to a limit, gives
// each a Connection, shares one worker pool between them, and shuts down
// gracefully. Its options and their defaults are in socket-options.ts.

import { createServer, type Server, type Socket } from "node:net";
import { WorkerPool } from "../../concurrency/worker-pool.js";
import { StoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import type { StoreMetrics } from "../../observability/store-metrics.js";
import { resolveOptions } from "../../options/schema.js";
import { encodeError, TOO_MANY_CONNECTIONS_REPLY } from "../../protocol/replies.js";
import type { StoreService } from "../../service/store-service.js";
import { Connection, type ConnectionCounters, type ConnectionState } from "./connection.js";
import { startIdleSweep } from "./idle-sweep.js";
import { SOCKET_SERVER_OPTIONS, type SocketServerOptions } from "./socket-options.js";

export { SOCKET_SERVER_DEFAULTS, SOCKET_SERVER_OPTIONS, type SocketServerOptions } from "./socket-options.js";

/** What startSocketServer takes: the limits (socket-options.ts), and where to report what it serves. */
export interface SocketServerStartOptions extends SocketServerOptions {
  /**
   * Records every answered request (op, outcome, latency) and watches the
   * pool and the open connections, as transport "socket". Absent: nothing is
   * recorded, and a request costs one check more than without metrics.
   */
  readonly metrics?: StoreMetrics | undefined;
  /** Told of a bug or a listener failure (a task that threw, an accept error); default: one line on stderr. */
  readonly onError?: ((message: string, error: unknown) => void) | undefined;
}

/**
 * A connection whose slots record their answers: the SlotOwner's recorder.
 * Only servers with metrics make these, so a server without them keeps
 * plain Connections, on which a slot finds no recorder.
 */
class RecordedConnection extends Connection {
  readonly recorder: RequestRecorder;

  constructor(recorder: RequestRecorder, ...args: ConstructorParameters<typeof Connection>) {
    super(...args);
    this.recorder = recorder;
  }
}

/** What the server has refused or cut off since it started, and what its connections hold now. */
export interface SocketServerStats {
  /** Connections open now. */
  readonly connections: number;
  /** Connections told "ERR too many connections" (or "ERR shutting down") and closed. */
  readonly refusedConnections: number;
  /** Connections closed after "ERR line too long". */
  readonly lineTooLong: number;
  /** Connections closed after "ERR line timeout". */
  readonly lineTimeouts: number;
  /** Connections dropped because the client left its replies unread past writeStallTimeoutMs. */
  readonly writeStalls: number;
  /** Requests read and unanswered, over all connections. */
  readonly inFlight: number;
  /** Reply bytes waiting for the kernel, over all connections. */
  readonly bufferedOutBytes: number;
  /** Input bytes held (unfinished lines, undecoded backlog), over all connections. */
  readonly bufferedInBytes: number;
  /** The largest of the three above on any one connection: what a single client makes the server hold. */
  readonly maxPerConnection: ConnectionState;
}

export interface SocketServerHandle {
  readonly address: { readonly host: string; readonly port: number };
  readonly pool: WorkerPool;
  /** Connections open now. */
  readonly connections: number;
  /** Counters and what the connections hold now (walks the connections: for tests and tools, not per request). */
  stats(): SocketServerStats;
  /**
   * Stops accepting, stops reading, answers every request already read, closes
   * the connections, and resolves. After `graceMs` (default 10000) the
   * remaining connections are destroyed. Idempotent.
   */
  close(graceMs?: number): Promise<void>;
}

const TOO_MANY_CONNECTIONS = `${TOO_MANY_CONNECTIONS_REPLY}\n`;
const SHUTTING_DOWN = `${encodeError(new StoreError("shutting_down", "shutting down"))}\n`;

/** Starts listening; resolves once bound, with the real address. */
export async function startSocketServer(
  service: StoreService,
  options: SocketServerStartOptions = {},
): Promise<SocketServerHandle> {
  const o = resolveOptions(SOCKET_SERVER_OPTIONS, options);
  const onError =
    options.onError ??
    ((message: string, error: unknown) => process.stderr.write(`toystore: ${message}: ${String(error)}\n`));
  const pool = new WorkerPool({
    size: o.poolSize,
    maxQueued: o.maxQueued,
    onTaskError: (error) => onError("a socket request threw", error),
  });
  const metrics = options.metrics;
  const recorder = metrics?.recorder("socket");
  const limits = {
    maxLineBytes: o.maxLineBytes,
    maxInFlight: o.maxInFlightPerConnection,
    maxAdmitted: o.maxAdmittedPerConnection,
    lineTimeoutMs: o.lineTimeoutMs,
    writeStallTimeoutMs: o.writeStallTimeoutMs,
    lingerMs: o.lingerMs,
  };
  const counters: ConnectionCounters = { lineTooLong: 0, lineTimeouts: 0, writeStalls: 0 };
  let refusedConnections = 0;
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
      refusedConnections++;
      refuse(socket, closing !== undefined ? SHUTTING_DOWN : TOO_MANY_CONNECTIONS, o.lingerMs);
      return;
    }
    socket.setNoDelay(true);
    const connection =
      recorder === undefined
        ? new Connection(socket, service, pool, limits, counters, onClosed)
        : new RecordedConnection(recorder, socket, service, pool, limits, counters, onClosed);
    open.add(connection);
  });
  const stopSweep = o.idleTimeoutMs > 0 ? startIdleSweep(open, o.idleTimeoutMs) : () => {};

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => onError("socket server error", error));
  if (metrics !== undefined) {
    metrics.watchPool("socket", pool);
    metrics.watchConnections("socket", () => open.size);
  }
  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : o.port;

  return {
    address: { host: o.host, port },
    pool,
    get connections() {
      return open.size;
    },
    stats(): SocketServerStats {
      let inFlight = 0;
      let bufferedOutBytes = 0;
      let bufferedInBytes = 0;
      const max = { inFlight: 0, bufferedOutBytes: 0, bufferedInBytes: 0 };
      for (const connection of open) {
        const state = connection.state;
        inFlight += state.inFlight;
        bufferedOutBytes += state.bufferedOutBytes;
        bufferedInBytes += state.bufferedInBytes;
        max.inFlight = Math.max(max.inFlight, state.inFlight);
        max.bufferedOutBytes = Math.max(max.bufferedOutBytes, state.bufferedOutBytes);
        max.bufferedInBytes = Math.max(max.bufferedInBytes, state.bufferedInBytes);
      }
      return {
        connections: open.size,
        refusedConnections,
        ...counters,
        inFlight,
        bufferedOutBytes,
        bufferedInBytes,
        maxPerConnection: max,
      };
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
 * a client that neither reads nor closes must not hold a descriptor. Shared
 * with the original socket protocol's listener.
 */
export function refuse(socket: Socket, line: string, lingerMs: number): void {
  socket.on("error", () => {});
  socket.resume();
  socket.end(line);
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}
