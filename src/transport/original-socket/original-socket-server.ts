// The original socket protocol's listener: the protocol the Toy Store design
// document's socket clients speak (one message per read, "query: Tux" with no
// line end, answered with no line end), on a port of its own. It accepts
// connections up to the line protocol's limit, gives each an
// OriginalConnection, runs their requests on a worker pool of its own through
// the one StoreService, and shuts down as the line protocol's server does: the
// listener is the one both socket protocols share (stream-listener.ts).

import { clientError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import { resolveOptions } from "../../options/schema.js";
import { encodeError, TOO_MANY_CONNECTIONS_REPLY } from "../../protocol/replies.js";
import type { StoreService } from "../../service/store-service.js";
import { listenForConnections, type StreamServerHandle } from "../socket/stream-listener.js";
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

export type OriginalSocketServerHandle = StreamServerHandle<OriginalSocketStats>;

// Connection-level answers, with no line end as every answer of this protocol.
const TOO_MANY_CONNECTIONS = TOO_MANY_CONNECTIONS_REPLY;
const SHUTTING_DOWN = encodeError(clientError("shutting_down", "shutting down"));

/** Starts listening; resolves once bound, with the real address. */
export async function startOriginalSocketServer(
  service: StoreService,
  options: OriginalSocketStartOptions = {},
): Promise<OriginalSocketServerHandle> {
  const o = resolveOptions(ORIGINAL_SOCKET_OPTIONS, options);
  const recorder = options.recorder;
  const counters: OriginalConnectionCounters = { messageTooLong: 0, writeStalls: 0 };
  // No line timeout (o has none): this framing never holds an unfinished message.
  return listenForConnections(o, {
    onError: options.onError,
    messages: {
      requestThrew: "an original-socket request threw",
      listenerFailed: "original-socket server error",
    },
    tooManyConnections: TOO_MANY_CONNECTIONS,
    shuttingDown: SHUTTING_DOWN,
    connect: (socket, pool, limits, onClosed) =>
      new OriginalConnection(socket, service, pool, limits, counters, recorder, onClosed),
    stats: (open, refusedConnections) => ({ connections: open.size, refusedConnections, ...counters }),
  });
}
