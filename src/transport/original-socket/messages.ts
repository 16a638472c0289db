// The original socket protocol's requests, both directions: a message to a
// typed request (server), a request to its message (client). The original
// design's form, "method_name: toy_name", with its two methods:
//
//   query: <name>      the price, 0 (sold out) or -1 (no such toy)
//   buy: <name>        1 (bought one), 0 (sold out) or -1 (no such toy)
//
// The method is matched in any case (query, Query, QUERY) with spaces around
// it ignored; the name is everything after the first colon, trimmed.

import { clientError, type StoreError } from "../../errors.js";
import { type DecodedLine, INVALID_UTF8 } from "../../protocol/line-decoder.js";
import { escapeEcho } from "../../protocol/requests.js";
import type { BuyRequest, QueryRequest } from "../../service/operations/index.js";

/** The requests this protocol carries: a query, or a buy of one unit (no quantity, no key). */
export type OriginalRequest = QueryRequest | (BuyRequest & { readonly quantity: 1 });

/** The methods, as the original client writes them. */
export type OriginalMethod = OriginalRequest["op"];

/** How long an unknown method may be before it is cut in the error message. */
const MAX_ECHOED_METHOD = 32;

const USAGE = "expected '<method>: <name>', e.g. 'query: Tux'";

/**
 * Parses one message; a bad_request error (with its reason, answered as
 * "ERR <reason>") for anything but a query or a buy. The name itself (empty,
 * too long) is checked by the operation, as for every transport.
 */
export function parseMessage(text: DecodedLine): OriginalRequest | StoreError {
  if (text === INVALID_UTF8) return badRequest("invalid UTF-8");
  const colon = text.indexOf(":");
  if (colon === -1) return badRequest(text.trim() === "" ? "empty request" : USAGE);
  const method = text.slice(0, colon).trim();
  const name = text.slice(colon + 1).trim();
  switch (method.toLowerCase()) {
    case "query":
      return { op: "query", name };
    case "buy":
      return { op: "buy", name, quantity: 1 };
    default:
      return badRequest(
        method === ""
          ? USAGE
          : `unknown method '${escapeEcho(cut(method))}'; expected query or buy (the original protocol has no other)`,
      );
  }
}

/** The message for a request, as the original client sends it: lower case, without a line end. */
export function encodeMessage(method: OriginalMethod, name: string): string {
  return `${method}: ${name}`;
}

function cut(text: string): string {
  return text.length > MAX_ECHOED_METHOD ? `${text.slice(0, MAX_ECHOED_METHOD)}...` : text;
}

function badRequest(message: string): StoreError {
  return clientError("bad_request", message);
}
