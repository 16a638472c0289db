// The catalog's vocabulary: toys, and the outcomes of Query and Buy as values.

/** One toy as the catalog holds it. Prices are integer cents: never a float inside the store. */
export interface Toy {
  /** Display name, as written in the catalog (matching is case-insensitive). */
  readonly name: string;
  /** Price in cents, a non-negative safe integer. */
  readonly priceCents: number;
  /** Units left, a non-negative safe integer. */
  readonly stock: number;
}

/** Query's outcome: business results are values, not errors. */
export type QueryResult =
  | { readonly kind: "in_stock"; readonly priceCents: number; readonly stock: number }
  | { readonly kind: "sold_out" }
  | { readonly kind: "not_found" };

/**
 * Buy's outcome. `stockLeft` is the stock right after this buy and `orderId`
 * the order it recorded; the store always sets both, but a client only knows
 * them where the wire carries them (gRPC does; the socket protocol v1 answers
 * a bare "1").
 */
export type BuyResult =
  | { readonly kind: "bought"; readonly stockLeft?: number; readonly orderId?: string }
  | { readonly kind: "sold_out" }
  | { readonly kind: "not_found" };

/** One sale, recorded with the stock change that made it. */
export interface Order {
  /** Unique within the store. */
  readonly id: string;
  /** The toy's display name. */
  readonly toy: string;
  /** The price it was sold at, in cents. */
  readonly unitPriceCents: number;
  /** When it was sold, ISO 8601. */
  readonly time: string;
}

export type Op = "query" | "buy";

/** A decoded request, the same for every transport. */
export interface StoreRequest {
  readonly op: Op;
  readonly name: string;
  /**
   * A buy's idempotency key, chosen by the client: a buy retried with the same
   * key (on any server of one store) answers the first one's outcome and sells
   * nothing more. Queries ignore it.
   */
  readonly requestKey?: string | undefined;
}

export type StoreResult = QueryResult | BuyResult;

/** Results are immutable, so the two that carry no data are shared instances. */
export const SOLD_OUT = Object.freeze({ kind: "sold_out" as const });
export const NOT_FOUND = Object.freeze({ kind: "not_found" as const });

/**
 * The canonical form of a name for lookups: surrounding whitespace dropped,
 * Unicode composed (NFC, so "é" typed either way matches), case folded.
 */
export function normalizeName(name: string): string {
  return name.trim().normalize("NFC").toLowerCase();
}

/** Formats integer cents as a decimal with two places: 1999 -> "19.99". */
export function formatPrice(cents: number): string {
  const whole = Math.trunc(cents / 100);
  const frac = cents % 100;
  return `${whole}.${frac < 10 ? "0" : ""}${frac}`;
}

/**
 * Parses a decimal price ("19.99", "5", "0.5", or a JSON number) into integer cents.
 * Returns undefined when the value is not a non-negative amount with at most two decimals.
 */
export function parsePriceCents(value: unknown): number | undefined {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === "string") {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text);
  if (match === null) return undefined;
  const whole = Number(match[1]);
  const frac = match[2] === undefined ? 0 : Number(match[2].padEnd(2, "0"));
  return whole * 100 + frac;
}
