// Original file: proto/toystore.proto

import type { QueryStatus as _toystore_v1_QueryStatus, QueryStatus__Output as _toystore_v1_QueryStatus__Output } from '../../toystore/v1/QueryStatus.js';
import type { Long } from '@grpc/proto-loader';

/**
 * The answer to a Query.
 */
export interface QueryResponse {
  /**
   * Which of the three outcomes this is.
   */
  'status'?: (_toystore_v1_QueryStatus);
  /**
   * Units in stock when the query ran; 0 unless status is IN_STOCK.
   * (Field 2 holds the stock in older contracts too, as a varint.)
   */
  'stock'?: (number | string | Long);
  /**
   * Price of one unit in integer cents (1999 means 19.99); exact, never a
   * float. 0 unless status is IN_STOCK.
   */
  'priceCents'?: (number | string | Long);
}

/**
 * The answer to a Query.
 */
export interface QueryResponse__Output {
  /**
   * Which of the three outcomes this is.
   */
  'status': (_toystore_v1_QueryStatus__Output);
  /**
   * Units in stock when the query ran; 0 unless status is IN_STOCK.
   * (Field 2 holds the stock in older contracts too, as a varint.)
   */
  'stock': (number);
  /**
   * Price of one unit in integer cents (1999 means 19.99); exact, never a
   * float. 0 unless status is IN_STOCK.
   */
  'priceCents': (number);
}
