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
   * The order this buy recorded (see GetOrder); empty unless status is
   * BOUGHT. A new field: clients built before it ignore it.
   */
  'orderId'?: (string);
  /**
   * The price of one unit this buy paid, in integer cents (1999 means 19.99),
   * as the store decided it; 0 unless status is BOUGHT. A new field: a server
   * built before it sends neither this nor quantity (quantity 0 tells).
   */
  'unitPriceCents'?: (number | string | Long);
  /**
   * Units bought; 0 unless status is BOUGHT.
   */
  'quantity'?: (number);
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
   * The order this buy recorded (see GetOrder); empty unless status is
   * BOUGHT. A new field: clients built before it ignore it.
   */
  'orderId': (string);
  /**
   * The price of one unit this buy paid, in integer cents (1999 means 19.99),
   * as the store decided it; 0 unless status is BOUGHT. A new field: a server
   * built before it sends neither this nor quantity (quantity 0 tells).
   */
  'unitPriceCents': (number);
  /**
   * Units bought; 0 unless status is BOUGHT.
   */
  'quantity': (number);
}
