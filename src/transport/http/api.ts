// The HTTP API's JSON shapes: what the server sends and the storefront and
// the HTTP client read. Prices travel both as a decimal string and as cents.

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

/** 200 to POST /api/toys/{name}/buy. `orderId` where the store records orders (every store here does). */
export interface BoughtJson {
  readonly toy: string;
  readonly price: string;
  readonly priceCents: number;
  readonly stockLeft: number;
  readonly orderId?: string;
}

/** GET /api/orders/{id} */
export interface OrderJson {
  readonly id: string;
  readonly toy: string;
  readonly price: string;
  readonly priceCents: number;
  /** ISO 8601 */
  readonly time: string;
}

/** One Server-Sent Event of GET /api/events, `event: stock`: a toy's stock after a sale or a restock, any transport. */
export interface StockEventJson {
  readonly name: string;
  readonly stock: number;
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
