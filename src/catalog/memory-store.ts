// The in-memory store, as in the original design: the catalog in this process,
// nothing written anywhere. A restart forgets every sale; the latest orders
// can be read back.

import {
  type CatalogStore,
  checkQuantity,
  orderNumber,
  type RefillResult,
  type Restock,
  restockedStock,
  ToyIndex,
} from "./catalog-store.js";
import { NOT_FOUND, refilled, SOLD_OUT, saleOf, stockReport } from "./outcomes.js";
import type { Order, SaleResult, StockReport, Toy } from "./toy.js";

interface Entry {
  readonly name: string;
  priceCents: number;
  stock: number;
}

/** How many orders the in-memory store keeps: the latest, so its memory stays bounded. */
export const IN_MEMORY_ORDERS_KEPT = 10_000;

/** An order as the memory store keeps it: the time as a number, formatted only when read. */
interface KeptOrder {
  readonly id: number;
  readonly entry: Entry;
  readonly quantity: number;
  /** The unit price paid: a restock may change the toy's later. */
  readonly priceCents: number;
  readonly atMs: number;
}

/** The catalog in a ToyIndex; the latest orders in a ring indexed by order number. */
export class InMemoryCatalog implements CatalogStore {
  readonly #toys = new ToyIndex<Entry>();
  // A ring, not a Map: dropping the oldest order is an overwrite, and a buy pays O(1) whatever came before.
  readonly #orders: (KeptOrder | undefined)[];
  #lastOrder = 0;

  /**
   * Throws on a duplicate name; callers validate toys first (see
   * loadCatalogFile). Keeps the latest `ordersKept` orders (default 10 000).
   */
  constructor(toys: readonly Toy[], ordersKept = IN_MEMORY_ORDERS_KEPT) {
    this.#orders = new Array<KeptOrder | undefined>(ordersKept);
    for (const toy of toys) this.#toys.add({ name: toy.name, priceCents: toy.priceCents, stock: toy.stock });
  }

  query(name: string): StockReport {
    const entry = this.#toys.get(name);
    if (entry === undefined) return NOT_FOUND;
    return stockReport(entry.name, entry.priceCents, entry.stock);
  }

  /** All or nothing, in one synchronous step: no other request runs between the check and the sale. */
  buy(name: string, quantity: number): SaleResult {
    checkQuantity(quantity);
    const entry = this.#toys.get(name);
    if (entry === undefined) return NOT_FOUND;
    if (entry.stock < quantity) return SOLD_OUT;
    entry.stock -= quantity;
    const id = ++this.#lastOrder;
    const priceCents = entry.priceCents;
    this.#orders[id % this.#orders.length] = { id, entry, quantity, priceCents, atMs: Date.now() };
    return saleOf(entry, id, quantity, priceCents);
  }

  order(id: string): Order | undefined {
    const n = orderNumber(id);
    if (n === undefined) return undefined;
    const kept = this.#orders[n % this.#orders.length];
    if (kept?.id !== n) return undefined;
    return {
      id,
      toy: kept.entry.name,
      quantity: kept.quantity,
      unitPriceCents: kept.priceCents,
      time: new Date(kept.atMs).toISOString(),
    };
  }

  list(): readonly Toy[] {
    return Array.from(this.#toys.values(), (e) => ({
      name: e.name,
      priceCents: e.priceCents,
      stock: e.stock,
    }));
  }

  restock(name: string, change: Restock): Toy | undefined {
    const entry = this.#toys.get(name);
    if (entry === undefined) return undefined;
    entry.stock = restockedStock(entry.stock, change);
    if (change.priceCents !== undefined) entry.priceCents = change.priceCents;
    return { name: entry.name, priceCents: entry.priceCents, stock: entry.stock };
  }

  /** Every sold-out toy back to `to` units, in one synchronous step: no buy runs in between. */
  refill(to: number): RefillResult {
    const toys: Toy[] = [];
    for (const entry of this.#toys.values()) {
      if (entry.stock !== 0) continue;
      entry.stock = to;
      toys.push({ name: entry.name, priceCents: entry.priceCents, stock: to });
    }
    return refilled(toys);
  }
}
