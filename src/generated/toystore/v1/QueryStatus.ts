// Original file: proto/toystore.proto

/**
 * What a Query found.
 */
export const QueryStatus = {
  /**
   * Never sent by the server; the proto3 default for an unset field.
   */
  QUERY_STATUS_UNSPECIFIED: 'QUERY_STATUS_UNSPECIFIED',
  /**
   * The toy exists and has at least one unit: price_cents and stock are set.
   */
  QUERY_STATUS_IN_STOCK: 'QUERY_STATUS_IN_STOCK',
  /**
   * The toy exists but no units are left.
   */
  QUERY_STATUS_SOLD_OUT: 'QUERY_STATUS_SOLD_OUT',
  /**
   * The catalog has no toy of that name.
   */
  QUERY_STATUS_NOT_FOUND: 'QUERY_STATUS_NOT_FOUND',
} as const;

/**
 * What a Query found.
 */
export type QueryStatus =
  /**
   * Never sent by the server; the proto3 default for an unset field.
   */
  | 'QUERY_STATUS_UNSPECIFIED'
  | 0
  /**
   * The toy exists and has at least one unit: price_cents and stock are set.
   */
  | 'QUERY_STATUS_IN_STOCK'
  | 1
  /**
   * The toy exists but no units are left.
   */
  | 'QUERY_STATUS_SOLD_OUT'
  | 2
  /**
   * The catalog has no toy of that name.
   */
  | 'QUERY_STATUS_NOT_FOUND'
  | 3

/**
 * What a Query found.
 */
export type QueryStatus__Output = typeof QueryStatus[keyof typeof QueryStatus]
