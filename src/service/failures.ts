// The errors a request gets when the store fails it: what the service tells
// the client, whatever the store threw.

import { isStoreError, StoreError } from "../errors.js";

/**
 * The error a client gets when the store could not do what it asked: nothing
 * was acknowledged. A StoreError the store chose (a reused idempotency key,
 * the database away) is passed on as it is.
 */
export function storeFailure(error: unknown): StoreError {
  if (isStoreError(error)) return error;
  return new StoreError("unavailable", "store unavailable", { cause: error });
}

/** A store that threw or rejected while answering: a bug, unless it chose its error. */
export function internalFailure(error: unknown): StoreError {
  if (isStoreError(error)) return error;
  return new StoreError("internal", "internal error", { cause: error });
}
