// Buyers for the fault tests: clients that each make a bounded number of buys,
// each under its own idempotency key, and keep the books of what they were
// told, so that a test can check them against the database after a fault.

import type { StoreClient } from "../../src/client/store-client.js";
import { errorCode } from "../../src/errors.js";

export interface BuyerBooks {
  /** Buys answered "bought", and the order ids they were given (distinct if nothing sold twice). */
  acknowledged: number;
  readonly orderIds: Set<string>;
  /** Acknowledged buys that came with an order id (gRPC and HTTP give one; the socket protocol does not). */
  withOrderId: number;
  soldOut: number;
  /** Buys that failed, by error code, and their keys, to send again once the fault is over. */
  readonly errors: Record<string, number>;
  readonly unsettled: { key: string; toy: string }[];
  /** The longest any buy took, answered or not, ms. */
  longestMs: number;
}

export interface BuyerPlan {
  readonly toys: readonly string[];
  readonly buysPerClient: number;
  /** Each buy's own deadline, ms. */
  readonly timeoutMs: number;
  /** Keys are `${prefix}-${client}-${buy}`. */
  readonly prefix: string;
  /** Told after every answered buy, with the books so far. */
  readonly onAnswer?: (books: BuyerBooks) => void;
}

export function newBooks(): BuyerBooks {
  return {
    acknowledged: 0,
    orderIds: new Set(),
    withOrderId: 0,
    soldOut: 0,
    errors: {},
    unsettled: [],
    longestMs: 0,
  };
}

/** Every client buys `buysPerClient` times, one buy at a time, all clients at once. */
export async function runKeyedBuyers(
  clients: readonly StoreClient[],
  plan: BuyerPlan,
  books: BuyerBooks = newBooks(),
): Promise<BuyerBooks> {
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < plan.buysPerClient; i++) {
        const key = `${plan.prefix}-${c}-${i}`;
        const toy = plan.toys[(c + i) % plan.toys.length]!;
        await buyOnce(client, key, toy, plan.timeoutMs, books);
        plan.onAnswer?.(books);
      }
    }),
  );
  return books;
}

/** Sends the buys that failed again, under their keys: each then answers what it did the first time, if it did anything. */
export async function settle(client: StoreClient, books: BuyerBooks, timeoutMs: number): Promise<void> {
  const unsettled = books.unsettled.splice(0);
  for (const { key, toy } of unsettled) await buyOnce(client, key, toy, timeoutMs, books);
}

async function buyOnce(
  client: StoreClient,
  key: string,
  toy: string,
  timeoutMs: number,
  books: BuyerBooks,
): Promise<void> {
  const started = performance.now();
  try {
    const result = await client.buy(toy, { requestKey: key, timeoutMs });
    if (result.kind === "bought") {
      books.acknowledged++;
      if (result.orderId !== undefined) {
        books.withOrderId++;
        books.orderIds.add(result.orderId);
      }
    } else if (result.kind === "sold_out") books.soldOut++;
  } catch (error) {
    const code = errorCode(error);
    books.errors[code] = (books.errors[code] ?? 0) + 1;
    books.unsettled.push({ key, toy });
  } finally {
    books.longestMs = Math.max(books.longestMs, performance.now() - started);
  }
}
