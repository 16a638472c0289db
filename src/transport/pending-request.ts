// The one request contract every transport shares: a request admitted to a
// worker pool, run through the StoreService, answered once, recorded once,
// and dropped unrun if its client is gone by the time a worker is free.
//
// A transport subclasses it with how to answer (a reply line, a gRPC
// callback, an HTTP response) and how to tell that its client is gone; the
// object is at once the pool's task and the service's result sink, so a
// request allocates it and nothing else (no closure, no promise).

import type { PoolTask, SubmitRefusal } from "../concurrency/worker-pool.js";
import { clientError, type StoreError } from "../errors.js";
import type { RequestRecorder } from "../observability/request-recorder.js";
import type { StoreRequest, StoreResult } from "../service/operations/index.js";
import type { ResultSink, StoreService } from "../service/store-service.js";

const REFUSALS: Readonly<Record<SubmitRefusal, StoreError>> = {
  busy: clientError("busy", "busy"),
  shutting_down: clientError("shutting_down", "shutting down"),
};

export abstract class PendingRequest<R extends StoreRequest = StoreRequest> implements PoolTask, ResultSink {
  readonly request: R;
  readonly #service: StoreService;
  readonly #recorder: RequestRecorder | undefined;
  /** When the request was decoded (the recorder's clock); 0 when nothing records. */
  readonly #startedAt: number;
  #done: (() => void) | undefined;
  #answered = false;

  constructor(service: StoreService, request: R, recorder: RequestRecorder | undefined) {
    this.request = request;
    this.#service = service;
    this.#recorder = recorder;
    this.#startedAt = recorder === undefined ? 0 : recorder.now();
  }

  /** Whether nobody can be told the outcome any more (the client left, or the call was cancelled). */
  protected abstract clientGone(): boolean;
  /** Sends the result to the client. Called at most once, and never after reject. Must not throw. */
  protected abstract answer(result: StoreResult): void;
  /** Sends the error to the client. Called at most once, and never after answer. Must not throw. */
  protected abstract reject(error: StoreError): void;
  /** The request has left the pool and its worker is free. */
  protected released(): void {}

  /** Called by the pool when a worker is free. A request nobody can be told of is not run (a buy must not sell for nobody). */
  run(done: () => void): void {
    if (this.clientGone()) {
      done();
      this.released();
      return;
    }
    this.#done = done;
    this.#service.execute(this.request, this);
  }

  /** The pool would not take it: answered with the refusal, never run. */
  refuse(refusal: SubmitRefusal): void {
    this.fail(REFUSALS[refusal]);
  }

  /**
   * The outcome is decided and waits to be stored (group commit): the worker
   * is freed now, so that a commit can gather more buys than there are workers.
   */
  decided(): void {
    const done = this.#done;
    if (done === undefined) return;
    this.#done = undefined;
    done();
    this.released();
  }

  complete(result: StoreResult): void {
    if (!this.#settle(result.kind)) return;
    this.answer(result);
    this.decided();
  }

  fail(error: StoreError): void {
    if (!this.#settle(error.code)) return;
    this.reject(error);
    this.decided();
  }

  /** Marks the request answered and records its outcome (the result's kind or the error's code); false if it was already. */
  #settle(outcome: string): boolean {
    if (this.#answered) return false;
    this.#answered = true;
    const recorder = this.#recorder;
    if (recorder !== undefined) recorder.done(this.request.op, outcome, this.#startedAt);
    return true;
  }
}
