// The socket protocol's replies, both directions: a result or an error to its
// reply (server), a reply back to a result (client). One table maps error
// codes to the wire.
//
//   Query    "<price> <stock>" | "0" (sold out) | "-1" (no such toy)
//   Buy      "1" (bought) | "0" (sold out: fewer left than asked) | "-1"
//   Buy*<n>  "1 <order id> <unit price> <stock left>" | "0" | "-1"
//   Order    "<id> <quantity> <unit price> <time> <toy>" | "-1"
//   List     "<n>", then n lines "<price> <stock> <toy>"
//   errors   "ERR <reason>"

import {
  type BuyResult,
  formatPrice,
  type Order,
  parsePriceCents,
  type QueryResult,
  type Toy,
} from "../catalog/toy.js";
import { type ErrorCode, StoreError } from "../errors.js";
import type { ListOutcome, OpName, OrderOutcome, StoreResult } from "../service/operations/index.js";
import type { SocketRequest } from "./requests.js";

/** The reply for a result, without its final line end (a list's reply holds several lines). */
export function encodeResult(request: SocketRequest, result: StoreResult): string {
  switch (result.kind) {
    case "in_stock":
      return `${formatPrice(result.priceCents)} ${result.stock}`;
    case "bought":
      return request.op === "buy" && request.detailed === true
        ? `1 ${result.orderId} ${formatPrice(result.unitPriceCents)} ${result.stockLeft}`
        : "1";
    case "sold_out":
      return "0";
    case "not_found":
      return "-1";
    case "order": {
      const { id, quantity, unitPriceCents, time, toy } = result.order;
      return `${id} ${quantity} ${formatPrice(unitPriceCents)} ${time} ${toy}`;
    }
    case "list": {
      let out = String(result.toys.length);
      for (const toy of result.toys) out += `\n${formatPrice(toy.priceCents)} ${toy.stock} ${toy.name}`;
      return out;
    }
    case "restocked":
      return `${formatPrice(result.toy.priceCents)} ${result.toy.stock}`;
    // The server's own refill (see operations/refill.ts): no method of the protocol asks for one.
    case "refilled":
    case "not_due":
      return encodeError(new StoreError("internal", "internal error"));
  }
}

/** Error codes on the wire: the one table for the socket transport. */
const ERROR_REPLIES: Readonly<Record<ErrorCode, string | undefined>> = {
  // undefined: the error's own message is the reason (it names what was wrong).
  bad_request: undefined,
  line_too_long: "line too long",
  busy: "busy: too many requests queued, try again",
  shutting_down: "shutting down",
  deadline_exceeded: "deadline exceeded",
  cancelled: "cancelled",
  unavailable: "unavailable",
  internal: "internal error",
};

/**
 * Connection-level replies: the last line a connection gets before the server
 * closes it. They answer no request of their own (a refused connection may not
 * have sent one yet), so they are lines rather than error codes.
 */
export const TOO_MANY_CONNECTIONS_REPLY = "ERR too many connections";
/** A line was started and not finished within the line timeout (slow or stuck client). */
export const LINE_TIMEOUT_REPLY = "ERR line timeout";

/** The reply line for an error, "ERR <reason>"; causes never reach the client. */
export function encodeError(error: StoreError): string {
  return `ERR ${ERROR_REPLIES[error.code] ?? error.message}`;
}

/** The reverse of ERROR_REPLIES, for clients; the connection-level lines mean the server is closing the connection. */
const CODES_BY_REASON: ReadonlyMap<string, ErrorCode> = new Map<string, ErrorCode>([
  ...Object.entries(ERROR_REPLIES).flatMap(([code, reason]) =>
    reason === undefined ? [] : [[reason, code as ErrorCode] as const],
  ),
  [TOO_MANY_CONNECTIONS_REPLY.slice(4), "unavailable"],
  [LINE_TIMEOUT_REPLY.slice(4), "unavailable"],
]);

/** The error code of an "ERR <reason>" reply: a reason the table does not name is the server's message for a bad request. */
export function errorCodeOf(reason: string): ErrorCode {
  return CODES_BY_REASON.get(reason) ?? (reason.startsWith("busy") ? "busy" : "bad_request");
}

/** How many lines follow the first line of a reply to `op`: a list's count; 0 for anything else or an error. */
export function linesToFollow(op: OpName, firstLine: string): number {
  if (op !== "list" || firstLine.startsWith("ERR ")) return 0;
  const n = Number(firstLine);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** What a reply line decodes to on the client: one result kind per operation. */
export type ParsedReply = QueryResult | BuyResult | OrderOutcome | ListOutcome | StoreError;

/** Parses a reply (its lines) to a request of `op`; an ERR line or garbage becomes a StoreError. */
export function parseReply(lines: readonly string[], op: OpName): ParsedReply {
  const line = lines[0] ?? "";
  if (line.startsWith("ERR ")) {
    const reason = line.slice(4);
    return new StoreError(errorCodeOf(reason), reason);
  }
  if (line === "-1" && op !== "list") return { kind: "not_found" };
  if (line === "0" && (op === "query" || op === "buy")) return { kind: "sold_out" };
  const parsed = parseOk(lines, op);
  return (
    parsed ?? new StoreError("internal", `unexpected reply to ${op}: ${JSON.stringify(line.slice(0, 80))}`)
  );
}

function parseOk(lines: readonly string[], op: OpName): ParsedReply | undefined {
  const words = (lines[0] ?? "").split(" ");
  switch (op) {
    case "query": {
      const priceCents = parsePriceCents(words[0]);
      const stock = count(words[1]);
      if (words.length !== 2 || priceCents === undefined || stock === undefined || stock === 0)
        return undefined;
      return { kind: "in_stock", priceCents, stock };
    }
    case "buy": {
      if (words[0] !== "1") return undefined;
      if (words.length === 1) return { kind: "bought" };
      const unitPriceCents = parsePriceCents(words[2]);
      const stockLeft = count(words[3]);
      if (words.length !== 4 || unitPriceCents === undefined || stockLeft === undefined) return undefined;
      return { kind: "bought", orderId: words[1]!, unitPriceCents, stockLeft };
    }
    case "order": {
      const order = parseOrder(lines[0] ?? "");
      return order === undefined ? undefined : { kind: "order", order };
    }
    case "list": {
      const toys: Toy[] = [];
      for (const line of lines.slice(1)) {
        const toy = parseToy(line);
        if (toy === undefined) return undefined;
        toys.push(toy);
      }
      return toys.length === count(lines[0]) ? { kind: "list", toys } : undefined;
    }
    case "restock":
    case "refill":
      return undefined;
  }
}

function count(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** "<id> <quantity> <unit price> <time> <toy>": the toy last, since a name may hold spaces. */
function parseOrder(line: string): Order | undefined {
  const match = /^(\S+) (\d+) (\S+) (\S+) (.+)$/s.exec(line);
  if (match === null) return undefined;
  const unitPriceCents = parsePriceCents(match[3]);
  if (unitPriceCents === undefined) return undefined;
  return { id: match[1]!, quantity: Number(match[2]), unitPriceCents, time: match[4]!, toy: match[5]! };
}

/** "<price> <stock> <toy>". */
function parseToy(line: string): Toy | undefined {
  const match = /^(\S+) (\d+) (.+)$/s.exec(line);
  if (match === null) return undefined;
  const priceCents = parsePriceCents(match[1]);
  return priceCents === undefined ? undefined : { name: match[3]!, priceCents, stock: Number(match[2]) };
}
