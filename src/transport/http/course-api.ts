// The course API's JSON shapes: the REST front end that the course the Toy
// Store design document comes from asks for (GET /products/<name>,
// POST /orders, GET /orders/<number>), answered `{"data": ...}`, or
// `{"error": {"code", "message"}}`. And the pure mappings to and from them:
// cents to a price, an order's body to a buy. Its names are the handouts'
// (quantity is the stock, order_number the order's id), not /api's.

import { clientError, type StoreError } from "../../errors.js";
import { validateQuantity } from "../../service/operations/buy.js";
import { unknownField } from "./body.js";
import type { JsonObject } from "./endpoint.js";

/** 200 to GET /products/<name> (a sold-out toy has quantity 0). */
export interface CourseProductJson {
  readonly data: {
    readonly name: string;
    /** 19.99: a JSON number, from integer cents (priceOfCents). */
    readonly price: number;
    /** The stock. */
    readonly quantity: number;
  };
}

/** The body of POST /orders: both fields, nothing else. */
export interface CourseOrderBodyJson {
  readonly name: string;
  /** Units to buy, 1 to MAX_QUANTITY, all or nothing. */
  readonly quantity: number;
}

/** 200 to POST /orders. */
export interface CourseOrderPlacedJson {
  readonly data: { readonly order_number: number };
}

/** 200 to GET /orders/<number>. */
export interface CourseOrderJson {
  readonly data: { readonly number: number; readonly name: string; readonly quantity: number };
}

/** Every error of the course API: the status again, and what went wrong. */
export interface CourseErrorJson {
  readonly error: { readonly code: number; readonly message: string };
}

/**
 * Integer cents as a JSON number of units: 1999 -> 19.99. The division is
 * rounded once, to the double nearest the decimal, and JSON.stringify writes
 * the shortest text that reads back as that double, which for any decimal of
 * at most 15 significant digits (every price below 10^13 units) is the
 * decimal itself: "19.99", "0.5", "5", never 19.990000000000002 (which
 * 1999 * 0.01 would give).
 */
export function priceOfCents(cents: number): number {
  return cents / 100;
}

/** A toy as GET /products/<name> answers it. */
export function courseProductJson(name: string, priceCents: number, stock: number): CourseProductJson {
  return { data: { name, price: priceOfCents(priceCents), quantity: stock } };
}

/**
 * A store's order id as the course's order number: a JSON number, so only
 * an id that is a safe integer written plainly (every store's ids are);
 * undefined otherwise, which the caller answers as an internal error.
 */
export function orderNumberOf(id: string): number | undefined {
  const n = Number(id);
  return Number.isSafeInteger(n) && String(n) === id ? n : undefined;
}

/** The body of POST /orders as the buy it asks for; a bad_request error saying what is wrong with it. */
export function courseOrderOf(body: JsonObject | undefined): CourseOrderBodyJson | StoreError {
  if (body === undefined)
    return clientError("bad_request", 'the body must be a JSON object with "name" and "quantity"');
  const unknown = unknownField(body, ["name", "quantity"]);
  if (unknown !== undefined) return unknown;
  const { name, quantity } = body;
  if (name === undefined) return clientError("bad_request", '"name" is required');
  if (typeof name !== "string") return clientError("bad_request", '"name" must be a string');
  if (quantity === undefined) return clientError("bad_request", '"quantity" is required');
  // The operation's own rule, so the message is the one every transport gives.
  const bad = validateQuantity(typeof quantity === "number" ? quantity : Number.NaN);
  return bad ?? { name, quantity: quantity as number };
}
