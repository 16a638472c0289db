// The gRPC StoreClient: typed calls to toystore.v1.ToyStore with per-call
// deadlines, failures turned into StoreErrors.

import * as grpc from "@grpc/grpc-js";
import type { BuyResult, Order, QueryResult, Toy } from "../catalog/toy.js";
import { StoreError } from "../errors.js";
import type { BuyRequest } from "../generated/toystore/v1/BuyRequest.js";
import type { ToyStoreClient } from "../generated/toystore/v1/ToyStore.js";
import { formatHostPort } from "../net/host-port.js";
import { validateQuantity } from "../service/operations/buy.js";
import { loadToyStoreContract } from "../transport/grpc/contract.js";
import {
  decodeBuyResponse,
  decodeGetOrderResponse,
  decodeListToysResponse,
  decodeQueryResponse,
} from "../transport/grpc/messages.js";
import { fromServiceError } from "../transport/grpc/status-codes.js";
import type { BuyOptions, CallOptions, StoreClient } from "./store-client.js";

export interface GrpcClientOptions {
  /** Server host. Default "127.0.0.1". */
  readonly host?: string;
  /** Server port. Default 50051. */
  readonly port?: number;
  /**
   * Open a connection of this client's own. By default grpc-js shares one
   * HTTP/2 connection between all clients of a process that have the same
   * target and options; a load generator that models N independent clients
   * wants N connections. Default false.
   */
  readonly ownConnection?: boolean;
  /** Deadline for calls that do not pass `timeoutMs`, in ms; undefined means no deadline. */
  readonly defaultTimeoutMs?: number;
}

export const GRPC_CLIENT_DEFAULTS = Object.freeze({ host: "127.0.0.1", port: 50051, ownConnection: false });

/**
 * The longest deadline sent, ms (24.8 days). A longer one goes out as more
 * than 2^31 - 1 ms in the grpc-timeout header, which a grpc-js server reads
 * through a 32-bit truncation as negative: the call would fail
 * DEADLINE_EXCEEDED at once. A longer timeout is sent as this one.
 */
export const MAX_GRPC_DEADLINE_MS = 2_147_483_000;

function checkTimeout(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`gRPC client: ${name} must be a number > 0, got ${String(value)}`);
  }
}

/**
 * A StoreClient over gRPC. The constructor does not connect: the first call
 * does, or `waitForReady` (use it to connect before timing anything).
 */
export class GrpcStoreClient implements StoreClient {
  readonly transport = "grpc" as const;
  readonly #client: ToyStoreClient;
  readonly #defaultTimeoutMs: number | undefined;
  // Calls in flight, so that close() can end them.
  readonly #inFlight = new Set<grpc.ClientUnaryCall>();
  #closed = false;
  readonly #target: string;

  constructor(options: GrpcClientOptions = {}) {
    const host = options.host ?? GRPC_CLIENT_DEFAULTS.host;
    const port = options.port ?? GRPC_CLIENT_DEFAULTS.port;
    if (!Number.isSafeInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(`gRPC client: port must be an integer between 1 and 65535, got ${String(port)}`);
    }
    checkTimeout("defaultTimeoutMs", options.defaultTimeoutMs);
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
    const channelOptions: grpc.ChannelOptions = {};
    if (options.ownConnection ?? GRPC_CLIENT_DEFAULTS.ownConnection) {
      channelOptions["grpc.use_local_subchannel_pool"] = 1;
    }
    const target = formatHostPort(host, port);
    this.#target = target;
    const { ToyStore } = loadToyStoreContract().proto.toystore.v1;
    this.#client = new ToyStore(target, grpc.credentials.createInsecure(), channelOptions);
  }

