// Admission of one connection's requests to the shared worker pool: in
// order, and at most `maxAdmitted` of them in the pool (running or queued) at
// once; the rest wait here, in the connection.
//
// Why: the pool's queue is FIFO and shared by every connection. Without a cap,
// a client that pipelines puts all its requests in that queue, and a client
// that sends one request at a time waits behind all of them. With the cap, a
// pipelining connection holds a bounded share of the queue however deep its
// pipeline, and still keeps every worker busy when it is alone.
//
// It admits any PendingRequest: the line protocol's slots and the original
// socket protocol's tasks (src/transport/original-socket/) alike.

import type { WorkerPool } from "../../concurrency/worker-pool.js";
import type { PendingRequest } from "../pending-request.js";

/** What waits for admission: a request the pool runs, answered with the refusal when the pool will not take it. */
type Admitted = PendingRequest;

export class Admission {
  readonly #pool: WorkerPool;
  readonly #maxAdmitted: number;
  #waiting: Admitted[] = [];
  #head = 0;
  #admitted = 0;
  // Set while admitting: a slot that completes synchronously inside
  // pool.submit calls finished() re-entrantly, which then only counts.
  #admitting = false;

  constructor(pool: WorkerPool, maxAdmitted: number) {
    this.#pool = pool;
    this.#maxAdmitted = maxAdmitted;
  }

  /** Requests of this connection in the pool now, running or queued. */
  get admitted(): number {
    return this.#admitted;
  }

  /** Queues a slot behind this connection's earlier ones and admits what the cap allows. */
  add(slot: Admitted): void {
    // Fast path: nothing of this connection waits and there is room, so the
    // slot goes straight to the pool without passing through the array.
    if (!this.#admitting && this.#head === this.#waiting.length && this.#admitted < this.#maxAdmitted) {
      this.#admitted++;
      this.#admitting = true;
      let refusal: ReturnType<WorkerPool["submit"]>;
      try {
        refusal = this.#pool.submit(slot);
      } finally {
        this.#admitting = false;
      }
      if (refusal !== null) {
        this.#admitted--;
        slot.refuse(refusal);
      }
      // A slot that finished inside submit freed its place while #admitting
      // was set; nothing else waits, so there is nothing more to admit.
      return;
    }
    this.#waiting.push(slot);
    this.#admit();
  }

  /** An admitted slot has finished. */
  finished(): void {
    this.#admitted--;
    this.#admit();
  }

  /** The client is gone: what waits here is dropped unrun. */
  clear(): void {
    this.#waiting = [];
    this.#head = 0;
  }

  #admit(): void {
    if (this.#admitting) return;
    this.#admitting = true;
    try {
      while (this.#admitted < this.#maxAdmitted && this.#head < this.#waiting.length) {
        const slot = this.#waiting[this.#head++]!;
        this.#admitted++;
        const refusal = this.#pool.submit(slot);
        if (refusal !== null) {
          this.#admitted--;
          slot.refuse(refusal);
        }
      }
      if (this.#head === this.#waiting.length) {
        this.#waiting.length = 0;
        this.#head = 0;
      }
    } finally {
      this.#admitting = false;
    }
  }
}
