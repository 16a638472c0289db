// Original file: proto/toystore.proto

/**
 * What a GetOrder found.
 */
export const OrderStatus = {
  /**
   * Never sent by the server; the proto3 default for an unset field.
   */
  ORDER_STATUS_UNSPECIFIED: 'ORDER_STATUS_UNSPECIFIED',
  /**
   * The order exists: order is set.
   */
  ORDER_STATUS_FOUND: 'ORDER_STATUS_FOUND',
  /**
   * The store holds no order of that id (the in-memory store keeps only the
   * latest 10000).
   */
  ORDER_STATUS_NOT_FOUND: 'ORDER_STATUS_NOT_FOUND',
} as const;

/**
 * What a GetOrder found.
 */
export type OrderStatus =
  /**
   * Never sent by the server; the proto3 default for an unset field.
   */
  | 'ORDER_STATUS_UNSPECIFIED'
  | 0
  /**
   * The order exists: order is set.
   */
  | 'ORDER_STATUS_FOUND'
  | 1
  /**
   * The store holds no order of that id (the in-memory store keeps only the
   * latest 10000).
   */
  | 'ORDER_STATUS_NOT_FOUND'
  | 2

/**
 * What a GetOrder found.
 */
export type OrderStatus__Output = typeof OrderStatus[keyof typeof OrderStatus]
