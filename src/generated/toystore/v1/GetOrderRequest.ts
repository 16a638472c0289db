// Original file: proto/toystore.proto


/**
 * Asks for one recorded order.
 */
export interface GetOrderRequest {
  /**
   * The order_id a BuyResponse carried. Must not be empty; ids over 64
   * characters are rejected with INVALID_ARGUMENT.
   */
  'orderId'?: (string);
}

/**
 * Asks for one recorded order.
 */
export interface GetOrderRequest__Output {
  /**
   * The order_id a BuyResponse carried. Must not be empty; ids over 64
   * characters are rejected with INVALID_ARGUMENT.
   */
  'orderId': (string);
}
