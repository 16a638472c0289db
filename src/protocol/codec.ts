// The socket protocol v1, both directions: request lines to typed requests,
// results and errors to reply lines, and reply lines back to results (client).
//
//   Query: <name>   ->  "<price> <stock>" | "0" (sold out) | "-1" (no such toy)
//   Buy: <name>     ->  "1" (bought) | "0" (sold out) | "-1" (no such toy)
//   Buy <key>: <name>   the same, with an idempotency key: a retry with the
//                       key answers the first buy's outcome and sells nothing
//   malformed       ->  "ERR <reason>"

import {
  type BuyResult,
  formatPrice,
  type Op,
  parsePriceCents,
  type QueryResult,
  type StoreRequest,
  type StoreResult,
} from "../catalog/toy.js";
import { clientError, type ErrorCode, StoreError } from "../errors.js";
import { type DecodedLine, INVALID_UTF8 } from "./line-decoder.js";

/** How long an unknown method may be before it is cut in the error message. */
const MAX_ECHOED_METHOD = 32;

/**
 * Parses one request line. The method is case-insensitive, the colon required,
 * spaces around the name ignored. Returns a bad_request error for anything
 * else. The name itself is checked by the service (empty, too long).
 */
export function parseRequest(line: DecodedLine): StoreRequest | StoreError {
  if (line === INVALID_UTF8) return badRequest("invalid UTF-8");
  const colon = line.indexOf(":");
  if (colon === -1) {
    if (line.trim() === "") return badRequest("empty request");
    return badRequest("expected '<Method>: <name>', e.g. 'Query: Tux'");
  }
  const op = parseMethod(line, colon);
  if (op === undefined) {
    const requestKey = keyOfBuy(line, colon);
    if (requestKey !== undefined) return { op: "buy", name: line.slice(colon + 1).trim(), requestKey };
    let method = line.slice(0, colon).trim();
    if (method.length > MAX_ECHOED_METHOD) method = `${method.slice(0, MAX_ECHOED_METHOD)}...`;
    return badRequest(`unknown method '${escapeEcho(method)}'; expected Query or Buy`);
  }
  return { op, name: line.slice(colon + 1).trim() };
}

function badRequest(message: string): StoreError {
  return clientError("bad_request", message);
}

/**
 * Escapes what the client sent before it is echoed, so that no control
 * character reaches the client's terminal raw: C0 (via JSON), DEL and C1
 * (U+0080-U+009F, which some terminals obey as escape sequences). Error path only.
 */
function escapeEcho(text: string): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

// Compares without allocating in the common case ("Query" / "Buy" as written).
function parseMethod(line: string, colon: number): Op | undefined {
  if (colon === 5 && line.startsWith("Query")) return "query";
  if (colon === 3 && line.startsWith("Buy")) return "buy";
  const method = line.slice(0, colon).trim().toLowerCase();
  if (method === "query") return "query";
  if (method === "buy") return "buy";
  return undefined;
}

/** The key of "Buy <key>: ...", if the method is that (the service checks the key itself). */
function keyOfBuy(line: string, colon: number): string | undefined {
  const method = line.slice(0, colon).trim();
  const space = method.indexOf(" ");
  if (space !== 3 || method.slice(0, 3).toLowerCase() !== "buy") return undefined;
  return method.slice(space + 1).trim();
}

/** The reply line for a result, without the line ending. */
export function encodeResult(result: StoreResult): string {
  switch (result.kind) {
    case "in_stock":
      return `${formatPrice(result.priceCents)} ${result.stock}`;
    case "bought":
      return "1";
    case "sold_out":
      return "0";
    case "not_found":
      return "-1";
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

/** The request line for a client, without the line ending. */
export function encodeRequest(request: StoreRequest): string {
  if (request.op === "query") return `Query: ${request.name}`;
  return request.requestKey === undefined
    ? `Buy: ${request.name}`
    : `Buy ${request.requestKey}: ${request.name}`;
}

/** The reverse of ERROR_REPLIES, for clients. */
function errorCodeOf(reason: string): ErrorCode {
  if (reason.startsWith("busy")) return "busy";
  if (reason === "line too long") return "line_too_long";
  if (reason === "shutting down") return "shutting_down";
  if (reason === "internal error") return "internal";
  if (reason === "unavailable") return "unavailable";
  // The server refused the connection itself: as if it could not be reached.
  if (reason === "too many connections") return "unavailable";
  return "bad_request";
}

/** Parses a reply line for a request of kind `op`; an ERR line or garbage becomes a StoreError. */
export function parseReply(line: string, op: "query"): QueryResult | StoreError;
export function parseReply(line: string, op: "buy"): BuyResult | StoreError;
export function parseReply(line: string, op: Op): StoreResult | StoreError;
export function parseReply(line: string, op: Op): StoreResult | StoreError {
  if (line === "-1") return { kind: "not_found" };
  if (line === "0") return { kind: "sold_out" };
  if (line.startsWith("ERR ")) {
    const reason = line.slice(4);
    return new StoreError(errorCodeOf(reason), reason);
  }
  if (op === "buy") {
    if (line === "1") return { kind: "bought" };
  } else {
    const space = line.indexOf(" ");
    if (space > 0) {
      const priceCents = parsePriceCents(line.slice(0, space));
      const stockText = line.slice(space + 1);
      const stock = Number(stockText);
      if (priceCents !== undefined && stockText !== "" && Number.isSafeInteger(stock) && stock > 0) {
        return { kind: "in_stock", priceCents, stock };
      }
    }
  }
  return new StoreError("internal", `unexpected reply to ${op}: ${JSON.stringify(line.slice(0, 80))}`);
}
