// The HTTP API's JSON shapes: what the server sends and the storefront and
// the HTTP client read, and the functions that build them from what the store
// decided. Prices travel both as a decimal string and as cents. Shapes only
// grow: a field, once sent, keeps its name and meaning.

import { formatPrice, type Order, type Sale } from "../../catalog/toy.js";

/** GET /api/toys/{name}, and each entry of GET /api/toys. */
export interface ToyJson {
  readonly name: string;
  /** "19.99" */
  readonly price: string;
  readonly priceCents: number;
  readonly stock: number;
}

/** GET /api/toys */
export interface ToyListJson {
  readonly toys: readonly ToyJson[];
}

/** The body of POST /api/toys/{name}/buy, optional: no body, or no quantity, buys one. */
export interface BuyBodyJson {
  /** Units to buy, 1 to MAX_QUANTITY, all or nothing. */
  readonly quantity?: number;
}

/** 200 to POST /api/toys/{name}/buy: the sale as the store recorded it. */
export interface BoughtJson {
  readonly toy: string;
  /** The unit price paid (as unitPrice; kept under this name for the clients that read it). */
  readonly price: string;
  readonly priceCents: number;
  readonly stockLeft: number;
  readonly orderId?: string;
  readonly quantity: number;
  readonly unitPrice: string;
  readonly unitPriceCents: number;
}

/** GET /api/orders/{id} */
export interface OrderJson {
  readonly id: string;
  readonly toy: string;
  /** The unit price paid (as unitPrice; kept under this name for the clients that read it). */
  readonly price: string;
  readonly priceCents: number;
  /** ISO 8601 */
  readonly time: string;
  readonly quantity: number;
  readonly unitPrice: string;
  readonly unitPriceCents: number;
}

/** One Server-Sent Event of GET /api/events, `event: stock`: a toy's stock after a sale or a restock, any transport, any server of a shared store that announces. */
export interface StockEventJson {
  readonly name: string;
  readonly stock: number;
}

/**
 * `event: snapshot` of GET /api/events: every toy's stock, by display name,
 * first on each stream and again after the server may have missed changes
 * (its store's listening connection was lost and is back). The stock events
 * that follow it apply on top of it.
 */
export interface SnapshotEventJson {
  readonly stock: Readonly<Record<string, number>>;
}

/** An error, as application/problem+json (RFC 9457). */
export interface ProblemJson {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
}

/** GET /api/stats: the storefront's live panel, from the server's own metrics. */
export interface StatsJson {
  readonly transports: Readonly<
    Record<
      string,
      {
        /** Requests answered per second, over the last few seconds. */
        readonly requestsPerSecond: number;
        /** p99 latency of the requests answered since start, ms; null before any. */
        readonly p99Ms: number | null;
        readonly busy: number;
        readonly queued: number;
      }
    >
  >;
}

/** A toy as GET /api/toys/{name} shows it (a sold-out toy has stock 0). */
export function toyJson(name: string, priceCents: number, stock: number): ToyJson {
  return { name, price: formatPrice(priceCents), priceCents, stock };
}

/** A sale as POST /api/toys/{name}/buy answers it: every figure the store decided, none looked up here. */
export function boughtJson(sale: Sale): BoughtJson {
  const price = formatPrice(sale.unitPriceCents);
  return {
    toy: sale.toy,
    price,
    priceCents: sale.unitPriceCents,
    stockLeft: sale.stockLeft,
    orderId: sale.orderId,
    quantity: sale.quantity,
    unitPrice: price,
    unitPriceCents: sale.unitPriceCents,
  };
}

/** An order as GET /api/orders/{id} answers it. */
export function orderJson(order: Order): OrderJson {
  const price = formatPrice(order.unitPriceCents);
  return {
    id: order.id,
    toy: order.toy,
    price,
    priceCents: order.unitPriceCents,
    time: order.time,
    quantity: order.quantity,
    unitPrice: price,
    unitPriceCents: order.unitPriceCents,
  };
}
