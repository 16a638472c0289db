// The gRPC server: toystore.v1.ToyStore and, beside it on the same port, the
// original design's ToyStore, on @grpc/grpc-js, with admission through one
// worker pool, the standard health service, server reflection and a graceful
// shutdown. It translates between gRPC and the StoreService; it decides nothing.

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import { WorkerPool, type WorkerPoolStats } from "../../concurrency/worker-pool.js";
import { formatHostPort } from "../../net/host-port.js";
import type { StoreMetrics } from "../../observability/store-metrics.js";
import { CallContext, CallTask } from "./call-task.js";
import {
  loadOriginalContract,
  loadToyStoreContract,
  ORIGINAL_SERVICE_NAME,
  TOYSTORE_SERVICE_NAME,
} from "./contract.js";
import {
  type GrpcServerOptions,
  type ResolvedGrpcServerOptions,
  resolveGrpcServerOptions,
} from "./grpc-options.js";
import { GRPC_METHODS, type GrpcMethod, type MethodTable } from "./methods.js";
import { ORIGINAL_GRPC_METHODS } from "./original-methods.js";

export { GRPC_SERVER_DEFAULTS, type GrpcServerOptions } from "./grpc-options.js";

/** What startGrpcServer takes: the service and the limits (grpc-options.ts), and where to report what it serves. */
export interface GrpcServerStartOptions extends GrpcServerOptions {
  /**
   * Records every answered call (op, outcome, latency) and watches the pool,
   * as transport "grpc". Absent: nothing is recorded.
   */
  readonly metrics?: StoreMetrics | undefined;
  /** Serve over TLS with this certificate and key (PEM); absent: plaintext. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
}

/** Where a started server listens. */
export interface GrpcAddress {
  readonly host: string;
  readonly port: number;
}

export interface GrpcServerStats {
  readonly pool: WorkerPoolStats;
  /** Calls not run because their deadline passed while they waited for a handler. */
  readonly expiredInQueue: number;
  /** Calls not run because they were cancelled while they waited for a handler. */
  readonly cancelledInQueue: number;
}

/** A running gRPC server, as startGrpcServer returns it. */
export interface GrpcServerHandle {
  readonly address: GrpcAddress;
  stats(): GrpcServerStats;
  /**
   * Graceful shutdown: health turns NOT_SERVING, new calls get UNAVAILABLE,
   * admitted calls (running or queued) finish, then the server stops; calls
   * still open after the grace period are cancelled. The grace period is the
   * shutdownGraceMs option (--grpc-shutdown-grace-ms), or `graceMs` when that
   * is shorter (the CLI passes its --grace-ms, the bound for every transport).
   * Idempotent: later calls return the same promise.
   */
  close(graceMs?: number): Promise<void>;
  /** Cancels every open call and closes every connection now. Idempotent. */
  forceClose(): void;
  /**
   * Whether the server can answer now (false: its store's database is away):
   * health says SERVING or NOT_SERVING, for the whole server and for each
   * service (toystore.v1.ToyStore, the original ToyStore). Once shutdown has
   * started it stays NOT_SERVING.
   */
  setReady(ready: boolean): void;
}

/** The empty service name: health's "the server as a whole". */
const WHOLE_SERVER = "";

/** Every name health answers for: the whole server and each service it serves. */
const HEALTH_NAMES = Object.freeze([WHOLE_SERVER, TOYSTORE_SERVICE_NAME, ORIGINAL_SERVICE_NAME]);

let healthPackage: protoLoader.PackageDefinition | undefined;

/** The health proto's descriptors, so that reflection describes grpc.health.v1.Health too. */
function loadHealthPackage(): protoLoader.PackageDefinition {
  healthPackage ??= protoLoader.loadSync(healthProtoPath);
  return healthPackage;
}

class GrpcStoreServer implements GrpcServerHandle {
  readonly #options: ResolvedGrpcServerOptions;
  readonly #server: grpc.Server;
  readonly #pool: WorkerPool;
  readonly #context: CallContext;
  readonly #health: HealthImplementation;
  #address: GrpcAddress | undefined;
  #closing: Promise<void> | undefined;
  /** Shutdown has begun: health stays NOT_SERVING whatever the store says. */
  #stopping = false;

