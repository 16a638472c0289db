// Where the service reports one request's outcome.

import type { StoreError } from "../errors.js";
import type { StoreResult } from "./operations/index.js";

/** Receives the outcome of one request: exactly one of complete and fail is called, once. Must not throw. */
export interface ResultSink {
  complete(result: StoreResult): void;
  fail(error: StoreError): void;
  /**
   * The outcome is decided and now waits to be stored (group commit); the
   * answer follows. A transport frees its worker here: the wait is the
   * store's, and a worker held through it would cap how many buys one commit
   * can gather at the number of workers. Optional; at most once, before the answer.
   */
  decided?(): void;
}
