// Opens a StoreClient for a transport: the one factory the CLI, the load
// generator and the tests use.

import { StoreError } from "../errors.js";
import { FailoverClient } from "./failover-client.js";
import { connectGrpcClient } from "./grpc-client.js";
import { connectHttpClient } from "./http-client.js";
import { OriginalSocketStoreClient } from "./original-socket-client.js";
import { SocketStoreClient } from "./socket-client.js";
import type { StoreClient, Transport } from "./store-client.js";
import type { Endpoint } from "./target.js";

export interface ConnectOptions {
  readonly transport: Transport;
  readonly host?: string;
  readonly port: number;
  /** Give up connecting after this long. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Several servers of one store: the client fails over between them (see failover-client.ts). */
  readonly servers?: readonly Endpoint[];
  /** With `servers`: how long a request may hear nothing before it goes to the next server, ms. */
  readonly failoverMs?: number;
  /** With `servers`: which one to use first (modulo their number); a load run passes each client's number. */
  readonly first?: number;
}

/**
 * Each call opens its own connection; rejects with a StoreError "unavailable"
 * if it cannot (the original socket protocol's client opens one per request,
 * so there it is the first request that finds the server missing). With
 * `servers`, a FailoverClient over them (not for original-socket: bad_request).
 */
export async function connect(options: ConnectOptions): Promise<StoreClient> {
  if (options.servers !== undefined) {
    // checkTarget refuses it: the failover client resends buys under keys the original protocol has not.
    if (options.transport === "original-socket")
      throw new StoreError(
        "bad_request",
        "the original socket protocol cannot fail over: its buys carry no key",
      );
    return FailoverClient.connect({
      transport: options.transport,
      servers: options.servers,
      first: options.first,
      failoverMs: options.failoverMs,
      open: (server, connectTimeoutMs) =>
        connectOne({ transport: options.transport, ...server, connectTimeoutMs }),
    });
  }
  return connectOne(options);
}

/** One connection to one server. */
function connectOne(options: ConnectOptions): Promise<StoreClient> {
  const host = options.host ?? "127.0.0.1";
  if (options.transport === "socket") {
    return SocketStoreClient.connect({
      host,
      port: options.port,
      connectTimeoutMs: options.connectTimeoutMs,
    });
  }
  if (options.transport === "original-socket") {
    // As the original client: no connection held, one opened per request.
    return OriginalSocketStoreClient.connect({
      host,
      port: options.port,
      connectTimeoutMs: options.connectTimeoutMs,
    });
  }
  if (options.transport === "http") {
    // One keep-alive HTTP/1.1 connection per client, like the socket client's TCP connection.
    return connectHttpClient({
      host,
      port: options.port,
      connectTimeoutMs: options.connectTimeoutMs,
    });
  }
  // Its own HTTP/2 connection, like the socket client's own TCP connection.
  return connectGrpcClient({
    host,
    port: options.port,
    ownConnection: true,
    connectTimeoutMs: options.connectTimeoutMs,
  });
}