  /** Resolves once the connection is up; rejects with StoreError("unavailable") after `timeoutMs`. */
  waitForReady(timeoutMs = 5000): Promise<void> {
    checkTimeout("timeoutMs", timeoutMs);
    return new Promise((resolve, reject) => {
      this.#client.waitForReady(Date.now() + timeoutMs, (error) => {
        if (error)
          reject(
            new StoreError(
              "unavailable",
              `cannot connect to ${this.#target} within ${timeoutMs} ms (${error.message})`,
              { cause: error },
            ),
          );
        else resolve();
      });
    });
  }

  query(name: string, options?: CallOptions): Promise<QueryResult> {
    return this.#unary(decodeQueryResponse, (done) =>
      this.#client.Query({ name }, this.#callOptions(options), done),
    );
  }

  /**
   * Buys `quantity` units (default 1), all or nothing. The answer carries the
   * sale as the store decided it: order id, unit price paid, units, stock left.
   */
  buy(name: string, options?: BuyOptions): Promise<BuyResult> {
    const message: BuyRequest = { name, idempotencyKey: options?.requestKey ?? "" };
    const quantity = options?.quantity;
    if (quantity !== undefined) {
      // The wire cannot say 0 (it means 1), a fraction or a negative number: refused here, as the server would.
      const bad = validateQuantity(quantity);
      if (bad !== undefined) return Promise.reject(bad);
      message.quantity = quantity;
    }
    return this.#unary(decodeBuyResponse, (done) =>
      this.#client.Buy(message, this.#callOptions(options), done),
    );
  }

  order(id: string, options?: CallOptions): Promise<Order | undefined> {
    return this.#unary(decodeGetOrderResponse, (done) =>
      this.#client.GetOrder({ orderId: id }, this.#callOptions(options), done),
    );
  }

  list(options?: CallOptions): Promise<readonly Toy[]> {
    return this.#unary(decodeListToysResponse, (done) =>
      this.#client.ListToys({}, this.#callOptions(options), done),
    );
  }

  /** Cancels calls in flight (they reject with "unavailable") and closes the channel. Idempotent. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const call of this.#inFlight) call.cancel();
      this.#inFlight.clear();
      this.#client.close();
    }
    return Promise.resolve();
  }

  /** Starts one call and settles with its decoded response; the call is kept in flight until it ends, so close() can cancel it. */
  #unary<M, R>(
    decode: (message: M) => R,
    start: (done: grpc.requestCallback<M>) => grpc.ClientUnaryCall,
  ): Promise<R> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const call = start((error, message) => {
        this.#inFlight.delete(call);
        if (error) reject(this.#toStoreError(error));
        else settle(resolve, reject, decode, message);
      });
      this.#inFlight.add(call);
    });
  }

  #callOptions(options: CallOptions | undefined): grpc.CallOptions {
    const timeoutMs = options?.timeoutMs ?? this.#defaultTimeoutMs;
    if (timeoutMs === undefined) return {};
    checkTimeout("timeoutMs", timeoutMs);
    return { deadline: Date.now() + Math.min(timeoutMs, MAX_GRPC_DEADLINE_MS) };
  }

  #toStoreError(error: grpc.ServiceError): StoreError {
    // A call cancelled by close() was not cancelled by its caller: the client went away.
    if (this.#closed && error.code === grpc.status.CANCELLED) {
      return closedError(error);
    }
    return fromServiceError(error);
  }
}

function closedError(cause?: unknown): StoreError {
  return new StoreError("unavailable", "client closed", { cause });
}

/** Decodes a response, turning a malformed one into a rejection rather than a throw inside grpc-js. */
function settle<M, R>(
  resolve: (value: R) => void,
  reject: (error: unknown) => void,
  decode: (message: M) => R,
  message: M | undefined,
): void {
  if (message === undefined) {
    reject(new StoreError("internal", "server sent no response message"));
    return;
  }
  try {
    resolve(decode(message));
  } catch (error) {
    reject(error);
  }
}

/** Creates a client and waits until it is connected (rejects with StoreError("unavailable") after `connectTimeoutMs`). */
export async function connectGrpcClient(
  options: GrpcClientOptions & { readonly connectTimeoutMs?: number } = {},
): Promise<GrpcStoreClient> {
  const client = new GrpcStoreClient(options);
  try {
    await client.waitForReady(options.connectTimeoutMs);
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}
