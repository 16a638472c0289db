// The gRPC server's options: each declared once, with its flag, its default
// and its valid range (see src/options/schema.ts), and validated once.

import { defaultsOf, integer, MAX_INT32, resolveOptions, type Schema, toggle } from "../../options/schema.js";
import type { StoreService } from "../../service/store-service.js";
import { LISTEN_HOST, listenPort } from "../listen-address.js";

export interface GrpcServerSettings {
  /** Address to listen on. Default "127.0.0.1". */
  readonly host: string;
  /** TCP port; 0 picks a free one (read it back from `address`). Default 50051. */
  readonly port: number;
  /** Calls running the store operation at once (the original design's thread pool maximum). Default 10. */
  readonly maxConcurrency: number;
  /** Calls waiting for a handler before new ones get RESOURCE_EXHAUSTED. Default 1024. */
  readonly maxQueued: number;
  /** Largest request message accepted, in bytes; larger ones get RESOURCE_EXHAUSTED from grpc-js. Default 4096. */
  readonly maxMessageBytes: number;
  /**
   * HTTP/2 streams (calls) one connection may have open at once; a client's
   * extra calls wait on its side, so one connection cannot hold an unbounded
   * number of calls (or of streams that never send their request). Default 100.
   */
  readonly maxConcurrentStreams: number;
  /** A connection with no call open for this long is closed (GOAWAY). 0: never. Default 300000 (5 min). */
  readonly idleConnectionTimeoutMs: number;
  /** How long `close()` lets calls in flight finish before cancelling them. Default 5000. */
  readonly shutdownGraceMs: number;
  /** Leave out grpc.reflection (v1 and v1alpha), which is served by default. */
  readonly noReflection: boolean;
}

export interface GrpcServerOptions extends Partial<GrpcServerSettings> {
  /** The store every call goes to; share one instance with the socket server. */
  readonly service: StoreService;
}

export type ResolvedGrpcServerOptions = GrpcServerSettings & { readonly service: StoreService };

export const GRPC_SERVER_OPTIONS: Schema<GrpcServerSettings> = {
  host: LISTEN_HOST,
  port: listenPort("--grpc-port", "gRPC", 50051),
  maxConcurrency: integer(
    "--grpc-max-concurrency",
    "gRPC calls running at once; the rest wait in FIFO order",
    10,
    1,
    10_000,
  ),
  maxQueued: integer(
    "--grpc-max-queued",
    "gRPC calls waiting for a handler before new ones get RESOURCE_EXHAUSTED",
    1024,
    0,
    1_000_000,
  ),
  // Below ~64 bytes not even a short name and the framing fit.
  maxMessageBytes: integer(
    "--grpc-max-message-bytes",
    "largest gRPC request message accepted",
    4096,
    64,
    4_194_304,
  ),
  maxConcurrentStreams: integer(
    "--grpc-max-concurrent-streams",
    "gRPC calls open at once on one connection; a client's extra calls wait",
    100,
    1,
    MAX_INT32,
  ),
  idleConnectionTimeoutMs: integer(
    "--grpc-idle-timeout-ms",
    "close a gRPC connection with no call open for this long (0: never)",
    300_000,
    0,
    MAX_INT32,
  ),
  shutdownGraceMs: integer(
    "--grpc-shutdown-grace-ms",
    "on close, let gRPC calls in flight finish this long before cancelling them",
    5000,
    0,
    MAX_INT32,
    { hidden: true },
  ),
  noReflection: toggle("--no-grpc-reflection", "do not serve gRPC server reflection", { hidden: true }),
};

export const GRPC_SERVER_DEFAULTS: GrpcServerSettings = Object.freeze(defaultsOf(GRPC_SERVER_OPTIONS));

/** Fills in defaults and checks every option; throws an OptionError naming the flag and the bad value. */
export function resolveGrpcServerOptions(options: GrpcServerOptions): ResolvedGrpcServerOptions {
  if (options.service === undefined || options.service === null) {
    throw new TypeError("gRPC server: service is required");
  }
  return { ...resolveOptions(GRPC_SERVER_OPTIONS, options), service: options.service };
}
