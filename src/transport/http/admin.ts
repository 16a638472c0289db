// The admin API: the staff's bearer token, and the one staff route,
// PUT /api/toys/{name} (restock: set the stock or add to it, and/or set the price).

import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Restock } from "../../catalog/catalog-store.js";
import { parsePriceCents } from "../../catalog/toy.js";
import { clientError, isStoreError, type StoreError } from "../../errors.js";
import { toyJson } from "./api.js";
import { isWholeNumber, unknownField } from "./body.js";
import type { JsonObject, OperationEndpoint } from "./endpoint.js";
import { problem } from "./problem.js";
import { sendJson, sendProblem } from "./reply.js";

/** Who may use the admin API. */
export interface AdminAccess {
  /** The staff's bearer token; undefined or empty: the admin API is off (404). */
  readonly token: string | undefined;
  /** Told of a refused token (a wrong one is worth a log line). */
  readonly onRefused?: ((remote: string | undefined) => void) | undefined;
}

/**
 * Whether the request may use the admin API; if not, it is answered here:
 * 404 while the API is off (it does not exist then), 401 with a challenge
 * for a missing or wrong token.
 */
export function admitStaff(req: IncomingMessage, res: ServerResponse, access: AdminAccess): boolean {
  const token = access.token;
  if (token === undefined || token === "") {
    sendProblem(res, problem("not_found", "the admin API is off"));
    return false;
  }
  if (authorized(req, token)) return true;
  access.onRefused?.(req.socket.remoteAddress);
  sendProblem(res, problem("unauthorized", "a valid bearer token is needed"), {
    "www-authenticate": 'Bearer realm="toystore"',
  });
  return false;
}

/** Whether the request carries the staff's token; compared in constant time. */
function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "");
  const wanted = Buffer.from(token);
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time the same either way.
  return given.length === wanted.length ? timingSafeEqual(given, wanted) : !timingSafeEqual(wanted, wanted);
}

const RESTOCK_FIELDS = ["stock", "addStock", "price"] as const;

/** A restock body ({stock} or {addStock}, and/or {price}) as a change, or why it is not one. */
function restockOf(body: JsonObject | undefined): Restock | StoreError {
  if (body === undefined) return clientError("bad_request", 'give "stock", "addStock" or "price"');
  const unknown = unknownField(body, RESTOCK_FIELDS);
  if (unknown !== undefined) return unknown;
  const { stock, addStock, price } = body;
  if (stock !== undefined && !isWholeNumber(stock, 0))
    return clientError("bad_request", '"stock" must be an integer >= 0');
  if (addStock !== undefined && !isWholeNumber(addStock, 1))
    return clientError("bad_request", '"addStock" must be an integer >= 1');
  if (stock !== undefined && addStock !== undefined)
    return clientError("bad_request", 'give "stock" or "addStock", not both');
  const priceCents = price === undefined ? undefined : parsePriceCents(price);
  if (price !== undefined && priceCents === undefined)
    return clientError("bad_request", '"price" must be an amount with at most two decimals');
  if (stock === undefined && addStock === undefined && priceCents === undefined)
    return clientError("bad_request", 'give "stock", "addStock" or "price"');
  return {
    ...(stock === undefined ? {} : { stock }),
    ...(addStock === undefined ? {} : { addStock }),
    ...(priceCents === undefined ? {} : { priceCents }),
  };
}

/** PUT /api/toys/{name}: the toy after the change, or 404 if there is none. */
export const restockEndpoint: OperationEndpoint<"restock"> = {
  op: "restock",
  admin: true,
  body: true,
  request(name, body) {
    const change = restockOf(body);
    return isStoreError(change) ? change : { op: "restock", name, change };
  },
  respond(res, result, request) {
    if (result.kind === "restocked")
      sendJson(res, toyJson(result.toy.name, result.toy.priceCents, result.toy.stock));
    else sendProblem(res, problem("not_found", `no toy named "${request.name.trim()}"`));
  },
};
