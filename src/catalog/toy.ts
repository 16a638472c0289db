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

/** Query's outcome as a client knows it: business results are values, not errors. */
export type QueryResult =
  | {
      readonly kind: "in_stock";
      readonly name?: string;
      readonly priceCents: number;
      readonly stock: number;
    }
  | { readonly kind: "sold_out"; readonly name?: string; readonly priceCents?: number }
  | { readonly kind: "not_found" };

/**
 * Query's outcome as the store decided it: the toy's display name and price
 * come with it, sold out or not, so no transport looks them up on its own.
 */
export type StockReport =
  | { readonly kind: "in_stock"; readonly name: string; readonly priceCents: number; readonly stock: number }
  | { readonly kind: "sold_out"; readonly name: string; readonly priceCents: number }
  | { readonly kind: "not_found" };

/**
 * Buy's outcome as a client knows it: a store always sets every field of a
 * sale (see Sale), but a client knows only what its wire carries (the socket
 * protocol's plain `Buy:` answers a bare "1").
 */
export type BuyResult =
  | {
      readonly kind: "bought";
      readonly stockLeft?: number;
      readonly orderId?: string;
      readonly unitPriceCents?: number;
      readonly quantity?: number;
    }
  | { readonly kind: "sold_out" }
  | { readonly kind: "not_found" };

/**
 * A sale as the store decided it: the stock right after it, the order it
 * recorded, the unit price actually paid and the units sold. Transports answer
 * from this and never look a price up on their own.
 */
export interface Sale {
  readonly kind: "bought";
  /** The toy's display name. */
  readonly toy: string;
  readonly stockLeft: number;
  readonly orderId: string;
  readonly unitPriceCents: number;
  readonly quantity: number;
}

/** What a store answers a buy with: all or nothing (fewer left than asked is sold out, nothing sold). */
export type SaleResult = Sale | { readonly kind: "sold_out" } | { readonly kind: "not_found" };

/** One sale, recorded with the stock change that made it. */
export interface Order {
  /** Unique within the store. */
  readonly id: string;
  /** The toy's display name. */
  readonly toy: string;
  /** Units sold, at least 1. */
  readonly quantity: number;
  /** The price of one unit it was sold at, in cents. */
  readonly unitPriceCents: number;
  /** When it was sold, ISO 8601. */
  readonly time: string;
}

/** The most units one buy may ask for. */
export const MAX_QUANTITY = 1_000_000;

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
