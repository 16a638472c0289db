// A fake StoreClient for the session's unit tests: a catalog in a Map that
// answers queries and buys (all or nothing, with an order each) and reads
// orders back, counting every call; `tamper` makes it lie about an order.

import type { BuyResult, Order, QueryResult } from "../../catalog/toy.js";
import { normalizeName } from "../../catalog/toy.js";
import type { BuyOptions, StoreClient } from "../../client/store-client.js";
import { StoreError } from "../../errors.js";

export interface FakeStoreOptions {
  /** Stock by toy name; a toy not listed is not found. Default: Tux 1000, Lion 0. */
  readonly stock?: Readonly<Record<string, number>>;
  /** What order(id) answers instead of the truth (undefined: no such order). */
  readonly tamper?: (order: Order) => Order | undefined;
  /** Buys answer "bought" without an order id. */
  readonly withoutOrderIds?: boolean;
  /** Every order lookup fails with this code. */
  readonly lookupFails?: StoreError["code"];
  /** The n-th query (1-based) and every later call fail with "unavailable": the connection is gone. */
  readonly loseConnectionAtQuery?: number;
}

/** The fake, with what it was asked. */
export interface FakeStoreClient extends StoreClient {
  readonly calls: { query: number; buy: number; order: number };
  /** Every order it made, by id. */
  readonly orders: ReadonlyMap<string, Order>;
  /** The names it was asked to buy, in order. */
  readonly bought: string[];
}

export function createFakeStoreClient(options: FakeStoreOptions = {}): FakeStoreClient {
  const stock = new Map(Object.entries(options.stock ?? { Tux: 1000, Lion: 0 }).map(([k, v]) => [k, v]));
  const display = new Map([...stock.keys()].map((name) => [normalizeName(name), name]));
  const orders = new Map<string, Order>();
  const calls = { query: 0, buy: 0, order: 0 };
  const bought: string[] = [];
  let lost = false;
  const check = () => {
    if (lost) throw new StoreError("unavailable", "connection closed");
  };
  return {
    transport: "socket",
    calls,
    orders,
    bought,
    async query(name): Promise<QueryResult> {
      calls.query++;
      if (calls.query === options.loseConnectionAtQuery) lost = true;
      check();
      const toy = display.get(normalizeName(name));
      if (toy === undefined) return { kind: "not_found" };
      const left = stock.get(toy)!;
      return left === 0 ? { kind: "sold_out" } : { kind: "in_stock", priceCents: 1999, stock: left };
    },
    async buy(name, buyOptions?: BuyOptions): Promise<BuyResult> {
      calls.buy++;
      check();
      bought.push(name);
      const quantity = buyOptions?.quantity ?? 1;
      const toy = display.get(normalizeName(name));
      if (toy === undefined) return { kind: "not_found" };
      const left = stock.get(toy)!;
      if (left < quantity) return { kind: "sold_out" };
      stock.set(toy, left - quantity);
      const id = String(orders.size + 1);
      orders.set(id, { id, toy, quantity, unitPriceCents: 1999, time: new Date(0).toISOString() });
      return options.withoutOrderIds === true
        ? { kind: "bought" }
        : { kind: "bought", orderId: id, quantity, stockLeft: left - quantity, unitPriceCents: 1999 };
    },
    async order(id): Promise<Order | undefined> {
      calls.order++;
      check();
      if (options.lookupFails !== undefined) throw new StoreError(options.lookupFails, "lookup failed");
      const order = orders.get(id);
      if (order === undefined) return undefined;
      return options.tamper === undefined ? order : options.tamper(order);
    },
    async list() {
      return [];
    },
    async close() {
      lost = true;
    },
  };
}
