// One request's place in a connection's reply order: the pool's task and the
// service's result sink at once, so that a request allocates one object and
// no closures.

import type { StoreRequest, StoreResult } from "../../catalog/toy.js";
import type { PoolTask, SubmitRefusal } from "../../concurrency/worker-pool.js";
import { StoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/metrics.js";
import { encodeError, encodeResult } from "../../protocol/codec.js";
import type { ResultSink, StoreService } from "../../service/store-service.js";

const BUSY_REPLY = encodeError(new StoreError("busy", "busy"));
const SHUTTING_DOWN_REPLY = encodeError(new StoreError("shutting_down", "shutting down"));

/** What a slot needs from its connection. */
export interface SlotOwner {
  readonly service: StoreService;
  /** The client is gone: nobody can be told an outcome any more. */
  readonly closed: boolean;
  /** A slot's reply became ready. */
  replyReady(): void;
  /** A slot the pool ran has finished, and its worker is free. */
  ranToCompletion(): void;
  /** Where the connection's answered requests are recorded; absent: not recorded (and not timed). */
  readonly recorder?: RequestRecorder | undefined;
}

export class Slot implements PoolTask, ResultSink {
  /** The reply line (without its line end), once known. */
  reply: string | undefined;
  #done: (() => void) | undefined;
  /** When the request was decoded (the recorder's clock), if its owner records it; 0 otherwise. */
  readonly #startedAt: number;

  constructor(
    readonly owner: SlotOwner,
    readonly request: StoreRequest | undefined,
  ) {
    // Without a recorder, one check and no clock.
    const recorder = owner.recorder;
    this.#startedAt = recorder === undefined || request === undefined ? 0 : recorder.now();
  }

  /** A slot answered at once, without running anything (a malformed line, a closing line). */
  static answered(owner: SlotOwner, reply: string): Slot {
    const slot = new Slot(owner, undefined);
    slot.reply = reply;
    return slot;
  }

  /** The pool would not take it. */
  refuse(refusal: SubmitRefusal): void {
    this.reply = refusal === "busy" ? BUSY_REPLY : SHUTTING_DOWN_REPLY;
    const recorder = this.owner.recorder;
    if (recorder !== undefined) recorder.done(this.request!.op, refusal, this.#startedAt);
    this.owner.replyReady();
  }

  run(done: () => void): void {
    // The client left while this request waited: nobody is told the outcome,
    // so it is not run (a buy nobody sees acknowledged must not count).
    if (this.owner.closed) {
      done();
      return;
    }
    this.#done = done;
    this.owner.service.execute(this.request!, this);
  }

  /**
   * The outcome is decided and waits to be stored: the request has left the
   * pool, so its worker and its connection's share of the pool are free for
   * the next requests meanwhile.
   */
  decided(): void {
    const done = this.#done;
    if (done === undefined) return;
    this.#done = undefined;
    done();
    this.owner.ranToCompletion();
  }

  complete(result: StoreResult): void {
    this.#settle(encodeResult(result), result.kind);
  }

  fail(error: StoreError): void {
    this.#settle(encodeError(error), error.code);
  }

  /** The answer: `outcome` is the result's kind or the error's code, as the metrics count it. */
  #settle(reply: string, outcome: string): void {
    this.reply = reply;
    const recorder = this.owner.recorder;
    if (recorder !== undefined) recorder.done(this.request!.op, outcome, this.#startedAt);
    const done = this.#done;
    this.#done = undefined;
    done?.();
    this.owner.replyReady();
    // Left the pool at decided() already, if it went through it.
    if (done !== undefined) this.owner.ranToCompletion();
  }
}
