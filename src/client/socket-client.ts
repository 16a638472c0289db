// A StoreClient over the socket protocol v1: one TCP connection, many
// requests in flight, replies matched to requests by order.

import { connect as netConnect, type Socket } from "node:net";
import type { BuyResult, Order, QueryResult, Toy } from "../catalog/toy.js";
import { StoreError } from "../errors.js";
import { formatHostPort } from "../net/host-port.js";
import { type DecodedLine, INVALID_UTF8, LineDecoder } from "../protocol/line-decoder.js";
import { linesToFollow, type ParsedReply, parseReply } from "../protocol/replies.js";
import { encodeRequest, type SocketRequest } from "../protocol/requests.js";
import { validateQuantity } from "../service/operations/buy.js";
import type { OpName } from "../service/operations/index.js";
import { validateRequestKey } from "../service/validate-name.js";
import type { BuyOptions, CallOptions, StoreClient } from "./store-client.js";

export interface SocketClientOptions {
  readonly host?: string;
  readonly port: number;
  /** Give up connecting after this long. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Deadline for calls that set none. Default: none. */
  readonly defaultTimeoutMs?: number;
}

type Answer = Exclude<ParsedReply, StoreError>;

interface Pending {
  readonly op: OpName;
  /** The reply's lines so far, and how many more it has (a list's reply is several lines). */
  lines: string[];
  toFollow: number;
  resolve: ((result: Answer) => void) | undefined;
  reject: ((error: StoreError) => void) | undefined;
  timer: NodeJS.Timeout | undefined;
}

// Replies are short; a long line means the peer is not a toystore server.
const MAX_REPLY_BYTES = 64 * 1024;

export class SocketStoreClient implements StoreClient {
  readonly transport = "socket" as const;
  readonly #socket: Socket;
  readonly #decoder = new LineDecoder(MAX_REPLY_BYTES);
  readonly #lines: DecodedLine[] = [];
  readonly #pending: Pending[] = [];
  #pendingHead = 0;
  #outgoing = "";
  #closed: StoreError | undefined;
  readonly #defaultTimeoutMs: number | undefined;
  readonly #flushBound = (): void => this.#flushOutgoing();

