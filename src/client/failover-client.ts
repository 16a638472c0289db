// A client of a store served by several servers (or by one `serve --workers N`
// whose workers may die): one connection at a time, to one server, and when
// that server fails, the next. A request that finds its server gone
// ("unavailable") or silent for `failoverMs` (a cut network answers nothing:
// no reset, no close) is sent again to the next server. That is safe for
// buys because every buy carries an idempotency key: the store answers a
// repeated key with the first buy's outcome and sells nothing more, on every
// server of the store (see stores/postgres/keyed-buy.ts).

import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { BuyResult, Order, QueryResult, Toy } from "../catalog/toy.js";
import { errorCode, StoreError } from "../errors.js";
import type { BuyOptions, CallOptions, StoreClient, Transport } from "./store-client.js";
import { DEFAULT_FAILOVER_MS, type Endpoint } from "./target.js";

export interface FailoverOptions {
  readonly transport: Transport;
  /** The servers of one store, tried in order from `first`, round and round. */
  readonly servers: readonly Endpoint[];
  /** Which server to use first (taken modulo their number): clients pass their own number to spread. */
  readonly first?: number;
  /** A request that hears nothing for this long goes to the next server, ms. Default 3000. */
  readonly failoverMs?: number;
  /** Opens one connection to one server; rejects with a StoreError "unavailable" if it cannot. */
  readonly open: (endpoint: Endpoint, connectTimeoutMs: number) => Promise<StoreClient>;
}

/** After trying every server once, wait this long before the next round: they may be restarting. */
const ROUND_PAUSE_MS = 100;

/** Errors another server may not have: the server is gone, unreachable, or silent. */
function worthAnotherServer(error: unknown): boolean {
  const code = errorCode(error);
  return code === "unavailable" || code === "deadline_exceeded";
}

export class FailoverClient implements StoreClient {
  readonly transport: Transport;
  /** An "unavailable" call does not end this client: the next call connects again. */
  readonly reconnects = true;
  /** How often this client gave a server up and moved to the next. */
  failovers = 0;
  readonly #servers: readonly Endpoint[];
  readonly #failoverMs: number;
  readonly #open: FailoverOptions["open"];
  #current: number;
  /** The connection in use, or being opened; undefined after a failure until the next call. */
  #client: Promise<StoreClient> | undefined;
  /** What #client resolved to, once it has. */
  #live: StoreClient | undefined;
  #closed = false;

  private constructor(options: FailoverOptions) {
    if (options.servers.length === 0) throw new RangeError("a failover client needs at least one server");
    this.transport = options.transport;
    this.#servers = options.servers;
    this.#failoverMs = options.failoverMs ?? DEFAULT_FAILOVER_MS;
    this.#open = options.open;
    this.#current = (options.first ?? 0) % options.servers.length;
  }

  /** Connects to the first server that answers, starting at `first`; rejects if none does. */
  static async connect(options: FailoverOptions): Promise<FailoverClient> {
    const client = new FailoverClient(options);
    let lastError: unknown;
    for (let tried = 0; tried < client.#servers.length; tried++) {
      try {
        await client.#connection();
        return client;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The server requests go to now. */
  get server(): Endpoint {
    return this.#servers[this.#current]!;
  }

  query(name: string, options?: CallOptions): Promise<QueryResult> {
    return this.#call(options, (client, call) => client.query(name, call));
  }

  /** Without a key of the caller's, the buy gets one of its own, so that it may be sent again. */
  buy(name: string, options?: BuyOptions): Promise<BuyResult> {
    const requestKey = options?.requestKey ?? randomUUID();
    const quantity = options?.quantity;
    return this.#call(options, (client, call) =>
      client.buy(name, quantity === undefined ? { ...call, requestKey } : { ...call, requestKey, quantity }),
    );
  }

  /** Reads change nothing, so they are sent again freely. */
  order(id: string, options?: CallOptions): Promise<Order | undefined> {
    return this.#call(options, (client, call) => client.order(id, call));
  }

  list(options?: CallOptions): Promise<readonly Toy[]> {
    return this.#call(options, (client, call) => client.list(call));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    this.#live = undefined;
    await client?.then((c) => c.close()).catch(() => undefined);
  }

  /**
   * Sends the request to the current server and, while it fails in a way
   * another server might not, to the next: each server at most twice, within
   * the call's own deadline when it has one.
   */
  async #call<T>(
    options: CallOptions | undefined,
    send: (client: StoreClient, call: { readonly timeoutMs: number }) => Promise<T>,
  ): Promise<T> {
    const deadline =
      options?.timeoutMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.timeoutMs;
    const attempts = 2 * this.#servers.length;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0 && attempt % this.#servers.length === 0) await sleep(ROUND_PAUSE_MS);
      const left = deadline - performance.now();
      if (left <= 0 || this.#closed) break;
      const timeoutMs = Math.max(1, Math.min(this.#failoverMs, left));
      let client: StoreClient;
      try {
        client = await this.#connection(timeoutMs);
      } catch (error) {
        lastError = error;
        continue;
      }
      try {
        return await send(client, { timeoutMs });
      } catch (error) {
        if (!worthAnotherServer(error)) throw error;
        lastError = error;
        this.#giveUp(client);
      }
    }
    if (this.#closed) throw new StoreError("unavailable", "client closed");
    throw lastError ?? new StoreError("deadline_exceeded", `no answer within ${options?.timeoutMs} ms`);
  }

  /** The open connection, or a new one to the current server; a failed connect moves to the next. */
  #connection(connectTimeoutMs = this.#failoverMs): Promise<StoreClient> {
    if (this.#closed) return Promise.reject(new StoreError("unavailable", "client closed"));
    if (this.#client === undefined) {
      const opening = this.#open(this.server, connectTimeoutMs);
      this.#client = opening;
      // Registered before any caller awaits `opening`, so these run first.
      opening.then(
        (client) => {
          if (this.#client === opening) this.#live = client;
          else void client.close(); // closed or given up while it opened
        },
        () => {
          if (this.#client === opening) this.#advance();
        },
      );
    }
    return this.#client;
  }

  /**
   * Gives up on `client`'s server: closes it (its other calls in flight fail
   * and come back here too) and moves to the next server. Only once per
   * connection, however many of its calls fail.
   */
  #giveUp(client: StoreClient): void {
    if (this.#live !== client) return;
    this.#advance();
    void client.close();
  }

  #advance(): void {
    this.#client = undefined;
    this.#live = undefined;
    this.#current = (this.#current + 1) % this.#servers.length;
    this.failovers++;
  }
}
