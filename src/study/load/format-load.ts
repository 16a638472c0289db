// The human summary of a load run, as `toystore load` prints it.

import { formatHostPort } from "../../net/host-port.js";
import { formatCounts, formatMeasurement } from "../measure/results.js";
import { failedOrders, orderCheckFailure } from "./order-check.js";
import type { LoadResults, OpResults, SessionResults } from "./results.js";
import { SESSION_MAX_QUANTITY } from "./session-loop.js";

/** A few lines: what ran, the latency statistics, per-client means, throughput, errors and why it stopped. */
export function formatLoadResults(results: LoadResults): string {
  const { options: o } = results;
  const session = results.session;
  const what = session === undefined ? `${o.op} requests` : "session steps";
  const bound = o.durationMs === null ? `${o.requests} ${what} each` : `${what} for ${o.durationMs / 1000} s`;
  const step =
    session === undefined
      ? ""
      : ` (a step: a query, then with probability ${session.buyProbability} a buy of 1 to ${SESSION_MAX_QUANTITY} if in stock)`;
  const mode = o.ratePerSecond === null ? "closed loop" : `open loop at ${o.ratePerSecond} req/s`;
  const processes = o.inProcess
    ? "in one process"
    : o.clientsPerProcess === 1
      ? "one process per client"
      : `${o.clientsPerProcess} clients per process`;
  const where =
    o.servers === undefined
      ? formatHostPort(o.host, o.port)
      : `${o.servers.map((s) => formatHostPort(s.host, s.port)).join(", ")}; ${results.failovers ?? 0} failovers`;
  return [
    `${o.clients} client${o.clients === 1 ? "" : "s"} x ${bound}${step} over ${o.transport} (${where}), ${mode}, ${processes}`,
    ...formatMeasurement(results),
    ...(session === undefined ? [] : formatSession(session)),
    `per-client mean ms   ${results.perClient.map((c) => c.meanMs.toFixed(1)).join("  ")}`,
    `outcomes   ${formatCounts(results.outcomes)}`,
    "",
  ].join("\n");
}

/** A session's own lines: latency per request type, and how its orders checked out. */
function formatSession(session: SessionResults): string[] {
  const { orders } = session;
  const failed = failedOrders(orders);
  const unchecked = orders.unchecked === 0 ? "" : `, ${orders.unchecked} left unchecked (stopped)`;
  return [
    formatOp("query", session.query),
    formatOp("buy", session.buy),
    failed === 0
      ? `orders   ${orders.verified} of ${orders.recorded} verified${unchecked}`
      : `orders   ${orders.verified} of ${orders.recorded} verified${unchecked}; ${orderCheckFailure(orders)}`,
  ];
}

function formatOp(name: string, op: OpResults): string {
  const { latency: l } = op;
  const ms = (value: number) => (value < 10 ? value.toFixed(3) : value.toFixed(1));
  const errors = Object.keys(op.errors).length === 0 ? "" : `   errors ${formatCounts(op.errors)}`;
  return `${`${name} ms`.padEnd(9)}   mean ${ms(l.mean)}   p50 ${ms(l.p50)}   p99 ${ms(l.p99)}   max ${ms(l.max)}   (${l.count} requests: ${formatCounts(op.outcomes)})${errors}`;
}
