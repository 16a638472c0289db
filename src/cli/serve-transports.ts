// The listeners of `toystore serve`: the transports it can serve, the flags
// of each, and how each one is started on the one StoreService and announced
// with its ready line ("<transport> listening on HOST:PORT", which the tools
// and the cluster primary wait for). serve-command.ts decides what to serve
// and when to stop; this file starts it.

import { formatHostPort } from "../net/host-port.js";
import type { Logger } from "../observability/logger.js";
import type { StoreMetrics } from "../observability/store-metrics.js";
import type { StoreService } from "../service/store-service.js";
import { GRPC_SERVER_OPTIONS } from "../transport/grpc/grpc-options.js";
import { startGrpcServer } from "../transport/grpc/grpc-server.js";
import { HTTP_SERVER_OPTIONS, startHttpServer } from "../transport/http/http-server.js";
import { ORIGINAL_SOCKET_OPTIONS } from "../transport/original-socket/original-socket-options.js";
import { startOriginalSocketServer } from "../transport/original-socket/original-socket-server.js";
import { SOCKET_SERVER_OPTIONS } from "../transport/socket/socket-options.js";
import { startSocketServer } from "../transport/socket/socket-server.js";
import { readFlags } from "./flags.js";
import { listen, type Readiness } from "./serve-setup.js";

/**
 * Every transport `serve` can serve, in the order they start and print their
 * ready lines. original-socket is the Toy Store design document's own socket
 * protocol, on a port of its own (see src/transport/original-socket/).
 */
export const SERVABLE_TRANSPORTS = ["socket", "original-socket", "grpc", "http"] as const;

export type ServedTransport = (typeof SERVABLE_TRANSPORTS)[number];

/** What `serve` serves when --transport is not given. */
export const DEFAULT_TRANSPORTS: readonly ServedTransport[] = ["socket", "grpc", "http"];

/** The transports' option schemas, for `serve`'s flags (a flag two share, --host or --pool-size, is one flag). */
export const TRANSPORT_SCHEMAS = [
  SOCKET_SERVER_OPTIONS,
  ORIGINAL_SOCKET_OPTIONS,
  GRPC_SERVER_OPTIONS,
  HTTP_SERVER_OPTIONS,
] as const;

/** Each transport's options as the command line gave them, read (and checked) before anything starts. */
export function readTransportFlags(given: Readonly<Record<string, unknown>>) {
  return {
    socket: readFlags(SOCKET_SERVER_OPTIONS, given),
    "original-socket": readFlags(ORIGINAL_SOCKET_OPTIONS, given),
    grpc: readFlags(GRPC_SERVER_OPTIONS, given),
    http: readFlags(HTTP_SERVER_OPTIONS, given),
  } satisfies Record<ServedTransport, unknown>;
}

/** What every transport is started with. */
export interface TransportSetup {
  readonly service: StoreService;
  readonly metrics: StoreMetrics | undefined;
  readonly log: Logger;
  readonly flags: ReturnType<typeof readTransportFlags>;
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  readonly adminToken: string | undefined;
}

/** A transport listening: where, how it stops, and whether it says when the server is ready. */
interface Listener {
  readonly address: { readonly host: string; readonly port: number };
  close(graceMs: number): Promise<void>;
  readonly readiness?: Readiness;
}

const STARTERS: { readonly [T in ServedTransport]: (setup: TransportSetup) => Promise<Listener> } = {
  socket: ({ service, metrics, log, flags }) =>
    startSocketServer(service, {
      ...flags.socket,
      metrics,
      onError: (message, error) => log.error({ err: error }, message),
    }),
  "original-socket": async ({ service, metrics, log, flags }) => {
    const server = await startOriginalSocketServer(service, {
      ...flags["original-socket"],
      recorder: metrics?.recorder("original-socket"),
      onError: (message, error) => log.error({ err: error }, message),
    });
    metrics?.watchPool("original-socket", server.pool);
    metrics?.watchConnections("original-socket", () => server.connections);
    return server;
  },
  grpc: async ({ service, metrics, flags, tls }) => {
    const grpc = await startGrpcServer({
      ...flags.grpc,
      service,
      metrics,
      ...(tls === undefined ? {} : { tls }),
    });
    return { address: grpc.address, close: (graceMs) => grpc.close(graceMs), readiness: grpc };
  },
  http: async ({ service, metrics, log, flags, tls, adminToken }) => {
    const http = await startHttpServer({
      ...flags.http,
      service,
      metrics,
      ...(adminToken === undefined ? {} : { adminToken }),
      ...(tls === undefined ? {} : { tls }),
      onAdminRefused: (remote) => log.warn({ remote }, "refused an admin request: no token or a wrong one"),
    });
    return { address: http.address, close: (graceMs) => http.close(graceMs), readiness: http };
  },
};

/**
 * Starts each transport of `served`, in SERVABLE_TRANSPORTS' order, and logs
 * its ready line. Each one started is added to `closers` (and, if it tells
 * readiness, to `readiness`) at once, so that when a later one fails to
 * listen (a CliFailure naming it) the caller can stop those already started.
 */
export async function startTransports(
  served: ReadonlySet<ServedTransport>,
  setup: TransportSetup,
  closers: ((graceMs: number) => Promise<void>)[],
  readiness: Readiness[],
): Promise<void> {
  for (const transport of SERVABLE_TRANSPORTS) {
    if (!served.has(transport)) continue;
    const listener = await listen(transport, () => STARTERS[transport](setup));
    closers.push((graceMs) => listener.close(graceMs));
    if (listener.readiness !== undefined) readiness.push(listener.readiness);
    setup.log.info(
      `${transport} listening on ${formatHostPort(listener.address.host, listener.address.port)}`,
    );
  }
}
