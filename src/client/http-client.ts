// The HTTP StoreClient: GET /api/toys/{name} and POST /api/toys/{name}/buy
// over one keep-alive HTTP/1.1 connection (an undici Client, pipelining 1),
// statuses and problem documents turned into outcomes and StoreErrors.
//
// One connection per client, as with the socket transport: N clients are N
// TCP connections. `connectHttpClient` opens that connection before the
// first call, so an unreachable server fails at connect time (as a socket
// client does) and the first timed call does not pay for the handshake. If
// the server closes an idle keep-alive connection, the next call opens a new
// one (HTTP's own rule); a call whose connection breaks fails "unavailable".

import net from "node:net";
import { buildConnector, Client, type Dispatcher, errors as undiciErrors } from "undici";
import { type BuyResult, NOT_FOUND, type QueryResult, SOLD_OUT } from "../catalog/toy.js";
import { type ErrorCode, StoreError } from "../errors.js";
import type { BoughtJson, ProblemJson, ToyJson } from "../transport/http/api.js";
import type { CallOptions, StoreClient } from "./store-client.js";

export interface HttpClientOptions {
  /** Server host. Default "127.0.0.1". */
  readonly host?: string;
  /** Server port. */
  readonly port: number;
  /** Give up connecting after this long. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Deadline for calls that set none. Default: none. */
  readonly defaultTimeoutMs?: number;
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

const JSON_HEADERS = { accept: "application/json" } as const;

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

  /** Opens the connection; rejects with code "unavailable" if it cannot. */
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
    return this.#call("GET", toyPath(name), name, options, decodeQuery);
  }

  buy(name: string, options?: CallOptions): Promise<BuyResult> {
    return this.#call("POST", buyPath(name), name, options, decodeBuy);
  }

  /** Closes the connection; calls in flight reject with "unavailable". Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connector.dropUnused();
    await this.#client.destroy(closedError()).catch(() => {});
  }

  #call<R>(
    method: "GET" | "POST",
    path: string,
    name: string,
    options: CallOptions | undefined,
    decode: (status: number, body: unknown) => R | undefined,
  ): Promise<R> {
    if (this.#closed) return Promise.reject(closedError());
    // "/api/toys/" names no toy: it is another resource. The server's rule, said here.
    if (name.length === 0) return Promise.reject(new StoreError("bad_request", "empty name"));
    const timeoutMs = options?.timeoutMs ?? this.#defaultTimeoutMs;
    try {
      checkTimeout("timeoutMs", timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const request = this.#client
      .request({
        method,
        path,
        headers:
          method === "POST" && options?.requestKey !== undefined
            ? { ...JSON_HEADERS, "idempotency-key": options.requestKey }
            : JSON_HEADERS,
      })
      .then(readResponse)
      .then(
        ({ status, headers, body }) => {
          const result = decode(status, body);
          if (result !== undefined) return result;
          throw errorForStatus(status, headers, body);
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

/**
 * Hands undici the connection opened by `connect` for its first request;
 * later connections (after the server closed an idle one) are undici's own.
 */
class FirstSocketConnector {
  #first: net.Socket | undefined;
  readonly #reconnect: buildConnector.connector;

  constructor(first: net.Socket, reconnect: buildConnector.connector) {
    this.#first = first;
    this.#reconnect = reconnect;
  }

  readonly connect: buildConnector.connector = (options, callback) => {
    const socket = this.#first;
    this.#first = undefined;
    // Called back on a later tick, as undici's own connector does: undici
    // does not expect the callback inside the call (the request would stall).
    if (socket !== undefined && !socket.destroyed) process.nextTick(callback, null, socket);
    else this.#reconnect(options, callback);
  };

  /** Closes the first connection if no request ever used it. */
  dropUnused(): void {
    this.#first?.destroy();
    this.#first = undefined;
  }
}

/** Opens and connects a new client. */
export function connectHttpClient(options: HttpClientOptions): Promise<HttpStoreClient> {
  return HttpStoreClient.connect(options);
}

interface Response {
  readonly status: number;
  readonly headers: Dispatcher.ResponseData["headers"];
  /** The parsed JSON body, or undefined when there is none or it is not JSON. */
  readonly body: unknown;
}

async function readResponse(response: Dispatcher.ResponseData): Promise<Response> {
  const text = await response.body.text();
  let body: unknown;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: response.statusCode, headers: response.headers, body };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** 200: the toy, in stock or sold out (stock 0); 404: no such toy; anything else: not an outcome. */
function decodeQuery(status: number, body: unknown): QueryResult | undefined {
  if (status === 404) return NOT_FOUND;
  if (status !== 200) return undefined;
  const toy = body as Partial<ToyJson> | undefined;
  if (toy === undefined || !isCount(toy.priceCents) || !isCount(toy.stock)) {
    throw new StoreError("internal", "malformed toy in the response");
  }
  return toy.stock === 0 ? SOLD_OUT : { kind: "in_stock", priceCents: toy.priceCents, stock: toy.stock };
}

