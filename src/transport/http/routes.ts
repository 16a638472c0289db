// The one route table of the HTTP API: each path with the methods it takes,
// and each method's endpoint. An operation's endpoint says how its request is
// built from the path, the body and the headers, and how each kind of result
// becomes a response; every answer carries what the store decided (names,
// prices, stock), never a figure this server looked up on its own.
//
//   GET  /api/toys               list      200 {toys}
//   GET  /api/toys/{name}        query     200 toy (stock 0: sold out) | 404
//   PUT  /api/toys/{name}        restock   staff only (admin.ts)
//   POST /api/toys/{name}/buy    buy       body {quantity} optional; 200 sale | 409 sold out | 404
//   GET  /api/orders/{id}        order     200 order | 404
//   the course API's /products/<name>, /orders, /orders/<number> (course-routes.ts)
//   and the server's own: /api/events, /api/stats, /api/openapi.json, /healthz, /readyz, /metrics

import { isStoreError, type StoreError } from "../../errors.js";
import { validateQuantity } from "../../service/operations/buy.js";
import type { ListRequest } from "../../service/operations/index.js";
import { restockEndpoint } from "./admin.js";
import { boughtJson, orderJson, type ProblemJson, type ToyListJson, toyJson } from "./api.js";
import { unknownField } from "./body.js";
import { COURSE_ROUTES } from "./course-routes.js";
import type { Endpoint, JsonObject, OperationEndpoint } from "./endpoint.js";
import { problem } from "./problem.js";
import { idempotencyKey } from "./raw-header.js";
import { sendJson, sendProblem } from "./reply.js";
import {
  eventsEndpoint,
  healthEndpoint,
  metricsEndpoint,
  openApiEndpoint,
  readyEndpoint,
  statsEndpoint,
} from "./server-endpoints.js";

/** A path and the endpoint of each method it takes. */
export interface Route {
  /** An exact path, or a pattern whose one group is the path parameter (still percent-encoded). */
  readonly path: string | RegExp;
  readonly methods: Readonly<Record<string, Endpoint>>;
}

/** No such toy: the name as asked (a store that knows no toy knows no display name for it). */
function noToy(name: string): ProblemJson {
  return problem("not_found", `no toy named "${name.trim()}"`);
}

const queryEndpoint: OperationEndpoint<"query"> = {
  op: "query",
  request: (name) => ({ op: "query", name }),
  respond(res, result, request) {
    switch (result.kind) {
      case "in_stock":
        return sendJson(res, toyJson(result.name, result.priceCents, result.stock));
      // Sold out is a toy with no stock, shown with its name and price as the store holds them.
      case "sold_out":
        return sendJson(res, toyJson(result.name, result.priceCents, 0));
      case "not_found":
        return sendProblem(res, noToy(request.name));
    }
  },
};

/** The units a buy's body asks for: none, or no quantity, is 1; anything but a whole number in range is a bad_request. */
function quantityOf(body: JsonObject | undefined): number | StoreError {
  if (body === undefined) return 1;
  const unknown = unknownField(body, ["quantity"]);
  if (unknown !== undefined) return unknown;
  const quantity = body.quantity;
  if (quantity === undefined) return 1;
  // The operation's own rule, so the message is the one every transport gives.
  return validateQuantity(typeof quantity === "number" ? quantity : Number.NaN) ?? (quantity as number);
}

const buyEndpoint: OperationEndpoint<"buy"> = {
  op: "buy",
  body: true,
  request(name, body, req) {
    const quantity = quantityOf(body);
    if (isStoreError(quantity)) return quantity;
    return { op: "buy", name, quantity, requestKey: idempotencyKey(req) };
  },
  respond(res, result, request) {
    switch (result.kind) {
      case "bought":
        return sendJson(res, boughtJson(result));
      case "sold_out": {
        const name = request.name.trim();
        const detail =
          request.quantity === 1
            ? `${name} is sold out`
            : `fewer than ${request.quantity} ${name} left: nothing was sold`;
        return sendProblem(res, problem("sold_out", detail));
      }
      case "not_found":
        return sendProblem(res, noToy(request.name));
    }
  },
};

const orderEndpoint: OperationEndpoint<"order"> = {
  op: "order",
  request: (id) => ({ op: "order", id }),
  respond(res, result, request) {
    if (result.kind === "order") sendJson(res, orderJson(result.order));
    else sendProblem(res, problem("not_found", `no order ${request.id}`));
  },
};

const LIST_REQUEST: ListRequest = Object.freeze({ op: "list" });

const listEndpoint: OperationEndpoint<"list"> = {
  op: "list",
  request: () => LIST_REQUEST,
  respond(res, result) {
    const body: ToyListJson = { toys: result.toys.map((t) => toyJson(t.name, t.priceCents, t.stock)) };
    sendJson(res, body);
  },
};

// The hot paths first: a request is matched against the routes in order.
const ROUTES: readonly Route[] = [
  { path: /^\/api\/toys\/([^/]+)\/buy$/, methods: { POST: buyEndpoint } },
  { path: /^\/api\/toys\/([^/]+)$/, methods: { GET: queryEndpoint, PUT: restockEndpoint } },
  { path: "/api/toys", methods: { GET: listEndpoint } },
  { path: /^\/api\/orders\/([^/]+)$/, methods: { GET: orderEndpoint } },
  ...COURSE_ROUTES,
  { path: "/api/events", methods: { GET: eventsEndpoint } },
  { path: "/api/stats", methods: { GET: statsEndpoint } },
  { path: "/api/openapi.json", methods: { GET: openApiEndpoint } },
  { path: "/healthz", methods: { GET: healthEndpoint } },
  { path: "/readyz", methods: { GET: readyEndpoint } },
  { path: "/metrics", methods: { GET: metricsEndpoint } },
];

/** The route of a path (without its query string) and its parameter, still percent-encoded ("" when it has none); undefined if no route has it. */
export function findRoute(path: string): { readonly route: Route; readonly param: string } | undefined {
  for (const route of ROUTES) {
    if (typeof route.path === "string") {
      if (route.path === path) return { route, param: "" };
      continue;
    }
    const match = route.path.exec(path);
    if (match !== null) return { route, param: match[1] ?? "" };
  }
  return undefined;
}
