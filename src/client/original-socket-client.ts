// A StoreClient that does exactly what the Toy Store design document's socket
// client does: for each request, a new TCP connection, one message
// ("query: Tux", lower case, no line end), one read of the answer, and the
// connection closed. Only query and buy of one unit exist there: orders,
// lists, quantities and idempotency keys are refused before anything is sent.

import { connect as netConnect } from "node:net";
import type { BuyResult, Order, QueryResult, Toy } from "../catalog/toy.js";
import { StoreError } from "../errors.js";
import { formatHostPort } from "../net/host-port.js";
import { parseAnswer } from "../transport/original-socket/answers.js";
import { encodeMessage, type OriginalMethod } from "../transport/original-socket/messages.js";
import type { BuyOptions, CallOptions, StoreClient } from "./store-client.js";

export interface OriginalSocketClientOptions {
  readonly host?: string;
  readonly port: number;
  /** Give up connecting after this long (each request connects). Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Deadline for calls that set none. Default: none. */
  readonly defaultTimeoutMs?: number;
}

/** The original client's single read: recv(1024). */
const READ_BYTES = 1024;

function refused(what: string): Promise<never> {
  return Promise.reject(
    new StoreError("bad_request", `the original socket protocol has no ${what}: only query and buy of one`),
  );
}

export class OriginalSocketStoreClient implements StoreClient {
  readonly transport = "original-socket" as const;
  readonly #host: string;
  readonly #port: number;
  readonly #connectTimeoutMs: number;
  readonly #defaultTimeoutMs: number | undefined;
  /** Connections of the calls in flight, destroyed by close(). */
  readonly #open = new Set<{ destroy(): void }>();
  #closed = false;

  private constructor(options: OriginalSocketClientOptions) {
    this.#host = options.host ?? "127.0.0.1";
    this.#port = options.port;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
  }

  /**
   * A client for the server at host:port. The original client holds no
   * connection between requests, so this one opens none either: a server
   * that is not there is found by the first request ("unavailable").
   */
  static connect(options: OriginalSocketClientOptions): Promise<OriginalSocketStoreClient> {
    return Promise.resolve(new OriginalSocketStoreClient(options));
  }

  query(name: string, options?: CallOptions): Promise<QueryResult> {
    return this.#call("query", name, options) as Promise<QueryResult>;
  }

  buy(name: string, options?: BuyOptions): Promise<BuyResult> {
    if (options?.quantity !== undefined && options.quantity !== 1) return refused("quantities");
    if (options?.requestKey !== undefined) return refused("idempotency keys");
    return this.#call("buy", name, options) as Promise<BuyResult>;
  }

  order(_id: string, _options?: CallOptions): Promise<Order | undefined> {
    return refused("order lookup");
  }

  list(_options?: CallOptions): Promise<readonly Toy[]> {
    return refused("list");
  }

  /** Ends the calls in flight ("unavailable"); later calls are refused. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    for (const socket of this.#open) socket.destroy();
    return Promise.resolve();
  }

  #call(method: OriginalMethod, name: string, options: CallOptions | undefined): Promise<unknown> {
    if (this.#closed) return Promise.reject(new StoreError("unavailable", "client closed"));
    // A line end inside the name would make the server read two messages.
    if (/[\r\n]/.test(name)) return refused("line break in a name");
    const message = encodeMessage(method, name);
    const where = formatHostPort(this.#host, this.#port);
    const timeoutMs = options?.timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: this.#host, port: this.#port, noDelay: true });
      this.#open.add(socket);
      let connected = false;
      let settled = false;
      const finish = (outcome: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(deadline);
        this.#open.delete(socket);
        socket.destroy();
        if (outcome instanceof StoreError) reject(outcome);
        else resolve(outcome);
      };
      const connectTimer = setTimeout(
        () =>
          finish(
            new StoreError("unavailable", `connect to ${where} timed out after ${this.#connectTimeoutMs} ms`),
          ),
        this.#connectTimeoutMs,
      );
      const deadline =
        timeoutMs === undefined
          ? undefined
          : setTimeout(
              () => finish(new StoreError("deadline_exceeded", `no answer within ${timeoutMs} ms`)),
              timeoutMs,
            );
      socket.once("connect", () => {
        connected = true;
        clearTimeout(connectTimer);
        socket.write(message);
      });
      // One read, as recv(1024): whatever it holds is the answer.
      socket.once("data", (chunk: Buffer) => {
        finish(parseAnswer(chunk.subarray(0, READ_BYTES).toString("utf8"), method));
      });
      socket.on("error", (error) =>
        finish(
          new StoreError(
            "unavailable",
            connected ? error.message : `cannot connect to ${where}: ${error.message}`,
            { cause: error },
          ),
        ),
      );
      socket.once("close", () =>
        finish(
          new StoreError("unavailable", this.#closed ? "client closed" : "connection closed by the server"),
        ),
      );
    });
  }
}
