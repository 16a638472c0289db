// One HTTP API request: the shared request contract (PendingRequest) whose
// answer is the endpoint's response, whose errors are written in its route's
// shape, and whose client is gone once the response can no longer be written.

import type { ServerResponse } from "node:http";
import type { StoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import type { OpName, OutcomeOf, RequestOf, StoreResult } from "../../service/operations/index.js";
import type { StoreService } from "../../service/store-service.js";
import { PendingRequest } from "../pending-request.js";
import type { OperationEndpoint } from "./endpoint.js";
import { problemOf } from "./problem.js";
import { type SendProblem, sendProblem } from "./reply.js";

export class HttpTask<K extends OpName = OpName> extends PendingRequest<RequestOf<K>> {
  readonly #res: ServerResponse;
  readonly #endpoint: OperationEndpoint<K>;
  readonly #send: SendProblem;

  /** `send` writes its errors (busy, shutting down, the store's): RFC 9457 problems unless the route has its own shape. */
  constructor(
    service: StoreService,
    request: RequestOf<K>,
    recorder: RequestRecorder | undefined,
    res: ServerResponse,
    endpoint: OperationEndpoint<K>,
    send: SendProblem = sendProblem,
  ) {
    super(service, request, recorder);
    this.#res = res;
    this.#endpoint = endpoint;
    this.#send = send;
  }

  protected clientGone(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  protected answer(result: StoreResult): void {
    // The service answers a request with its own operation's result.
    if (!this.#res.destroyed) this.#endpoint.respond(this.#res, result as OutcomeOf[K], this.request);
  }

  protected reject(error: StoreError): void {
    if (!this.#res.destroyed) this.#send(this.#res, problemOf(error));
  }
}
