// One admitted gRPC call on its way through the worker pool and the StoreService.
//
// A call is a single object: it is the pool's task, the service's request and
// the service's result sink at once, so admitting a call allocates nothing but
// this object (no closures, no promise).

import type { ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import type { BuyResult, Op, QueryResult, StoreRequest, StoreResult } from "../../catalog/toy.js";
import type { PoolTask } from "../../concurrency/worker-pool.js";
import { StoreError } from "../../errors.js";
import type { BuyResponse } from "../../generated/toystore/v1/BuyResponse.js";
import type { QueryResponse } from "../../generated/toystore/v1/QueryResponse.js";
import type { RequestRecorder } from "../../observability/metrics.js";
import type { ResultSink, StoreService } from "../../service/store-service.js";
import { encodeBuyResult, encodeQueryResult } from "./messages.js";
import { type ErrorStatus, toErrorStatus } from "./status-codes.js";

/** What every call of one server shares: the service, where answers are recorded, and counters of calls that never ran. */
export class CallContext {
  readonly service: StoreService;
  /** Where answered calls are recorded (op, outcome, latency); absent: not recorded, and not timed. */
  readonly recorder: RequestRecorder | undefined;
  /** Calls whose deadline had passed when a handler became free. */
  expiredInQueue = 0;
  /** Calls the client cancelled (or the server force-closed) before a handler became free. */
  cancelledInQueue = 0;

  constructor(service: StoreService, recorder?: RequestRecorder) {
    this.service = service;
    this.recorder = recorder;
  }
}

/** A call of either method; the op says which one it is. */
export type UnaryCall = ServerUnaryCall<
  { name: string; idempotencyKey?: string },
  QueryResponse | BuyResponse
>;
/** The callback of either method; the op says which one it is. */
export type UnaryCallback = sendUnaryData<QueryResponse> | sendUnaryData<BuyResponse>;

function deadlineStatus(): ErrorStatus {
  return toErrorStatus(new StoreError("deadline_exceeded", "deadline exceeded while waiting for a handler"));
}

/**
 * One admitted call: the pool runs it, the StoreService reads it as the request
 * and reports to it as the sink, and it answers the gRPC callback exactly once
 * (or not at all when the call was cancelled before it could run).
 */
export class CallTask implements PoolTask, StoreRequest, ResultSink {
  readonly op: Op;
  readonly name: string;
  readonly requestKey: string | undefined;
  readonly #context: CallContext;
  readonly #call: UnaryCall;
  readonly #callback: UnaryCallback;
  /** When grpc-js handed the call over (the recorder's clock), if the server records; 0 otherwise. */
  readonly startedAt: number;
  #done: (() => void) | undefined;

  constructor(context: CallContext, op: Op, call: UnaryCall, callback: UnaryCallback) {
    this.op = op;
    this.name = call.request.name;
    // proto3: an unset string is "", which means no key.
    const key = op === "buy" ? call.request.idempotencyKey : undefined;
    this.requestKey = key === undefined || key === "" ? undefined : key;
    this.#context = context;
    this.#call = call;
    this.#callback = callback;
    const recorder = context.recorder;
    this.startedAt = recorder === undefined ? 0 : recorder.now();
  }

  /**
   * Called by the pool when a handler is free. A call that can no longer be
   * answered is not run: running it would spend a handler (and, for a buy,
   * sell a unit) for nobody.
   */
  run(done: () => void): void {
    // grpc-js marks a call cancelled when the client cancels it, when the
    // connection drops, and when its own deadline timer has already answered
    // DEADLINE_EXCEEDED: then there is no one left to answer. The deadline may
    // also have passed with that timer not yet fired (timers run late on a busy
    // event loop): then this call answers for it.
    const cancelled = this.#call.cancelled;
    const deadline = this.#call.getDeadline();
    const expired = deadline !== Number.POSITIVE_INFINITY && Date.now() >= +deadline;
    if (cancelled || expired) {
      if (expired) {
        this.#context.expiredInQueue++;
        if (!cancelled) {
          this.#record("deadline_exceeded");
          this.#callback(deadlineStatus());
        }
      } else {
        this.#context.cancelledInQueue++;
      }
      done();
      return;
    }
    this.#done = done;
    this.#context.service.execute(this, this);
  }

  complete(result: StoreResult): void {
    this.#record(result.kind);
    // The op was fixed by the method that admitted the call, so it says which
    // result and which callback this is.
    if (this.op === "query") {
      (this.#callback as sendUnaryData<QueryResponse>)(null, encodeQueryResult(result as QueryResult));
    } else {
      (this.#callback as sendUnaryData<BuyResponse>)(null, encodeBuyResult(result as BuyResult));
    }
    this.decided();
  }

  fail(error: StoreError): void {
    this.#record(error.code);
    this.#callback(toErrorStatus(error));
    this.decided();
  }

  /** Frees the handler: called once the outcome is decided (it may still wait to be stored), or at the answer. */
  decided(): void {
    const done = this.#done;
    this.#done = undefined;
    done?.();
  }

  /** The call is answered now with this outcome (the result's kind or the error's code). */
  #record(outcome: string): void {
    const recorder = this.#context.recorder;
    if (recorder !== undefined) recorder.done(this.op, outcome, this.startedAt);
  }
}
