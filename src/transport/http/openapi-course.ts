// The course API (course-routes.ts) in the OpenAPI document: its paths and
// the shapes of course-api.ts, merged into openapi.ts's.

import { MAX_QUANTITY } from "../../catalog/toy.js";
import { MAX_ORDER_ID_LENGTH } from "../../service/operations/order.js";

const courseError = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/CourseError" } } },
});
const data = (schema: string, description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${schema}` } } },
});
const UNAVAILABLE = "Too many requests queued (see Retry-After), the store is unavailable, or shutting down";

/** The course API's paths. */
export const COURSE_PATHS = {
  "/products/{name}": {
    parameters: [
      {
        name: "name",
        in: "path",
        required: true,
        description: "The toy's name, URL-encoded; matched case-insensitively, at most 256 characters.",
        schema: { type: "string", minLength: 1, maxLength: 256 },
      },
    ],
    get: {
      summary: "The course API: one toy, its price and the quantity in stock (0: sold out)",
      responses: {
        "200": data("CourseProduct", "The toy"),
        "400": courseError("An over-long name"),
        "404": courseError('No such toy: "product not found"'),
        "503": courseError(UNAVAILABLE),
      },
    },
  },
  "/orders": {
    post: {
      summary: "The course API: buy units of a toy, all or nothing, as one order",
      parameters: [
        {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description:
            "As on POST /api/toys/{name}/buy: a retry with the same key answers the first order and sells nothing more.",
          schema: { type: "string", maxLength: 100 },
        },
      ],
      requestBody: {
        required: true,
        content: { "application/json": { schema: { $ref: "#/components/schemas/CourseOrderRequest" } } },
      },
      responses: {
        "200": data("CourseOrderPlaced", "Bought: the order's number"),
        "400": courseError(
          'Fewer left than asked ("out of stock", nothing sold), or a bad body, name, quantity or idempotency key',
        ),
        "404": courseError('No such toy: "product not found"'),
        "413": courseError("A body over the limit"),
        "503": courseError(UNAVAILABLE),
      },
    },
  },
  "/orders/{number}": {
    parameters: [
      {
        name: "number",
        in: "path",
        required: true,
        description: "The order number POST /orders answered (or an orderId of /api); anything else is 404.",
        schema: { type: "string", maxLength: MAX_ORDER_ID_LENGTH },
      },
    ],
    get: {
      summary: "The course API: an order by number (the memory store keeps the latest 10,000)",
      responses: {
        "200": data("CourseOrder", "The order"),
        "404": courseError('No such order, or not an order number: "order not found"'),
        "503": courseError(UNAVAILABLE),
      },
    },
  },
} as const;

/** The course API's shapes. */
export const COURSE_SCHEMAS = {
  CourseProduct: {
    type: "object",
    required: ["data"],
    properties: {
      data: {
        type: "object",
        required: ["name", "price", "quantity"],
        properties: {
          name: { type: "string" },
          price: { type: "number", minimum: 0, examples: [19.99], description: "At most two decimals" },
          quantity: { type: "integer", minimum: 0, description: "The stock" },
        },
      },
    },
  },
  CourseOrderRequest: {
    type: "object",
    required: ["name", "quantity"],
    properties: {
      name: { type: "string", minLength: 1, maxLength: 256 },
      quantity: { type: "integer", minimum: 1, maximum: MAX_QUANTITY },
    },
    additionalProperties: false,
  },
  CourseOrderPlaced: {
    type: "object",
    required: ["data"],
    properties: {
      data: {
        type: "object",
        required: ["order_number"],
        properties: { order_number: { type: "integer", minimum: 1 } },
      },
    },
  },
  CourseOrder: {
    type: "object",
    required: ["data"],
    properties: {
      data: {
        type: "object",
        required: ["number", "name", "quantity"],
        properties: {
          number: { type: "integer", minimum: 1 },
          name: { type: "string" },
          quantity: { type: "integer", minimum: 1 },
        },
      },
    },
  },
  CourseError: {
    type: "object",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["code", "message"],
        properties: {
          code: { type: "integer", description: "The HTTP status again" },
          message: { type: "string" },
        },
      },
    },
  },
} as const;
