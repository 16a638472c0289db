// Original file: proto/toystore.proto

import type { OrderStatus as _toystore_v1_OrderStatus, OrderStatus__Output as _toystore_v1_OrderStatus__Output } from '../../toystore/v1/OrderStatus.js';
import type { Order as _toystore_v1_Order, Order__Output as _toystore_v1_Order__Output } from '../../toystore/v1/Order.js';

/**
 * The answer to a GetOrder.
 */
export interface GetOrderResponse {
  /**
   * Which of the two outcomes this is.
   */
  'status'?: (_toystore_v1_OrderStatus);
  /**
   * The order; unset unless status is FOUND.
   */
  'order'?: (_toystore_v1_Order | null);
}

/**
 * The answer to a GetOrder.
 */
export interface GetOrderResponse__Output {
  /**
   * Which of the two outcomes this is.
   */
  'status': (_toystore_v1_OrderStatus__Output);
  /**
   * The order; unset unless status is FOUND.
   */
  'order': (_toystore_v1_Order__Output | null);
}
