// The session's check (`load --session`): once a client's run is over, it
// reads every order it was told about back over its own connection and
// compares the store's toy and quantity with what it bought. Not timed. Also
// merging the clients' checks, and the words a failed check is reported in.

import { normalizeName } from "../../catalog/toy.js";
import type { StoreClient } from "../../client/store-client.js";
import { errorCode } from "../../errors.js";
import { addCounts } from "../measure/results.js";
import type { OrderCheck, OrderProblem } from "./results.js";
import type { RecordedOrder } from "./session-loop.js";

/** Order lookups one client keeps in flight: enough to read thousands back quickly, few enough to be polite. */
const LOOKUPS_IN_FLIGHT = 8;
/** A lookup's deadline when the run has none (--timeout-ms), so the check always ends. */
export const ORDER_LOOKUP_TIMEOUT_MS = 10_000;
/** Problems kept per client, and in a run's merged check: a report names the first few. */
export const PROBLEMS_KEPT = 10;

/**
 * Reads `orders` back on `client` and compares each with what client
 * `clientIndex` bought (the toy's name matched as the store matches it).
 * Never rejects: a lookup that fails is a problem ("unreadable"); once a
 * client that does not reconnect lost its connection, the rest are too,
 * without being sent. After `signal` fires the rest are left unchecked.
 */
export async function checkOrders(
  client: StoreClient,
  clientIndex: number,
  orders: readonly RecordedOrder[],
  timeoutMs: number | null,
  signal?: AbortSignal,
): Promise<OrderCheck> {
  const call = { timeoutMs: timeoutMs ?? ORDER_LOOKUP_TIMEOUT_MS };
  const failed: Record<string, number> = {};
  // With the order's position, so that the problems can be listed in the order they were bought.
  const problems: { readonly at: number; readonly problem: OrderProblem }[] = [];
  let verified = 0;
  let unchecked = 0;
  let lostCode: string | null = null;
  const checkOne = async (order: RecordedOrder, at: number): Promise<void> => {
    const fail = (problem: Pick<OrderProblem, "problem" | "found" | "code">) => {
      failed[problem.problem] = (failed[problem.problem] ?? 0) + 1;
      const { toy, quantity, id } = order;
      if (problems.length < PROBLEMS_KEPT)
        problems.push({ at, problem: { client: clientIndex, orderId: id, toy, quantity, ...problem } });
    };
    if (signal?.aborted) {
      unchecked++;
      return;
    }
    if (order.id === null) return fail({ problem: "no_order_id" });
    if (lostCode !== null) return fail({ problem: "unreadable", code: lostCode });
    try {
      const found = await client.order(order.id, call);
      if (found === undefined) fail({ problem: "missing" });
      else if (normalizeName(found.toy) !== normalizeName(order.toy) || found.quantity !== order.quantity)
        fail({ problem: "mismatch", found: { toy: found.toy, quantity: found.quantity } });
      else verified++;
    } catch (error) {
      const code = errorCode(error);
      if (code === "unavailable" && client.reconnects !== true) lostCode = code;
      fail({ problem: "unreadable", code });
    }
  };
  let next = 0;
  const worker = async () => {
    for (let at = next++; at < orders.length; at = next++) await checkOne(orders[at]!, at);
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUPS_IN_FLIGHT, orders.length) }, worker));
  // Lookups finish out of order: list the problems in the order of the buys.
  problems.sort((a, b) => a.at - b.at);
  return { recorded: orders.length, verified, unchecked, failed, problems: problems.map((p) => p.problem) };
}

/** The clients' checks as one: counts added, the first few problems in client order. */
export function mergeOrderChecks(checks: readonly OrderCheck[]): OrderCheck {
  const sum = (read: (check: OrderCheck) => number) =>
    checks.reduce((total, check) => total + read(check), 0);
  return {
    recorded: sum((check) => check.recorded),
    verified: sum((check) => check.verified),
    unchecked: sum((check) => check.unchecked),
    failed: addCounts(checks.map((check) => check.failed)),
    problems: checks.flatMap((check) => check.problems).slice(0, PROBLEMS_KEPT),
  };
}

/** Orders that did not check out, of every kind. */
export function failedOrders(check: OrderCheck): number {
  return Object.values(check.failed).reduce((total, n) => total + n, 0);
}

/** One problem in words: "order 7 (client 1): bought Tux x3, the store's order says Tux x2". */
export function describeOrderProblem(p: OrderProblem): string {
  const bought = `bought ${p.toy} x${p.quantity}`;
  const which = p.orderId === null ? `a buy (client ${p.client})` : `order ${p.orderId} (client ${p.client})`;
  switch (p.problem) {
    case "mismatch":
      return `${which}: ${bought}, the store's order says ${p.found?.toy} x${p.found?.quantity}`;
    case "missing":
      return `${which}: ${bought}, the store has no such order`;
    case "unreadable":
      return `${which}: ${bought}, could not be read back (${p.code ?? "internal"})`;
    case "no_order_id":
      return `${which}: ${bought}, answered without an order id`;
  }
}

/** How many problems a failure message lists. */
const PROBLEMS_LISTED = 3;

/**
 * The one message of a check that failed: how many orders did not check out,
 * by kind, and the first few; undefined when every order checked out.
 */
export function orderCheckFailure(check: OrderCheck): string | undefined {
  const failed = failedOrders(check);
  if (failed === 0) return undefined;
  const kinds = Object.entries(check.failed)
    .map(([kind, n]) => `${n} ${kind.replaceAll("_", " ")}`)
    .join(", ");
  const listed = check.problems.slice(0, PROBLEMS_LISTED).map(describeOrderProblem).join("; ");
  const more = failed > PROBLEMS_LISTED ? "; ..." : "";
  return `${failed} of ${check.recorded} orders did not check out (${kinds}): ${listed}${more}`;
}
