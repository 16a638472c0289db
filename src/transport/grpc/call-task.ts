// One admitted gRPC call: the shared request contract (PendingRequest) whose
// answer is the unary callback, with the response message its method makes
// of the result (or the status its contract answers that outcome with), or
// the status the one error table makes of the error.

import type { ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import type { SubmitRefusal } from "../../concurrency/worker-pool.js";
import { clientError, StoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import type { StoreResult } from "../../service/operations/index.js";
import type { StoreService } from "../../service/store-service.js";
import { PendingRequest } from "../pending-request.js";
import type { GrpcMethod } from "./methods.js";
import { OutcomeStatus, toErrorStatus } from "./status-codes.js";

/** The answer to a call whose deadline passed while it waited: the same for every call. */
const EXPIRED_IN_QUEUE = clientError("deadline_exceeded", "deadline exceeded while waiting for a handler");

/** What every call of one server shares: the service, where answers are recorded, the refusals, and counters of calls that never ran. */
export class CallContext {
  readonly service: StoreService;
  /** Where answered calls are recorded (op, outcome, latency); absent: not recorded, and not timed. */
  readonly recorder: RequestRecorder | undefined;
  /** The pool's refusals, in words a gRPC client reads in the status details. */
  readonly refusals: Readonly<Record<SubmitRefusal, StoreError>>;
  /** Calls whose deadline had passed when a handler became free. */
  expiredInQueue = 0;
  /** Calls the client cancelled (or the server force-closed) before a handler became free. */
  cancelledInQueue = 0;

  constructor(service: StoreService, maxQueued: number, recorder?: RequestRecorder) {
    this.service = service;
    this.recorder = recorder;
    this.refusals = Object.freeze({
      busy: new StoreError("busy", `server busy: ${maxQueued} calls already waiting for a handler`),
      shutting_down: new StoreError("shutting_down", "server is shutting down"),
    });
  }
}

/**
 * One admitted call: the pool runs it, the StoreService reads its request and
 * reports to it, and it answers the gRPC callback exactly once (or not at all
 * when the call was cancelled before it could run).
 */
export class CallTask<Req = unknown, Res = unknown> extends PendingRequest {
  readonly #context: CallContext;
  readonly #method: GrpcMethod<Req, Res>;
  readonly #call: ServerUnaryCall<Req, Res>;
  readonly #callback: sendUnaryData<Res>;

  constructor(
    context: CallContext,
    method: GrpcMethod<Req, Res>,
    call: ServerUnaryCall<Req, Res>,
    callback: sendUnaryData<Res>,
  ) {
    super(context.service, method.toRequest(call.request), context.recorder);
    this.#context = context;
    this.#method = method;
    this.#call = call;
    this.#callback = callback;
  }

  /**
   * Called by the pool when a handler is free. A call that can no longer be
   * answered is not run: running it would spend a handler (and, for a buy,
   * sell units) for nobody.
   */
  override run(done: () => void): void {
    // grpc-js marks a call cancelled when the client cancels it, when the
    // connection drops, and when its own deadline timer has already answered
    // DEADLINE_EXCEEDED: then there is no one left to answer. The deadline may
    // also have passed with that timer not yet fired (timers run late on a busy
    // event loop): then this call answers for it.
    const call = this.#call;
    const deadline = call.getDeadline();
    if (deadline !== Number.POSITIVE_INFINITY && Date.now() >= +deadline) {
      this.#context.expiredInQueue++;
      if (!call.cancelled) this.fail(EXPIRED_IN_QUEUE);
      done();
      return;
    }
    if (call.cancelled) this.#context.cancelledInQueue++;
    super.run(done);
  }

  /** The pool would not take it: answered with this server's refusal, never run. */
  override refuse(refusal: SubmitRefusal): void {
    this.fail(this.#context.refusals[refusal]);
  }

  protected clientGone(): boolean {
    return this.#call.cancelled;
  }

  protected answer(result: StoreResult): void {
    const response = this.#method.toResponse(result);
    // An outcome its contract answers as a status (the original ToyStore's
    // unknown toy) is a failed call, but still the outcome: it was recorded as such.
    if (response instanceof OutcomeStatus) this.#callback(response);
    else this.#callback(null, response);
  }

  protected reject(error: StoreError): void {
    this.#callback(toErrorStatus(error));
  }
}
