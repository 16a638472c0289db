// The course API's routes: the REST front end that the course the Toy Store
// design document comes from asks for, served beside /api through the same
// route table (routes.ts), worker pool, HttpTask and StoreService. Each
// endpoint only translates: the body's fields to a buy, the store's outcome
// to the course's shapes (course-api.ts).
//
//   GET  /products/<name>     query   200 {data: {name, price, quantity}} | 404 product not found
//   POST /orders              buy     body {name, quantity}, Idempotency-Key optional;
//                                     200 {data: {order_number}} | 400 out of stock | 404 product not found
//   GET  /orders/<number>     order   200 {data: {number, name, quantity}} | 404 order not found
//
// Every error on these paths, wherever it is found (the server's limits, the
// route, the body, the pool, the store), is {"error": {code, message}}: the
// problem /api would answer, in the course's shape (sendProblemFor).

import { isStoreError } from "../../errors.js";
import { MAX_ORDER_ID_LENGTH } from "../../service/operations/order.js";
import type { ProblemJson } from "./api.js";
import { courseOrderOf, courseProductJson, orderNumberOf } from "./course-api.js";
import type { OperationEndpoint } from "./endpoint.js";
import { problem } from "./problem.js";
import { idempotencyKey } from "./raw-header.js";
import { type SendProblem, sendCourseProblem, sendJson, sendProblem } from "./reply.js";
import type { Route } from "./routes.js";

const PRODUCT_NOT_FOUND = "product not found";
const ORDER_NOT_FOUND = "order not found";

const productEndpoint: OperationEndpoint<"query"> = {
  op: "query",
  request: (name) => ({ op: "query", name }),
  respond(res, result) {
    switch (result.kind) {
      case "in_stock":
        return sendJson(res, courseProductJson(result.name, result.priceCents, result.stock));
      // Sold out is a product with quantity 0, named and priced as the store holds it.
      case "sold_out":
        return sendJson(res, courseProductJson(result.name, result.priceCents, 0));
      case "not_found":
        return sendCourseProblem(res, problem("not_found", PRODUCT_NOT_FOUND));
    }
  },
};

const placeOrderEndpoint: OperationEndpoint<"buy"> = {
  op: "buy",
  body: true,
  request(_param, body, req) {
    const order = courseOrderOf(body);
    if (isStoreError(order)) return order;
    return { op: "buy", name: order.name, quantity: order.quantity, requestKey: idempotencyKey(req) };
  },
  respond(res, result) {
    switch (result.kind) {
      case "bought": {
        const number = orderNumberOf(result.orderId);
        if (number === undefined) return sendCourseProblem(res, problem("internal"));
        return sendJson(res, { data: { order_number: number } });
      }
      case "sold_out":
        return sendCourseProblem(res, problem("out_of_stock", "out of stock"));
      case "not_found":
        return sendCourseProblem(res, problem("not_found", PRODUCT_NOT_FOUND));
    }
  },
};

const orderEndpoint: OperationEndpoint<"order"> = {
  op: "order",
  // Any text: the store answers not found for what is no order number of its own ("abc", "010").
  request: (id) => ({ op: "order", id }),
  respond(res, result) {
    if (result.kind !== "order") return sendCourseProblem(res, problem("not_found", ORDER_NOT_FOUND));
    const { id, toy, quantity } = result.order;
    const number = orderNumberOf(id);
    if (number === undefined) return sendCourseProblem(res, problem("internal"));
    sendJson(res, { data: { number, name: toy, quantity } });
  },
};

/**
 * The course's routes, for routes.ts's table. An order number longer than
 * any id can be matches no route (so it is "order not found", not the
 * operation's over-long id): a decoded segment is never longer than its text.
 */
export const COURSE_ROUTES: readonly Route[] = [
  { path: /^\/products\/([^/]+)$/, methods: { GET: productEndpoint } },
  { path: "/orders", methods: { POST: placeOrderEndpoint } },
  { path: new RegExp(`^/orders/([^/]{1,${MAX_ORDER_ID_LENGTH}})$`), methods: { GET: orderEndpoint } },
];

/** Whether `path` (without its query string) is the course API's: /products and /orders, and below them. */
export function isCoursePath(path: string): boolean {
  // Two failed prefix tests for an /api path: nothing the hot path would notice.
  return (
    path.startsWith("/products/") || path.startsWith("/orders/") || path === "/orders" || path === "/products"
  );
}

/** How errors on `path` are written: the course's shape on its paths, RFC 9457 problems everywhere else. */
export function sendProblemFor(path: string): SendProblem {
  return isCoursePath(path) ? sendCourseProblem : sendProblem;
}

/** The 404 for a course path no route has (an empty name, an order number too long to be one, a path below a name). */
export function courseNotFound(path: string): ProblemJson {
  if (path.startsWith("/orders/")) return problem("not_found", ORDER_NOT_FOUND);
  if (path.startsWith("/products/")) return problem("not_found", PRODUCT_NOT_FOUND);
  return problem("not_found", `nothing at ${path}`);
}