  private constructor(socket: Socket, defaultTimeoutMs: number | undefined) {
    this.#socket = socket;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (error) => this.#fail(new StoreError("unavailable", error.message, { cause: error })));
    socket.on("close", () => this.#fail(new StoreError("unavailable", "connection closed by the server")));
  }

  /** Opens a connection; rejects with code "unavailable" if it cannot. */
  static connect(options: SocketClientOptions): Promise<SocketStoreClient> {
    const host = options.host ?? "127.0.0.1";
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new StoreError(
            "unavailable",
            `connect to ${formatHostPort(host, options.port)} timed out after ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(
          new StoreError(
            "unavailable",
            `cannot connect to ${formatHostPort(host, options.port)}: ${error.message}`,
          ),
        );
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new SocketStoreClient(socket, options.defaultTimeoutMs));
      });
    });
  }

  query(name: string, options?: CallOptions): Promise<QueryResult> {
    return this.#call({ op: "query", name }, options) as Promise<QueryResult>;
  }

  buy(name: string, options?: BuyOptions): Promise<BuyResult> {
    const quantity = options?.quantity ?? 1;
    const requestKey = options?.requestKey;
    // The key sits before the colon: one the server would refuse could also break the line's framing.
    const bad =
      (requestKey === undefined ? undefined : validateRequestKey(requestKey)) ?? validateQuantity(quantity);
    if (bad !== undefined) return Promise.reject(bad);
    // The Buy*<n> form whenever a quantity is given: its reply carries the order.
    const detailed = options?.quantity !== undefined;
    return this.#call({ op: "buy", name, quantity, requestKey, detailed }, options) as Promise<BuyResult>;
  }

  async order(id: string, options?: CallOptions): Promise<Order | undefined> {
    const result = await this.#call({ op: "order", id }, options);
    return result.kind === "order" ? result.order : undefined;
  }

  async list(options?: CallOptions): Promise<readonly Toy[]> {
    const result = await this.#call({ op: "list" }, options);
    return result.kind === "list" ? result.toys : [];
  }

  close(): Promise<void> {
    if (this.#socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once("close", () => resolve());
      this.#socket.destroy();
    });
  }

  #call(request: SocketRequest, options: CallOptions | undefined): Promise<Answer> {
    if (this.#closed !== undefined)
      return Promise.reject(new StoreError("unavailable", this.#closed.message));
    const line = encodeRequest(request);
    if (line === undefined)
      return Promise.reject(new StoreError("bad_request", `the socket protocol has no ${request.op}`));
    // A line break inside a name would smuggle a second request onto the wire.
    if (line.includes("\n") || line.includes("\r")) {
      return Promise.reject(new StoreError("bad_request", "name must not contain a line break"));
    }
    const op = request.op;
    return new Promise((resolve, reject) => {
      const pending: Pending = { op, lines: [], toFollow: 0, resolve, reject, timer: undefined };
      const timeoutMs = options?.timeoutMs ?? this.#defaultTimeoutMs;
      if (timeoutMs !== undefined) {
        pending.timer = setTimeout(() => {
          // The reply will still arrive in its turn; it is then dropped.
          settle(pending, new StoreError("deadline_exceeded", `no reply within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.#pending.push(pending);
      if (this.#outgoing === "") queueMicrotask(this.#flushBound);
      this.#outgoing += `${line}\n`;
    });
  }

  // Requests made in the same turn of the event loop leave in one write.
  #flushOutgoing(): void {
    const out = this.#outgoing;
    this.#outgoing = "";
    if (out !== "" && !this.#socket.destroyed) this.#socket.write(out);
  }

  #onData(chunk: Buffer): void {
    const lines = this.#lines;
    const ok = this.#decoder.push(chunk, lines);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const pending = this.#pending[this.#pendingHead];
      if (pending === undefined) {
        // A connection-level ERR (too many connections, line timeout) answers no
        // request: it is why the server is closing this connection.
        this.#fail(
          line !== INVALID_UTF8 && line.startsWith("ERR ")
            ? new StoreError("unavailable", `the server closed the connection: ${line.slice(4)}`)
            : new StoreError("internal", "the server sent a reply nobody asked for"),
        );
        this.#socket.destroy();
        break;
      }
      if (line === INVALID_UTF8) {
        this.#pendingHead++;
        settle(pending, new StoreError("internal", "reply is not UTF-8"));
        continue;
      }
      if (pending.lines.length === 0) pending.toFollow = linesToFollow(pending.op, line);
      else pending.toFollow--;
      pending.lines.push(line);
      if (pending.toFollow > 0) continue;
      this.#pendingHead++;
      settle(pending, parseReply(pending.lines, pending.op));
    }
    lines.length = 0;
    if (this.#pendingHead === this.#pending.length) {
      this.#pending.length = 0;
      this.#pendingHead = 0;
    } else if (this.#pendingHead > 1024) {
      this.#pending.splice(0, this.#pendingHead);
      this.#pendingHead = 0;
    }
    if (!ok) {
      this.#fail(new StoreError("internal", "reply line too long"));
      this.#socket.destroy();
    }
  }

  #fail(error: StoreError): void {
    this.#closed ??= error;
    for (let i = this.#pendingHead; i < this.#pending.length; i++) settle(this.#pending[i]!, error);
    this.#pending.length = 0;
    this.#pendingHead = 0;
  }
}

function settle(pending: Pending, outcome: ParsedReply): void {
  const { resolve, reject } = pending;
  if (resolve === undefined || reject === undefined) return;
  pending.resolve = undefined;
  pending.reject = undefined;
  if (pending.timer !== undefined) clearTimeout(pending.timer);
  if (outcome instanceof StoreError) reject(outcome);
  else resolve(outcome);
}
