// The HTTP StoreClient: the API's operations over one keep-alive HTTP/1.1
// connection (an undici Client, pipelining 1), with per-call deadlines.
//
//   query   GET  /api/toys/{name}
//   buy     POST /api/toys/{name}/buy      body {"quantity": n} when n is not 1; Idempotency-Key
//   order   GET  /api/orders/{id}
//   list    GET  /api/toys
//
// One connection per client, as with the socket transport: N clients are N
// TCP connections, the first opened at connect time (http-connection.ts). If
// the server closes an idle keep-alive connection, the next call opens a new
// one (HTTP's own rule); a call whose connection breaks fails "unavailable".
// Responses are decoded in http-decode.ts, failures in http-errors.ts.

import { buildConnector, Client } from "undici";
import type { BuyResult, Order, QueryResult, Toy } from "../catalog/toy.js";
import { StoreError } from "../errors.js";
import { FirstSocketConnector, openSocket } from "./http-connection.js";
import {
  type Decoder,
  decodeBuy,
  decodeList,
  decodeOrder,
  decodeQuery,
  readResponse,
} from "./http-decode.js";
import { closedError, errorForStatus, fromTransportError } from "./http-errors.js";
import type { BuyOptions, CallOptions, StoreClient } from "./store-client.js";

export interface HttpClientOptions {
  /** Server host. Default "127.0.0.1". */
  readonly host?: string | undefined;
  /** Server port. */
  readonly port: number;
  /** Give up connecting after this long. Default 5000 ms. */
  readonly connectTimeoutMs?: number | undefined;
  /** Deadline for calls that set none. Default: none. */
  readonly defaultTimeoutMs?: number | undefined;
}

/** Responses here are small; a larger body means the peer is not a toystore server. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** The path of a toy: the name percent-encoded, so any name is one path segment. */
export function toyPath(name: string): string {
  return `/api/toys/${encodeURIComponent(name)}`;
}

/** The path of a toy's buy action. */
export function buyPath(name: string): string {
  return `${toyPath(name)}/buy`;
}

/** The path of an order: the id percent-encoded, so any id is one path segment. */
export function orderPath(id: string): string {
  return `/api/orders/${encodeURIComponent(id)}`;
}

const JSON_HEADERS = { accept: "application/json" } as const;

/** One call's request: what to send. */
interface CallRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A StoreClient over the HTTP API. Build it with `connectHttpClient`. */
export class HttpStoreClient implements StoreClient {
  readonly transport = "http" as const;
  readonly #client: Client;
  readonly #connector: FirstSocketConnector;
  readonly #defaultTimeoutMs: number | undefined;
  #closed = false;

  private constructor(client: Client, connector: FirstSocketConnector, defaultTimeoutMs: number | undefined) {
    this.#client = client;
    this.#connector = connector;
    this.#defaultTimeoutMs = defaultTimeoutMs;
  }

  /** Opens the connection; rejects with code "unavailable" if it cannot, with a RangeError for a bad option. */
  static async connect(options: HttpClientOptions): Promise<HttpStoreClient> {
    const host = options.host ?? "127.0.0.1";
    const port = options.port;
    if (!Number.isSafeInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(`HTTP client: port must be an integer between 1 and 65535, got ${String(port)}`);
    }
    checkTimeout("defaultTimeoutMs", options.defaultTimeoutMs);
    const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    const connector = new FirstSocketConnector(
      await openSocket(host, port, connectTimeoutMs),
      buildConnector({ timeout: connectTimeoutMs, noDelay: true }),
    );
    const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    const client = new Client(origin, {
      pipelining: 1,
      connect: connector.connect,
      maxResponseSize: MAX_RESPONSE_BYTES,
    });
    return new HttpStoreClient(client, connector, options.defaultTimeoutMs);
  }

  query(name: string, options?: CallOptions): Promise<QueryResult> {
    const empty = this.#refuse(name, "empty name");
    if (empty !== undefined) return empty;
    return this.#call({ method: "GET", path: toyPath(name) }, options, decodeQuery);
  }

  /** Buys `quantity` units (default 1), all or nothing; the server checks the quantity (a bad one is bad_request). */
  buy(name: string, options?: BuyOptions): Promise<BuyResult> {
    const empty = this.#refuse(name, "empty name");
    if (empty !== undefined) return empty;
    const quantity = options?.quantity;
    const key = options?.requestKey;
    // No body is one unit: the common buy sends none.
    const hasBody = quantity !== undefined && quantity !== 1;
    const headers: Record<string, string> = { ...JSON_HEADERS };
    if (key !== undefined) headers["idempotency-key"] = key;
    if (hasBody) headers["content-type"] = "application/json";
    return this.#call(
      {
        method: "POST",
        path: buyPath(name),
        headers,
        ...(hasBody ? { body: JSON.stringify({ quantity }) } : {}),
      },
      options,
      decodeBuy,
    );
  }

  async order(id: string, options?: CallOptions): Promise<Order | undefined> {
    const empty = this.#refuse(id, "empty order id");
    if (empty !== undefined) return empty;
    const outcome = await this.#call({ method: "GET", path: orderPath(id) }, options, decodeOrder);
    return outcome.kind === "order" ? outcome.order : undefined;
  }

  list(options?: CallOptions): Promise<readonly Toy[]> {
    return this.#call({ method: "GET", path: "/api/toys" }, options, decodeList);
  }

  /** Closes the connection; calls in flight reject with "unavailable". Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connector.dropUnused();
    await this.#client.destroy(closedError()).catch(() => {});
  }

  /**
   * A call refused before anything is sent: the client is closed, or the
   * name or id is empty ("/api/toys/" names no toy and "/api/orders/" no
   * order: they are other resources; the server's rule, said here).
   */
  #refuse(operand: string, emptyMessage: string): Promise<never> | undefined {
    if (this.#closed) return Promise.reject(closedError());
    if (operand.length === 0) return Promise.reject(new StoreError("bad_request", emptyMessage));
    return undefined;
  }

  #call<R>(call: CallRequest, options: CallOptions | undefined, decode: Decoder<R>): Promise<R> {
    if (this.#closed) return Promise.reject(closedError());
    const timeoutMs = options?.timeoutMs ?? this.#defaultTimeoutMs;
    try {
      checkTimeout("timeoutMs", timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const request = this.#client
      .request({
        method: call.method,
        path: call.path,
        headers: call.headers ?? JSON_HEADERS,
        ...(call.body === undefined ? {} : { body: call.body }),
      })
      .then(readResponse)
      .then(
        ({ status, headers, body }) => {
          const result = decode(status, body);
          if (result !== undefined) return result;
          throw errorForStatus(status, headers["retry-after"], body);
        },
        (error: unknown) => {
          throw this.#closed ? closedError(error) : fromTransportError(error);
        },
      );
    if (timeoutMs === undefined) return request;
    return new Promise<R>((resolve, reject) => {
      // Past the deadline the call rejects; its response still arrives in its
      // turn (the connection stays usable) and is then dropped, as with the
      // socket client. Aborting instead would cost the connection.
      const timer = setTimeout(
        () => reject(new StoreError("deadline_exceeded", `no response within ${timeoutMs} ms`)),
        timeoutMs,
      );
      request.then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

/** Opens and connects a new client. */
export function connectHttpClient(options: HttpClientOptions): Promise<HttpStoreClient> {
  return HttpStoreClient.connect(options);
}

function checkTimeout(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`HTTP client: ${name} must be a number > 0, got ${String(value)}`);
  }
}
