// Gathers requests into batches: those that arrive in one event-loop turn, and
// all that arrive while the batches already sent are running. One database
// round trip (and, for buys, one commit) then serves a whole batch; under no
// load a batch is one request and waits one turn.

interface Waiting<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

export class Batcher<I, O> {
  readonly #run: (items: readonly I[]) => Promise<readonly O[]>;
  readonly #maxInFlight: number;
  readonly #maxBatch: number;
  #queue: Waiting<I, O>[] = [];
  #inFlight = 0;
  #scheduled = false;
  readonly #flush = (): void => this.#send();

  /**
   * `run` answers a batch with one result per item, in order; if it rejects,
   * every item of the batch fails with that error. At most `maxInFlight`
   * batches run at once, each of at most `maxBatch` items.
   */
  constructor(run: (items: readonly I[]) => Promise<readonly O[]>, maxInFlight: number, maxBatch = 1000) {
    this.#run = run;
    this.#maxInFlight = maxInFlight;
    this.#maxBatch = maxBatch;
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Requests waiting for a batch, and batches running. */
  get pending(): { readonly waiting: number; readonly inFlight: number } {
    return { waiting: this.#queue.length, inFlight: this.#inFlight };
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  #send(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0 || this.#inFlight >= this.#maxInFlight) return;
    const batch = this.#queue.length <= this.#maxBatch ? this.#queue : this.#queue.slice(0, this.#maxBatch);
    this.#queue = this.#queue.length <= this.#maxBatch ? [] : this.#queue.slice(this.#maxBatch);
    this.#inFlight++;
    // More than one batch's worth was waiting: the rest goes next turn if another may be in flight.
    if (this.#queue.length > 0) this.#schedule();
    let answer: Promise<readonly O[]>;
    try {
      answer = this.#run(batch.map((w) => w.item));
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer
      .then(
        (results) => {
          if (results.length !== batch.length)
            throw new Error(`batch of ${batch.length} answered with ${results.length} results`);
          for (const [i, w] of batch.entries()) w.resolve(results[i] as O);
        },
        (error: unknown) => {
          for (const w of batch) w.reject(error);
        },
      )
      .catch((error: unknown) => {
        for (const w of batch) w.reject(error);
      })
      .finally(() => {
        this.#inFlight--;
        if (this.#queue.length > 0) this.#schedule();
      });
  }
}
