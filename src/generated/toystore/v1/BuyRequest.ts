// Original file: proto/toystore.proto


/**
 * Asks to buy units of a toy: one unless quantity says more.
 */
export interface BuyRequest {
  /**
   * The toy's name, with the same rules as QueryRequest.name.
   */
  'name'?: (string);
  /**
   * Optional: a key the client chose for this buy (1 to 100 visible ASCII
   * characters, no spaces or ':'), e.g. a UUID. A buy retried with the same
   * key, on any server of the same store, answers the first buy's outcome
   * (the same order_id) and sells nothing more; the same key for another toy
   * is INVALID_ARGUMENT. Keys are kept a day. Empty: no key.
   */
  'idempotencyKey'?: (string);
  /**
   * Units to buy, all or nothing: with fewer left than asked, the answer is
   * SOLD_OUT and nothing is sold. 0 (unset) means 1, so a client built before
   * this field buys one unit; more than 1000000 is INVALID_ARGUMENT.
   */
  'quantity'?: (number);
}

/**
 * Asks to buy units of a toy: one unless quantity says more.
 */
export interface BuyRequest__Output {
  /**
   * The toy's name, with the same rules as QueryRequest.name.
   */
  'name': (string);
  /**
   * Optional: a key the client chose for this buy (1 to 100 visible ASCII
   * characters, no spaces or ':'), e.g. a UUID. A buy retried with the same
   * key, on any server of the same store, answers the first buy's outcome
   * (the same order_id) and sells nothing more; the same key for another toy
   * is INVALID_ARGUMENT. Keys are kept a day. Empty: no key.
   */
  'idempotencyKey': (string);
  /**
   * Units to buy, all or nothing: with fewer left than asked, the answer is
   * SOLD_OUT and nothing is sold. 0 (unset) means 1, so a client built before
   * this field buys one unit; more than 1000000 is INVALID_ARGUMENT.
   */
  'quantity': (number);
}
