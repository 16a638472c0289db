// What a route leads to: an operation of the store (the request built from
// the path, the body and the headers; the result written as a response), or a
// handler of the server's own (health, metrics, the event stream), and what
// the latter may read of the server.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { StoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import type { OpName, OutcomeOf, RequestOf } from "../../service/operations/index.js";
import type { StatsJson } from "./api.js";
import type { StockEvents } from "./stock-events.js";

/** A JSON body, once read: an object (body.ts refuses anything else). */
export type JsonObject = Readonly<Record<string, unknown>>;

/** An endpoint that runs operation K through the worker pool and the StoreService. */
export interface OperationEndpoint<K extends OpName = OpName> {
  readonly op: K;
  /**
   * Whether the request may carry a JSON body, read (body.ts) before the
   * request is built; whether it must is for `request` to say.
   */
  readonly body?: boolean;
  /** Staff only: the admin token must be configured and given (admin.ts). */
  readonly admin?: boolean;
  /**
   * The request from the path parameter (decoded), the body (undefined when
   * there is none) and the headers; a bad_request error for what cannot be
   * one. The operation's own validation (names, quantities) runs in the service.
   */
  request(param: string, body: JsonObject | undefined, req: IncomingMessage): RequestOf<K> | StoreError;
  /** Writes the response for a result (a JSON body, or a problem for a business outcome). */
  respond(res: ServerResponse, result: OutcomeOf[K], request: RequestOf<K>): void;
}

/** Every operation endpoint, as one union (each with its own request and result types). */
export type AnyOperationEndpoint = { [K in OpName]: OperationEndpoint<K> }[OpName];

/** What the server's own handlers read of it. */
export interface ServerState {
  /** Whether the server is shutting down. */
  readonly closing: boolean;
  /** Why the server cannot answer now (its store's database is away); undefined: it can. */
  readonly notReady: string | undefined;
  readonly events: StockEvents;
  readonly metrics: HttpMetrics | undefined;
}

/** What the HTTP server needs of the metrics (observability/store-metrics.ts's StoreMetrics). */
export interface HttpMetrics {
  recorder(transport: "http"): RequestRecorder;
  watchPool(transport: "http", pool: { stats(): { busy: number; queued: number } }): void;
  watchConnections(transport: "http", count: () => number): void;
  stats(): StatsJson;
  text(): Promise<string>;
  readonly contentType: string;
}

/** An endpoint the server answers itself, without the store's operations. */
export interface HandlerEndpoint {
  handle(req: IncomingMessage, res: ServerResponse, server: ServerState): void;
}

export type Endpoint = AnyOperationEndpoint | HandlerEndpoint;

/** Whether an endpoint is an operation's. */
export function isOperation(endpoint: Endpoint): endpoint is AnyOperationEndpoint {
  return "op" in endpoint;
}
