// The idempotency keys of the stores one process owns (memory, sqlite): which
// buy each key made, so that a retry answers the same outcome and sells nothing
// more. Bounded twice: a key is forgotten after `ttlMs`, and beyond `limit`
// keys the oldest go first. (PostgreSQL keeps its keys in a table; see
// stores/postgres/keyed-buy.ts.)

import type { SaleResult } from "../catalog/toy.js";

/**
 * What a key did: the toy it bought (normalized name), the units it asked
 * for, and the outcome, once known. A key asked again with another toy or
 * another quantity is a client's bug (keyReused), never a retry.
 */
export interface KeyedBuy {
  readonly toyKey: string;
  readonly quantity: number;
  /** Settles with the first buy's outcome; rejects if it failed (the key is then forgotten). */
  readonly outcome: Promise<SaleResult>;
}

interface Entry extends KeyedBuy {
  readonly at: number;
}

/** A day: longer than any client retries for. */
export const REQUEST_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** Keys kept at most (about 20 MB at the longest keys). */
export const REQUEST_KEY_LIMIT = 100_000;

export class RequestKeys {
  // A Map iterates in insertion order, and entries are inserted as time goes on: oldest first.
  readonly #entries = new Map<string, Entry>();

  constructor(
    readonly limit = REQUEST_KEY_LIMIT,
    readonly ttlMs = REQUEST_KEY_TTL_MS,
    readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The buy `key` made, if it made one within the last `ttlMs`. */
  get(key: string): KeyedBuy | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.now() - entry.at >= this.ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Records the buy `key` is making; forgets what expired and, beyond the limit, the oldest. */
  set(key: string, buy: KeyedBuy): void {
    const now = this.now();
    this.#entries.delete(key);
    this.#entries.set(key, { toyKey: buy.toyKey, quantity: buy.quantity, outcome: buy.outcome, at: now });
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.limit && now - entry.at < this.ttlMs) break;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