/** 200: bought; 409: sold out; 404: no such toy; anything else: not an outcome. */
function decodeBuy(status: number, body: unknown): BuyResult | undefined {
  if (status === 404) return NOT_FOUND;
  if (status === 409) return SOLD_OUT;
  if (status !== 200) return undefined;
  const bought = body as Partial<BoughtJson> | undefined;
  if (bought === undefined || typeof bought !== "object" || bought === null) {
    throw new StoreError("internal", "malformed buy response");
  }
  const stockLeft = isCount(bought.stockLeft) ? bought.stockLeft : undefined;
  const orderId = typeof bought.orderId === "string" ? bought.orderId : undefined;
  return {
    kind: "bought",
    ...(stockLeft === undefined ? {} : { stockLeft }),
    ...(orderId === undefined ? {} : { orderId }),
  };
}

/** Our server names the StoreError code in the problem's type: `urn:toystore:problem:<code>`. */
const PROBLEM_TYPE = /^urn:toystore:problem:([a-z_]+)$/;
/** Every StoreError code (a Record, so the compiler says when one is added). */
const ERROR_CODES: Readonly<Record<ErrorCode, true>> = {
  bad_request: true,
  line_too_long: true,
  busy: true,
  shutting_down: true,
  deadline_exceeded: true,
  cancelled: true,
  unavailable: true,
  internal: true,
};

/**
 * The StoreError for a status that is no business outcome; the problem's
 * detail is the message. The code named by the problem's type wins (it tells
 * busy from shutting_down, both 503), as the gRPC client's trailer does;
 * without one, the status decides.
 */
function errorForStatus(status: number, headers: Response["headers"], body: unknown): StoreError {
  const problem = (typeof body === "object" && body !== null ? body : {}) as Partial<ProblemJson>;
  const text = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : undefined);
  let message = text(problem.detail) ?? text(problem.title) ?? `HTTP ${status}`;
  const named = PROBLEM_TYPE.exec(text(problem.type) ?? "")?.[1];
  const code =
    named !== undefined && Object.hasOwn(ERROR_CODES, named)
      ? (named as ErrorCode)
      : codeForStatus(status, problem);
  const retryAfter = headers["retry-after"];
  if (code === "busy" && typeof retryAfter === "string") message += ` (retry after ${retryAfter} s)`;
  return new StoreError(code, message);
}

/** HTTP status -> StoreError code (503 says which through its problem: busy or shutting down). */
function codeForStatus(status: number, problem: Partial<ProblemJson>): ErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 414:
    case 431:
      return "bad_request";
    case 429:
      return "busy";
    case 503:
      return isShuttingDown(problem) ? "shutting_down" : "busy";
    case 408:
    case 504:
      return "deadline_exceeded";
    default:
      return "internal";
  }
}

function isShuttingDown(problem: Partial<ProblemJson>): boolean {
  return [problem.type, problem.title, problem.detail].some(
    (field) => typeof field === "string" && /shutting[ _-]?down/i.test(field),
  );
}

/** A failure below HTTP: the connection could not be made, or broke before the response. */
function fromTransportError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const cause = error as { code?: unknown; message?: unknown };
  const message = typeof cause.message === "string" ? cause.message : String(error);
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new StoreError("deadline_exceeded", message, { cause: error });
  }
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) {
    return new StoreError("internal", "response too large", { cause: error });
  }
  if (error instanceof undiciErrors.RequestAbortedError) {
    return new StoreError("cancelled", message, { cause: error });
  }
  // llhttp's parse errors (HPE_*): the peer does not speak HTTP.
  if (typeof cause.code === "string" && cause.code.startsWith("HPE_")) {
    return new StoreError("internal", `the server's response is not HTTP: ${message}`, { cause: error });
  }
  return new StoreError("unavailable", message, { cause: error });
}

function closedError(cause?: unknown): StoreError {
  return new StoreError("unavailable", "client closed", cause === undefined ? undefined : { cause });
}

function checkTimeout(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`HTTP client: ${name} must be a number > 0, got ${String(value)}`);
  }
}

/** One TCP connection, connected; rejects with code "unavailable" if it cannot be made in time. */
function openSocket(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true, keepAlive: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new StoreError("unavailable", `connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(new StoreError("unavailable", `cannot connect to ${host}:${port}: ${error.message}`));
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      // Until undici takes the socket (at the first request) nobody else
      // listens: a reset of the idle connection must not be an uncaught error.
      socket.on("error", () => {});
      resolve(socket);
    });
  });
}
