// Original file: proto/toystore.proto

import type { BuyStatus as _toystore_v1_BuyStatus, BuyStatus__Output as _toystore_v1_BuyStatus__Output } from '../../toystore/v1/BuyStatus.js';
import type { Long } from '@grpc/proto-loader';

/**
 * The answer to a Buy.
 */
export interface BuyResponse {
  /**
   * Which of the three outcomes this is.
   */
  'status'?: (_toystore_v1_BuyStatus);
  /**
   * Units left right after this buy; 0 unless status is BOUGHT.
   */
  'stockLeft'?: (number | string | Long);
  /**
   * The order this buy recorded; empty unless status is BOUGHT. A new field:
   * clients built before it ignore it.
   */
  'orderId'?: (string);
}

/**
 * The answer to a Buy.
 */
export interface BuyResponse__Output {
  /**
   * Which of the three outcomes this is.
   */
  'status': (_toystore_v1_BuyStatus__Output);
  /**
   * Units left right after this buy; 0 unless status is BOUGHT.
   */
  'stockLeft': (number);
  /**
   * The order this buy recorded; empty unless status is BOUGHT. A new field:
   * clients built before it ignore it.
   */
  'orderId': (string);
}
