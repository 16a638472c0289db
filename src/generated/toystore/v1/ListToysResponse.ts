// Original file: proto/toystore.proto

import type { Toy as _toystore_v1_Toy, Toy__Output as _toystore_v1_Toy__Output } from '../../toystore/v1/Toy.js';

/**
 * The answer to a ListToys.
 */
export interface ListToysResponse {
  /**
   * Every toy, in catalog order.
   */
  'toys'?: (_toystore_v1_Toy)[];
}

/**
 * The answer to a ListToys.
 */
export interface ListToysResponse__Output {
  /**
   * Every toy, in catalog order.
   */
  'toys': (_toystore_v1_Toy__Output)[];
}
