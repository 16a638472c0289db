// The socket transport's server: the shared listener (stream-listener.ts:
// connection limit, worker pool, idle sweep, graceful shutdown) giving each
// connection a line protocol Connection, with the line protocol's refusal
// lines, stats and metrics. Its options and their defaults are in socket-options.ts.

import { StoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import type { StoreMetrics } from "../../observability/store-metrics.js";
import { resolveOptions } from "../../options/schema.js";
import { encodeError, TOO_MANY_CONNECTIONS_REPLY } from "../../protocol/replies.js";
import type { StoreService } from "../../service/store-service.js";
import { Connection, type ConnectionCounters, type ConnectionState } from "./connection.js";
import { SOCKET_SERVER_OPTIONS, type SocketServerOptions } from "./socket-options.js";
import { listenForConnections, type StreamServerHandle } from "./stream-listener.js";

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

export type SocketServerHandle = StreamServerHandle<SocketServerStats>;

const TOO_MANY_CONNECTIONS = `${TOO_MANY_CONNECTIONS_REPLY}\n`;
const SHUTTING_DOWN = `${encodeError(new StoreError("shutting_down", "shutting down"))}\n`;

/** Starts listening; resolves once bound, with the real address. */
export async function startSocketServer(
  service: StoreService,
  options: SocketServerStartOptions = {},
): Promise<SocketServerHandle> {
  const o = resolveOptions(SOCKET_SERVER_OPTIONS, options);
  const metrics = options.metrics;
  const recorder = metrics?.recorder("socket");
  const counters: ConnectionCounters = { lineTooLong: 0, lineTimeouts: 0, writeStalls: 0 };
  const server = await listenForConnections(o, {
    onError: options.onError,
    messages: { requestThrew: "a socket request threw", listenerFailed: "socket server error" },
    tooManyConnections: TOO_MANY_CONNECTIONS,
    shuttingDown: SHUTTING_DOWN,
    connect: (socket, pool, limits, onClosed) =>
      recorder === undefined
        ? new Connection(socket, service, pool, limits, counters, onClosed)
        : new RecordedConnection(recorder, socket, service, pool, limits, counters, onClosed),
    stats: (open, refusedConnections): SocketServerStats => {
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
  });
  if (metrics !== undefined) {
    metrics.watchPool("socket", server.pool);
    metrics.watchConnections("socket", () => server.connections);
  }
  return server;
}
