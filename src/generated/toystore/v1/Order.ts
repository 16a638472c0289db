// Original file: proto/toystore.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One sale, as the store recorded it with the stock change that made it.
 */
export interface Order {
  /**
   * Unique within the store.
   */
  'orderId'?: (string);
  /**
   * The toy's display name, as the catalog writes it.
   */
  'toy'?: (string);
  /**
   * Units sold, at least 1.
   */
  'quantity'?: (number);
  /**
   * The price of one unit it was sold at, in integer cents: a later price
   * change does not alter it.
   */
  'unitPriceCents'?: (number | string | Long);
  /**
   * When it was sold: ISO 8601, UTC (e.g. "2024-05-01T12:00:00.000Z").
   */
  'time'?: (string);
}

/**
 * One sale, as the store recorded it with the stock change that made it.
 */
export interface Order__Output {
  /**
   * Unique within the store.
   */
  'orderId': (string);
  /**
   * The toy's display name, as the catalog writes it.
   */
  'toy': (string);
  /**
   * Units sold, at least 1.
   */
  'quantity': (number);
  /**
   * The price of one unit it was sold at, in integer cents: a later price
   * change does not alter it.
   */
  'unitPriceCents': (number);
  /**
   * When it was sold: ISO 8601, UTC (e.g. "2024-05-01T12:00:00.000Z").
   */
  'time': (string);
}
