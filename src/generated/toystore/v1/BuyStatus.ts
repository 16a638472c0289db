// Original file: proto/toystore.proto

/**
 * What a Buy did.
 */
export const BuyStatus = {
  /**
   * Never sent by the server; the proto3 default for an unset field.
   */
  BUY_STATUS_UNSPECIFIED: 'BUY_STATUS_UNSPECIFIED',
  /**
   * The units asked for were bought: stock_left, order_id, unit_price_cents
   * and quantity are set.
   */
  BUY_STATUS_BOUGHT: 'BUY_STATUS_BOUGHT',
  /**
   * The toy exists but fewer units were left than asked; nothing was bought.
   */
  BUY_STATUS_SOLD_OUT: 'BUY_STATUS_SOLD_OUT',
  /**
   * The catalog has no toy of that name; nothing was bought.
   */
  BUY_STATUS_NOT_FOUND: 'BUY_STATUS_NOT_FOUND',
} as const;

/**
 * What a Buy did.
 */
export type BuyStatus =
  /**
   * Never sent by the server; the proto3 default for an unset field.
   */
  | 'BUY_STATUS_UNSPECIFIED'
  | 0
  /**
   * The units asked for were bought: stock_left, order_id, unit_price_cents
   * and quantity are set.
   */
  | 'BUY_STATUS_BOUGHT'
  | 1
  /**
   * The toy exists but fewer units were left than asked; nothing was bought.
   */
  | 'BUY_STATUS_SOLD_OUT'
  | 2
  /**
   * The catalog has no toy of that name; nothing was bought.
   */
  | 'BUY_STATUS_NOT_FOUND'
  | 3

/**
 * What a Buy did.
 */
export type BuyStatus__Output = typeof BuyStatus[keyof typeof BuyStatus]