  constructor(options: ResolvedGrpcServerOptions, metrics: StoreMetrics | undefined) {
    this.#options = options;
    this.#pool = new WorkerPool({ size: options.maxConcurrency, maxQueued: options.maxQueued });
    this.#context = new CallContext(options.service, options.maxQueued, metrics?.recorder("grpc"));
    metrics?.watchPool("grpc", this.#pool);
    this.#server = new grpc.Server(serverChannelOptions(options));

    // Both services, each with its own method table, share the pool and the
    // service: an original client's buy and a toystore.v1 query wait for the
    // same handlers and the same locks.
    const contract = loadToyStoreContract();
    const original = loadOriginalContract();
    this.#server.addService(contract.service, this.#handlers(GRPC_METHODS));
    this.#server.addService(original.service, this.#handlers(ORIGINAL_GRPC_METHODS));

    this.#health = new HealthImplementation(
      Object.fromEntries(HEALTH_NAMES.map((name) => [name, "SERVING"])),
    );
    this.#health.addToServer(this.#server);
    if (!options.noReflection) {
      // The original proto has no package, so its definitions' names
      // (ToyStore, Item, ...) never collide with toystore.v1's.
      new ReflectionService({
        ...contract.packageDefinition,
        ...original.packageDefinition,
        ...loadHealthPackage(),
      }).addToServer(this.#server);
    }
  }

  /** One handler per row of a method table, and no other. */
  #handlers<H>(table: MethodTable<H>): grpc.UntypedServiceImplementation {
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(table) as [string, GrpcMethod][]) {
      handlers[name] = (
        call: grpc.ServerUnaryCall<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => this.#admit(method, call, callback);
    }
    return handlers;
  }

  get address(): GrpcAddress {
    if (this.#address === undefined) throw new Error("gRPC server: not listening yet");
    return this.#address;
  }

  async listen(tls: GrpcServerStartOptions["tls"]): Promise<void> {
    const { host, port } = this.#options;
    const credentials =
      tls === undefined
        ? grpc.ServerCredentials.createInsecure()
        : grpc.ServerCredentials.createSsl(
            null,
            [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }],
            false,
          );
    const boundPort = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(formatHostPort(host, port), credentials, (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    this.#address = { host, port: boundPort };
  }

  stats(): GrpcServerStats {
    return {
      pool: this.#pool.stats(),
      expiredInQueue: this.#context.expiredInQueue,
      cancelledInQueue: this.#context.cancelledInQueue,
    };
  }

  close(graceMs?: number): Promise<void> {
    const ownGraceMs = this.#options.shutdownGraceMs;
    this.#closing ??= this.#shutDown(graceMs === undefined ? ownGraceMs : Math.min(graceMs, ownGraceMs));
    return this.#closing;
  }

  forceClose(): void {
    this.#beginClosing();
    this.#server.forceShutdown();
  }

  setReady(ready: boolean): void {
    if (this.#stopping) return;
    this.#setStatus(ready ? "SERVING" : "NOT_SERVING");
  }

  #setStatus(status: "SERVING" | "NOT_SERVING"): void {
    for (const name of HEALTH_NAMES) this.#health.setStatus(name, status);
  }

  /** Admission: a call either enters the pool (running at once or queued FIFO) or is refused now. */
  #admit<Req, Res>(
    method: GrpcMethod<Req, Res>,
    call: grpc.ServerUnaryCall<Req, Res>,
    callback: grpc.sendUnaryData<Res>,
  ): void {
    const task = new CallTask(this.#context, method, call, callback);
    const refusal = this.#pool.submit(task);
    if (refusal !== null) task.refuse(refusal);
  }

  #beginClosing(): void {
    // NOT_SERVING first, so that health watchers learn of the shutdown before
    // the connections go; the pool then refuses new calls with UNAVAILABLE.
    this.#stopping = true;
    this.#setStatus("NOT_SERVING");
    void this.#pool.close();
  }

  async #shutDown(graceMs: number): Promise<void> {
    this.#beginClosing();
    // tryShutdown stops accepting connections and streams (GOAWAY) and calls
    // back once every open call has ended; admitted calls still run through
    // the pool and answer. Anything still open after the grace period (a slow
    // call, or a health Watch stream, which never ends by itself) is cancelled.
    const timer = setTimeout(() => this.#server.forceShutdown(), graceMs);
    try {
      await new Promise<void>((resolve) => this.#server.tryShutdown(() => resolve()));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The grpc-js server options for our limits. */
function serverChannelOptions(options: ResolvedGrpcServerOptions): grpc.ServerOptions {
  const channelOptions: grpc.ServerOptions = {
    "grpc.max_receive_message_length": options.maxMessageBytes,
    "grpc.max_concurrent_streams": options.maxConcurrentStreams,
  };
  // 0 means never: leave the option out, grpc-js's default is no idle limit.
  if (options.idleConnectionTimeoutMs > 0) {
    channelOptions["grpc.max_connection_idle_ms"] = options.idleConnectionTimeoutMs;
  }
  return channelOptions;
}

/**
 * Starts a gRPC server for the StoreService and resolves once it listens.
 * Options are validated first (a RangeError names the bad option); a bind
 * failure (port in use) rejects with grpc-js's error.
 */
export async function startGrpcServer(options: GrpcServerStartOptions): Promise<GrpcServerHandle> {
  const server = new GrpcStoreServer(resolveGrpcServerOptions(options), options.metrics);
  try {
    await server.listen(options.tls);
  } catch (error) {
    server.forceClose();
    throw error;
  }
  return server;
}
