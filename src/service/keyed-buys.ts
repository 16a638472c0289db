// Idempotent buys on a store this process owns (memory, sqlite): the first
// buy with a key runs and is remembered; a retry gets the first one's outcome
// (waiting for it if it is still running) and sells nothing. A shared store
// keeps its keys in its own transactions instead.

import { normalizeName, type SaleResult } from "../catalog/toy.js";
import { keyReused, type StoreError } from "../errors.js";
import type { BuyRequest, StoreResult } from "./operations/index.js";
import { RequestKeys } from "./request-keys.js";
import type { ResultSink } from "./result-sink.js";

export class KeyedBuys {
  readonly #keys = new RequestKeys();

  /**
   * Runs `request` (which carries a key) through `run` unless its key already
   * bought: then the sink gets that buy's outcome. The check and the record
   * are one synchronous step, so two retries racing cannot both buy.
   */
  execute(request: BuyRequest, requestKey: string, sink: ResultSink, run: (sink: ResultSink) => void): void {
    const toyKey = normalizeName(request.name);
    const keys = this.#keys;
    const prior = keys.get(requestKey);
    if (prior !== undefined) {
      if (prior.toyKey !== toyKey || prior.quantity !== request.quantity) {
        sink.fail(keyReused());
        return;
      }
      prior.outcome.then(
        (result) => sink.complete(result),
        (error: StoreError) => sink.fail(error),
      );
      return;
    }
    let settle: (result: SaleResult) => void = () => {};
    let refuse: (error: StoreError) => void = () => {};
    const outcome = new Promise<SaleResult>((resolve, reject) => {
      settle = resolve;
      refuse = reject;
    });
    // Retries attach their own handlers; a failure nobody waits for is not unhandled.
    outcome.catch(() => {});
    keys.set(requestKey, { toyKey, quantity: request.quantity, outcome });
    run({
      complete(result: StoreResult) {
        // Nothing was bought: nothing to remember (the toy may be added later).
        if (result.kind === "not_found") keys.delete(requestKey);
        settle(result as SaleResult);
        sink.complete(result);
      },
      fail(error) {
        // Nothing was stored: a retry may buy.
        keys.delete(requestKey);
        refuse(error);
        sink.fail(error);
      },
      decided() {
        sink.decided?.();
      },
    });
  }
}
