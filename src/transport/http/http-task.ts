// One HTTP API request: the shared request contract (PendingRequest) whose
// answer is the endpoint's response, and whose client is gone once the
// response can no longer be written.

import type { ServerResponse } from "node:http";
import type { StoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import type { OpName, OutcomeOf, RequestOf, StoreResult } from "../../service/operations/index.js";
import type { StoreService } from "../../service/store-service.js";
import { PendingRequest } from "../pending-request.js";
import type { OperationEndpoint } from "./endpoint.js";
import { problemOf } from "./problem.js";
import { sendProblem } from "./reply.js";

export class HttpTask<K extends OpName = OpName> extends PendingRequest<RequestOf<K>> {
  readonly #res: ServerResponse;
  readonly #endpoint: OperationEndpoint<K>;

  constructor(
    service: StoreService,
    request: RequestOf<K>,
    recorder: RequestRecorder | undefined,
    res: ServerResponse,
    endpoint: OperationEndpoint<K>,
  ) {
    super(service, request, recorder);
    this.#res = res;
    this.#endpoint = endpoint;
  }

  protected clientGone(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  protected answer(result: StoreResult): void {
    // The service answers a request with its own operation's result.
    if (!this.#res.destroyed) this.#endpoint.respond(this.#res, result as OutcomeOf[K], this.request);
  }

  protected reject(error: StoreError): void {
    if (!this.#res.destroyed) sendProblem(this.#res, problemOf(error));
  }
}
