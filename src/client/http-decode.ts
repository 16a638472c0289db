// The HTTP client's reading of responses: each operation's statuses and JSON
// bodies turned into its outcome. A status that is no outcome of the
// operation decodes to undefined (http-errors.ts makes it a StoreError); a
// body that is not the shape promised is an "internal" error.

import type { Dispatcher } from "undici";
import { type BuyResult, NOT_FOUND, type QueryResult, SOLD_OUT, type Toy } from "../catalog/toy.js";
import { StoreError } from "../errors.js";
import type { OrderOutcome } from "../service/operations/index.js";
import type { BoughtJson, OrderJson, ToyJson, ToyListJson } from "../transport/http/api.js";

/** A response as the decoders see it. */
export interface Response {
  readonly status: number;
  readonly headers: Dispatcher.ResponseData["headers"];
  /** The parsed JSON body, or undefined when there is none or it is not JSON. */
  readonly body: unknown;
}

/** Reads the whole body (undici bounds its size) and parses it as JSON if it is. */
export async function readResponse(response: Dispatcher.ResponseData): Promise<Response> {
  const text = await response.body.text();
  let body: unknown;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: response.statusCode, headers: response.headers, body };
}

/** How a response to one operation becomes its outcome; undefined when the status is none of its outcomes. */
export type Decoder<R> = (status: number, body: unknown) => R | undefined;

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function malformed(what: string): StoreError {
  return new StoreError("internal", `malformed ${what} in the response`);
}

/** 200: the toy, in stock or sold out (stock 0); 404: no such toy. */
export const decodeQuery: Decoder<QueryResult> = (status, body) => {
  if (status === 404) return NOT_FOUND;
  if (status !== 200) return undefined;
  const toy = body as Partial<ToyJson> | undefined;
  if (!isObject(toy) || !isCount(toy.priceCents) || !isCount(toy.stock)) throw malformed("toy");
  return toy.stock === 0 ? SOLD_OUT : { kind: "in_stock", priceCents: toy.priceCents, stock: toy.stock };
};

/** 200: bought, with what the server says of the sale; 409: sold out (nothing sold); 404: no such toy. */
export const decodeBuy: Decoder<BuyResult> = (status, body) => {
  if (status === 404) return NOT_FOUND;
  if (status === 409) return SOLD_OUT;
  if (status !== 200) return undefined;
  if (!isObject(body)) throw malformed("buy response");
  const bought = body as Partial<BoughtJson>;
  // Each field only if the server sent it: a server older than quantities sends no unit price or quantity.
  return {
    kind: "bought",
    ...(isCount(bought.stockLeft) ? { stockLeft: bought.stockLeft } : {}),
    ...(typeof bought.orderId === "string" ? { orderId: bought.orderId } : {}),
    ...(isCount(bought.unitPriceCents) ? { unitPriceCents: bought.unitPriceCents } : {}),
    ...(isCount(bought.quantity) ? { quantity: bought.quantity } : {}),
  };
};

/** 200: the order; 404: none with that id. */
export const decodeOrder: Decoder<OrderOutcome> = (status, body) => {
  if (status === 404) return NOT_FOUND;
  if (status !== 200) return undefined;
  const order = (isObject(body) ? body : {}) as Partial<OrderJson>;
  // A server older than quantities sold one unit per order and named its unit price priceCents.
  const unitPriceCents = order.unitPriceCents ?? order.priceCents;
  const quantity = order.quantity ?? 1;
  if (
    typeof order.id !== "string" ||
    typeof order.toy !== "string" ||
    typeof order.time !== "string" ||
    !isCount(unitPriceCents) ||
    !isCount(quantity)
  )
    throw malformed("order");
  return {
    kind: "order",
    order: { id: order.id, toy: order.toy, quantity, unitPriceCents, time: order.time },
  };
};

/** 200: every toy, in catalog order. */
export const decodeList: Decoder<readonly Toy[]> = (status, body) => {
  if (status !== 200) return undefined;
  const toys = (body as Partial<ToyListJson> | undefined)?.toys;
  if (!Array.isArray(toys)) throw malformed("toy list");
  return toys.map((toy: Partial<ToyJson>) => {
    if (!isObject(toy) || typeof toy.name !== "string" || !isCount(toy.priceCents) || !isCount(toy.stock))
      throw malformed("toy list");
    return { name: toy.name, priceCents: toy.priceCents, stock: toy.stock };
  });
};
