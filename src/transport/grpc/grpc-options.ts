// The gRPC server's options: defaults in one object, validated once.

import type { StoreService } from "../../service/store-service.js";

export interface GrpcServerOptions {
  /** The store every call goes to; share one instance with the socket server. */
  readonly service: StoreService;
  /** Address to listen on. Default "127.0.0.1". */
  readonly host?: string;
  /** TCP port; 0 picks a free one (read it back from `address`). Default 50051. */
  readonly port?: number;
  /** Calls running the store operation at once (the seed's thread pool maximum). Default 10. */
  readonly maxConcurrency?: number;
  /** Calls waiting for a handler before new ones get RESOURCE_EXHAUSTED. Default 1024. */
  readonly maxQueued?: number;
  /** Largest request message accepted, in bytes; larger ones get RESOURCE_EXHAUSTED from grpc-js. Default 4096. */
  readonly maxMessageBytes?: number;
  /**
   * HTTP/2 streams (calls) one connection may have open at once; a client's
   * extra calls wait on its side, so one connection cannot hold an unbounded
   * number of calls (or of streams that never send their request). Default 100.
   */
  readonly maxConcurrentStreams?: number;
  /** A connection with no call open for this long is closed (GOAWAY). 0: never. Default 300000 (5 min). */
  readonly idleConnectionTimeoutMs?: number;
  /** How long `close()` lets calls in flight finish before cancelling them. Default 5000. */
  readonly shutdownGraceMs?: number;
  /** Serve grpc.reflection (v1 and v1alpha). Default true. */
  readonly reflection?: boolean;
}

export const GRPC_SERVER_DEFAULTS = Object.freeze({
  host: "127.0.0.1",
  port: 50051,
  maxConcurrency: 10,
  maxQueued: 1024,
  maxMessageBytes: 4096,
  maxConcurrentStreams: 100,
  idleConnectionTimeoutMs: 300_000,
  shutdownGraceMs: 5000,
  reflection: true,
});

export type ResolvedGrpcServerOptions = Required<GrpcServerOptions>;

function requireInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new RangeError(`gRPC server: ${name} must be an integer ${range}, got ${String(value)}`);
  }
}

/** Fills in defaults and checks every option; throws a RangeError naming the option and the bad value. */
export function resolveGrpcServerOptions(options: GrpcServerOptions): ResolvedGrpcServerOptions {
  const resolved: ResolvedGrpcServerOptions = {
    service: options.service,
    host: options.host ?? GRPC_SERVER_DEFAULTS.host,
    port: options.port ?? GRPC_SERVER_DEFAULTS.port,
    maxConcurrency: options.maxConcurrency ?? GRPC_SERVER_DEFAULTS.maxConcurrency,
    maxQueued: options.maxQueued ?? GRPC_SERVER_DEFAULTS.maxQueued,
    maxMessageBytes: options.maxMessageBytes ?? GRPC_SERVER_DEFAULTS.maxMessageBytes,
    maxConcurrentStreams: options.maxConcurrentStreams ?? GRPC_SERVER_DEFAULTS.maxConcurrentStreams,
    idleConnectionTimeoutMs: options.idleConnectionTimeoutMs ?? GRPC_SERVER_DEFAULTS.idleConnectionTimeoutMs,
    shutdownGraceMs: options.shutdownGraceMs ?? GRPC_SERVER_DEFAULTS.shutdownGraceMs,
    reflection: options.reflection ?? GRPC_SERVER_DEFAULTS.reflection,
  };
  if (resolved.service === undefined || resolved.service === null) {
    throw new TypeError("gRPC server: service is required");
  }
  if (typeof resolved.host !== "string" || resolved.host === "") {
    throw new RangeError(
      `gRPC server: host must be a non-empty string, got ${JSON.stringify(resolved.host)}`,
    );
  }
  requireInteger("port", resolved.port, 0, 65535);
  requireInteger("maxConcurrency", resolved.maxConcurrency, 1);
  requireInteger("maxQueued", resolved.maxQueued, 0);
  // Below ~64 bytes not even a short name and the framing fit.
  requireInteger("maxMessageBytes", resolved.maxMessageBytes, 64, 2 ** 31 - 1);
  // HTTP/2 carries the stream limit in a 32-bit setting.
  requireInteger("maxConcurrentStreams", resolved.maxConcurrentStreams, 1, 2 ** 31 - 1);
  // grpc-js keeps the idle timeout in a signed 32-bit timer.
  requireInteger("idleConnectionTimeoutMs", resolved.idleConnectionTimeoutMs, 0, 2 ** 31 - 1);
  requireInteger("shutdownGraceMs", resolved.shutdownGraceMs, 0);
  return resolved;
}
