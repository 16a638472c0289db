// The one client interface: the CLI, the load generator and the tests talk to
// the store through it, whatever the transport.

import type { BuyResult, Order, QueryResult, Toy } from "../catalog/toy.js";

/**
 * The transports a client can speak; the list is the order tools name them in.
 * "original-socket" is the Toy Store design document's own socket protocol
 * (a connection per request, query and buy of one only).
 */
export const TRANSPORTS = ["socket", "grpc", "http", "original-socket"] as const;

export type Transport = (typeof TRANSPORTS)[number];

export interface CallOptions {
  /** Give up after this many milliseconds (the call rejects with code "deadline_exceeded"). */
  readonly timeoutMs?: number;
  /**
   * A buy's idempotency key (1 to 100 visible ASCII characters, no spaces or
   * ':'): retried with the same key, on any server of the store, the buy
   * answers the first one's outcome and sells nothing more. Queries ignore it.
   */
  readonly requestKey?: string;
}

export interface BuyOptions extends CallOptions {
  /** Units to buy, 1 (default) to MAX_QUANTITY: all or nothing (fewer left than asked is sold out, nothing sold). */
  readonly quantity?: number;
}

/**
 * A connection to a toy store. Many calls may be in flight at once; each
 * resolves with the business outcome, or rejects with a StoreError
 * (busy, bad_request, unavailable, deadline_exceeded, ...).
 */
export interface StoreClient {
  readonly transport: Transport;
  /**
   * True when a lost connection does not end the client: a call after an
   * "unavailable" one connects again (a FailoverClient). Absent: the client is done.
   */
  readonly reconnects?: boolean;
  /** How often the client moved to another server, when it can (a FailoverClient). */
  readonly failovers?: number;
  query(name: string, options?: CallOptions): Promise<QueryResult>;
  buy(name: string, options?: BuyOptions): Promise<BuyResult>;
  /** An order by id, as the store recorded it; undefined when there is none. */
  order(id: string, options?: CallOptions): Promise<Order | undefined>;
  /** Every toy in the catalog, in catalog order. */
  list(options?: CallOptions): Promise<readonly Toy[]>;
  /** Stops the connection; calls still in flight reject with "unavailable". Idempotent. */
  close(): Promise<void>;
}
