// The HTTP API as OpenAPI 3.1, served at GET /api/openapi.json: the routes
// of routes.ts and the shapes of api.ts, written out for other tools, with
// the course API's (openapi-course.ts).

import { MAX_QUANTITY } from "../../catalog/toy.js";
import { COURSE_PATHS, COURSE_SCHEMAS } from "./openapi-course.js";

const problem = { $ref: "#/components/schemas/Problem" };
const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problem } },
});
const json = (schema: unknown, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const nameParameter = {
  name: "name",
  in: "path",
  required: true,
  description: "The toy's name, URL-encoded; matched case-insensitively, at most 256 characters.",
  schema: { type: "string", minLength: 1, maxLength: 256 },
};

export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "toystore",
    version: "1",
    description:
      "The toy store over HTTP: the same store as the socket protocol and gRPC. Business outcomes are statuses (404 no such toy, 409 sold out); errors are RFC 9457 problems. Beside /api, the course API (/products, /orders) answers {data} or {error: {code, message}}, sold out as 400.",
  },
  paths: {
    "/api/toys": {
      get: {
        summary: "Every toy",
        responses: {
          "200": json({ $ref: "#/components/schemas/ToyList" }, "The catalog, in catalog order"),
          "503": problemResponse("Too many requests queued, the store is unavailable, or shutting down"),
        },
      },
    },
    "/api/toys/{name}": {
      parameters: [nameParameter],
      get: {
        summary: "One toy (a sold-out toy is 200 with stock 0)",
        responses: {
          "200": json({ $ref: "#/components/schemas/Toy" }, "The toy"),
          "400": problemResponse("An empty or over-long name"),
          "404": problemResponse("No such toy"),
          "503": problemResponse("Too many requests queued (see Retry-After), or shutting down"),
        },
      },
      put: {
        summary: "Restock: set the stock, add to it, or set the price (staff only)",
        security: [{ bearer: [] }],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/Restock" } } },
        },
        responses: {
          "200": json({ $ref: "#/components/schemas/Toy" }, "The toy after the change"),
          "400": problemResponse("A body that is not a valid change"),
          "401": problemResponse("No token, or a wrong one"),
          "404": problemResponse("No such toy, or the admin API is off (no token configured)"),
        },
      },
    },
    "/api/toys/{name}/buy": {
      parameters: [nameParameter],
      post: {
        summary: "Buy units of a toy, all or nothing (one unless the body asks for more)",
        parameters: [
          {
            name: "Idempotency-Key",
            in: "header",
            required: false,
            description:
              "A key the client chose for this buy (1 to 100 visible ASCII characters, no spaces or ':'): a retry with the same key, on any server of the store, answers the first buy's outcome and sells nothing more. Kept a day.",
            schema: { type: "string", maxLength: 100 },
          },
        ],
        requestBody: {
          required: false,
          description: "No body, or no quantity, buys one unit.",
          content: { "application/json": { schema: { $ref: "#/components/schemas/BuyRequest" } } },
        },
        responses: {
          "200": json(
            { $ref: "#/components/schemas/Bought" },
            "Bought: the order, the units sold, the unit price paid, the stock left",
          ),
          "400": problemResponse(
            "A bad name, quantity, body or idempotency key, or a key already used for another buy; nothing sold",
          ),
          "404": problemResponse("No such toy"),
          "409": problemResponse("Sold out: fewer left than asked for, nothing sold"),
          "503": problemResponse("Too many requests queued, the store is unavailable, or shutting down"),
        },
      },
    },
    "/api/orders/{id}": {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      get: {
        summary: "An order by id (the memory store keeps the latest 10,000)",
        responses: {
          "200": json({ $ref: "#/components/schemas/Order" }, "The order"),
          "400": problemResponse("An over-long id"),
          "404": problemResponse("No such order"),
          "503": problemResponse("Too many requests queued, the store is unavailable, or shutting down"),
        },
      },
    },
    "/api/events": {
      get: {
        summary:
          "Server-Sent Events: a `snapshot` event, then `stock` events ({name, stock}) after every sale or restock, any transport",
        description:
          'Each stream starts with `event: snapshot`, `data: {"stock": {"<toy>": <stock>, ...}}` (every toy\'s stock, by display name), ' +
          'then one `event: stock`, `data: {"name", "stock"}` per committed sale or restock, in commit order. On a PostgreSQL store, ' +
          "changes made through every server of the store are shown. If the server's listening connection to the database drops, " +
          "the stream stays open and shows nothing new until the server has listened again; then it sends a fresh snapshot. " +
          "A reader that reconnects gets a snapshot first, so it never misses a change silently.",
        responses: { "200": { description: "An event stream", content: { "text/event-stream": {} } } },
      },
    },
    "/api/stats": {
      get: {
        summary: "Requests per second, p99 latency and pool state by transport, from the server's metrics",
        responses: { "200": json({ type: "object" }, "The figures") },
      },
    },
    "/healthz": { get: { summary: "The process is up", responses: { "200": { description: "Up" } } } },
    "/readyz": {
      get: {
        summary: "The server takes requests: not shutting down, and its store's database (if any) answers",
        responses: {
          "200": { description: "Ready" },
          "503": problemResponse("Shutting down, or the store's database cannot be reached"),
        },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus metrics",
        responses: { "200": { description: "Text exposition format", content: { "text/plain": {} } } },
      },
    },
    ...COURSE_PATHS,
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    schemas: {
      Toy: {
        type: "object",
        required: ["name", "price", "priceCents", "stock"],
        properties: {
          name: { type: "string" },
          price: { type: "string", examples: ["19.99"] },
          priceCents: { type: "integer", minimum: 0 },
          stock: { type: "integer", minimum: 0 },
        },
      },
      ToyList: {
        type: "object",
        required: ["toys"],
        properties: { toys: { type: "array", items: { $ref: "#/components/schemas/Toy" } } },
      },
      BuyRequest: {
        type: "object",
        properties: { quantity: { type: "integer", minimum: 1, maximum: MAX_QUANTITY, default: 1 } },
        additionalProperties: false,
      },
      Bought: {
        type: "object",
        required: ["toy", "price", "priceCents", "stockLeft", "quantity", "unitPrice", "unitPriceCents"],
        properties: {
          toy: { type: "string" },
          price: { type: "string", description: "The unit price paid (the same as unitPrice)" },
          priceCents: { type: "integer", description: "The unit price paid, in cents (as unitPriceCents)" },
          stockLeft: { type: "integer" },
          orderId: { type: "string" },
          quantity: { type: "integer", minimum: 1 },
          unitPrice: { type: "string", examples: ["19.99"] },
          unitPriceCents: { type: "integer", minimum: 0 },
        },
      },
      Order: {
        type: "object",
        required: ["id", "toy", "price", "priceCents", "time", "quantity", "unitPrice", "unitPriceCents"],
        properties: {
          id: { type: "string" },
          toy: { type: "string" },
          price: { type: "string", description: "The unit price paid (the same as unitPrice)" },
          priceCents: { type: "integer", description: "The unit price paid, in cents (as unitPriceCents)" },
          time: { type: "string", format: "date-time" },
          quantity: { type: "integer", minimum: 1 },
          unitPrice: { type: "string" },
          unitPriceCents: { type: "integer", minimum: 0 },
        },
      },
      Restock: {
        type: "object",
        description:
          "At least one of: stock (set) or addStock (add), and/or price (a decimal string or number).",
        properties: {
          stock: { type: "integer", minimum: 0 },
          addStock: { type: "integer", minimum: 1 },
          price: { type: ["string", "number"] },
        },
      },
      Problem: {
        type: "object",
        required: ["type", "title", "status"],
        properties: {
          type: { type: "string" },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string" },
        },
      },
      ...COURSE_SCHEMAS,
    },
  },
} as const;
