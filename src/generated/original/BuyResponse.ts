// Original file: proto/toystore_original.proto


/**
 * What a Buy did.
 */
export interface BuyResponse {
  /**
   * 1: bought one unit; 0: sold out, nothing bought.
   */
  'status'?: (number);
}

/**
 * What a Buy did.
 */
export interface BuyResponse__Output {
  /**
   * 1: bought one unit; 0: sold out, nothing bought.
   */
  'status': (number);
}
