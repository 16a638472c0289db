// The socket protocol's requests, both directions: a request line to a typed
// request (server), a request to its line (client). One table maps each
// method to its operation.
//
//   Query: <name>
//   Buy: <name>                  one unit; the reply is "1", as it always was
//   Buy <key>: <name>            the same with an idempotency key
//   Buy*<n>: <name>              n units, all or nothing; the reply carries the order
//   Buy*<n> <key>: <name>
//   Order: <id>                  one recorded order
//   List:                        the whole catalog
//
// Everything before the colon is the method and its arguments (no colon, no
// spaces inside an argument); everything after it, trimmed, is the toy's name
// or the order id, so names may hold spaces, digits and '*'.

import { clientError, type StoreError } from "../errors.js";
import type { StoreRequest } from "../service/operations/index.js";
import { type DecodedLine, INVALID_UTF8 } from "./line-decoder.js";

/**
 * A request as the socket protocol carries it: `detailed` marks the `Buy*<n>`
 * form, whose reply carries the order rather than a bare "1".
 */
export type SocketRequest = StoreRequest & { readonly detailed?: boolean };

/** How long an unknown method may be before it is cut in the error message. */
const MAX_ECHOED_METHOD = 32;

const USAGE = "expected '<Method>: <name>', e.g. 'Query: Tux'";

/** Method (lower case) → the request it makes from its arguments (before the colon) and its operand (after). */
const METHODS: Readonly<
  Record<string, (args: readonly string[], operand: string) => SocketRequest | StoreError>
> = {
  query: (args, name) => (args.length === 0 ? { op: "query", name } : badArguments("Query")),
  buy: (args, name) => {
    if (args.length > 1) return badArguments("Buy");
    const requestKey = args[0];
    // "Buy *3: Tux" is a typo for "Buy*3: Tux", not a key: refused rather than a buy of one.
    if (requestKey?.startsWith("*") === true)
      return badRequest("expected 'Buy*<n>: <name>' with no space before '*', e.g. 'Buy*3: Tux'");
    return requestKey === undefined
      ? { op: "buy", name, quantity: 1 }
      : { op: "buy", name, quantity: 1, requestKey };
  },
  order: (args, id) => (args.length === 0 ? { op: "order", id } : badArguments("Order")),
  list: (args, operand) =>
    args.length === 0 && operand === "" ? { op: "list" } : badRequest("List takes nothing: 'List:'"),
};

const METHOD_NAMES = "Query, Buy, Buy*<n>, Order or List";

/**
 * Parses one request line. Methods are case-insensitive, the colon required,
 * spaces around the operand ignored. Returns a bad_request error for anything
 * else. The operand itself (empty, too long) is checked by the operation.
 */
export function parseRequest(line: DecodedLine): SocketRequest | StoreError {
  if (line === INVALID_UTF8) return badRequest("invalid UTF-8");
  const colon = line.indexOf(":");
  if (colon === -1) return badRequest(line.trim() === "" ? "empty request" : USAGE);
  // The common forms, without splitting or allocating.
  if (colon === 5 && line.startsWith("Query")) return { op: "query", name: line.slice(6).trim() };
  if (colon === 3 && line.startsWith("Buy")) return { op: "buy", name: line.slice(4).trim(), quantity: 1 };
  const head = line.slice(0, colon).trim();
  const operand = line.slice(colon + 1).trim();
  const [method = "", ...args] = head.split(/\s+/);
  const lower = method.toLowerCase();
  if (lower.startsWith("buy*")) return parseQuantityBuy(method.slice(4), args, operand);
  const make = Object.hasOwn(METHODS, lower) ? METHODS[lower] : undefined;
  if (make !== undefined) return make(args, operand);
  let echoed = head;
  if (echoed.length > MAX_ECHOED_METHOD) echoed = `${echoed.slice(0, MAX_ECHOED_METHOD)}...`;
  return badRequest(`unknown method '${escapeEcho(echoed)}'; expected ${METHOD_NAMES}`);
}

function parseQuantityBuy(count: string, args: readonly string[], name: string): SocketRequest | StoreError {
  if (!/^\d{1,9}$/.test(count))
    return badRequest("expected 'Buy*<n>: <name>' with n a whole number, e.g. 'Buy*3: Tux'");
  if (args.length > 1) return badArguments("Buy*<n>");
  const quantity = Number(count);
  return args[0] === undefined
    ? { op: "buy", name, quantity, detailed: true }
    : { op: "buy", name, quantity, requestKey: args[0], detailed: true };
}

/** The request line for a client, without the line ending; undefined for an operation the socket protocol does not carry. */
export function encodeRequest(request: SocketRequest): string | undefined {
  switch (request.op) {
    case "query":
      return `Query: ${request.name}`;
    case "buy": {
      const method = request.quantity === 1 && request.detailed !== true ? "Buy" : `Buy*${request.quantity}`;
      return request.requestKey === undefined
        ? `${method}: ${request.name}`
        : `${method} ${request.requestKey}: ${request.name}`;
    }
    case "order":
      return `Order: ${request.id}`;
    case "list":
      return "List:";
    case "restock":
    case "refill":
      return undefined;
  }
}

function badArguments(method: string): StoreError {
  return badRequest(`too many arguments before the colon for ${method}`);
}

function badRequest(message: string): StoreError {
  return clientError("bad_request", message);
}

/**
 * Escapes what the client sent before it is echoed, so that no control
 * character reaches the client's terminal raw: C0 (via JSON), DEL and C1
 * (U+0080-U+009F, which some terminals obey as escape sequences). Error path only.
 */
export function escapeEcho(text: string): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
