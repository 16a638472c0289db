// The gRPC transport's method table for toystore.v1.ToyStore: each method, the
// operation it runs (src/service/operations/), how its request message
// becomes a StoreRequest and how the operation's result becomes its response
// message; and the types every method table is checked with (the original
// design's ToyStore has its own table, original-methods.ts). The server
// registers exactly these handlers; nothing else in the transport knows which
// method is which.

import type * as grpc from "@grpc/grpc-js";
import type { BuyRequest__Output } from "../../generated/toystore/v1/BuyRequest.js";
import type { GetOrderRequest__Output } from "../../generated/toystore/v1/GetOrderRequest.js";
import type { QueryRequest__Output } from "../../generated/toystore/v1/QueryRequest.js";
import type { ToyStoreHandlers } from "../../generated/toystore/v1/ToyStore.js";
import type {
  OpName,
  OutcomeOf,
  RequestOf,
  StoreRequest,
  StoreResult,
} from "../../service/operations/index.js";
import { encodeBuyResult, encodeListResult, encodeOrderResult, encodeQueryResult } from "./messages.js";
import type { OutcomeStatus } from "./status-codes.js";

/** The keys a type names itself, without those of an index signature (the generated handlers extend one). */
type NamedKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** The methods of toystore.v1.ToyStore, as the generated types name them. */
export type ToyStoreMethod = NamedKeys<ToyStoreHandlers>;

type RequestMessage<H, M extends keyof H> =
  H[M] extends grpc.handleUnaryCall<infer Req, unknown> ? Req : never;
type ResponseMessage<H, M extends keyof H> =
  H[M] extends grpc.handleUnaryCall<never, infer Res> ? Res : never;

/** One method: the operation it runs, and the two conversions at its edge. Pure: no validation (the operation does it), no I/O. */
export interface GrpcMethod<Req = unknown, Res = unknown> {
  readonly op: OpName;
  /** The decoded request message as the request the service runs. */
  readonly toRequest: (message: Req) => StoreRequest;
  /**
   * A result of the method's operation as its response message, or as the
   * status a contract answers that outcome with (only the original design's
   * ToyStore does: an unknown toy is a failed call there).
   */
  readonly toResponse: (result: StoreResult) => Res | OutcomeStatus;
}

/**
 * A service's method table, checked against its generated handlers `H`: a row
 * for every method the proto declares, each converting that method's own
 * request and response messages (a test checks there is no other row).
 */
export type MethodTable<H> = {
  readonly [M in NamedKeys<H>]: GrpcMethod<RequestMessage<H, M>, ResponseMessage<H, M>>;
};

/**
 * A table row; the one generic that ties the conversions to one operation,
 * so that a row cannot pair a method with another operation's results.
 */
export function method<K extends OpName, Req, Res>(
  op: K,
  toRequest: (message: Req) => RequestOf<K>,
  toResponse: (result: OutcomeOf[K]) => Res | OutcomeStatus,
): GrpcMethod<Req, Res> {
  // The service answers a request of op K with an OutcomeOf[K] only.
  return { op, toRequest, toResponse: toResponse as (result: StoreResult) => Res | OutcomeStatus };
}

/** ListToys carries nothing: one request object serves every call. */
const LIST_REQUEST = Object.freeze({ op: "list" as const });

/** Every method of the service (the type requires each one), in the proto's order. */
export const GRPC_METHODS: MethodTable<ToyStoreHandlers> = Object.freeze({
  Query: method(
    "query",
    (message: QueryRequest__Output) => ({ op: "query", name: message.name }),
    encodeQueryResult,
  ),
  Buy: method(
    "buy",
    (message: BuyRequest__Output) => ({
      op: "buy",
      name: message.name,
      // proto3: unset is 0, which means one unit (what every Buy meant before the field).
      quantity: message.quantity === 0 ? 1 : message.quantity,
      // proto3: an unset string is "", which means no key.
      requestKey: message.idempotencyKey === "" ? undefined : message.idempotencyKey,
    }),
    encodeBuyResult,
  ),
  GetOrder: method(
    "order",
    (message: GetOrderRequest__Output) => ({ op: "order", id: message.orderId }),
    encodeOrderResult,
  ),
  ListToys: method("list", () => LIST_REQUEST, encodeListResult),
});
