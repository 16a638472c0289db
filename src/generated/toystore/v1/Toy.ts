// Original file: proto/toystore.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One toy of the catalog.
 */
export interface Toy {
  /**
   * Display name, as the catalog writes it.
   */
  'name'?: (string);
  /**
   * Price of one unit in integer cents (1999 means 19.99), sold out or not.
   */
  'priceCents'?: (number | string | Long);
  /**
   * Units in stock; 0 when sold out.
   */
  'stock'?: (number | string | Long);
}

/**
 * One toy of the catalog.
 */
export interface Toy__Output {
  /**
   * Display name, as the catalog writes it.
   */
  'name': (string);
  /**
   * Price of one unit in integer cents (1999 means 19.99), sold out or not.
   */
  'priceCents': (number);
  /**
   * Units in stock; 0 when sold out.
   */
  'stock': (number);
}
