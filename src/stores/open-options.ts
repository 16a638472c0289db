// What every durable store's open() takes and gives back: the catalog to fill
// a new store with, the hook its run-time failures are logged through, and
// what it found.

import type { Toy } from "../catalog/toy.js";

/** The catalog to fill a new store with; `given` when the user named it (a store that holds one refuses it). */
export interface CatalogSource {
  readonly toys: readonly Toy[];
  readonly given: boolean;
}

/**
 * Where a store reports a failure no request can carry (a commit that failed
 * for a whole batch, a cleanup that failed): one message, without a prefix.
 * The server passes its logger; the default is logToStderr.
 */
export type StoreLog = (message: string) => void;

/** The fallback StoreLog: one line on stderr, as every toystore message there starts. */
export const logToStderr: StoreLog = (message) => {
  process.stderr.write(`toystore: ${message}\n`);
};

/** How a store opened: created now and filled from the catalog, or serving what it held. */
export interface Opened<S> {
  readonly store: S;
  readonly created: boolean;
  readonly toys: number;
  readonly orders: number;
}

/**
 * The hook a store calls: `log` (default logToStderr), safe to call where
 * nothing could catch what it throws (a commit's callback): a hook that
 * throws is bypassed for that message, which goes to stderr.
 */
export function storeLog(log: StoreLog = logToStderr): StoreLog {
  return (message) => {
    try {
      log(message);
    } catch {
      logToStderr(message);
    }
  };
}
