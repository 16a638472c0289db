// Original file: proto/toystore.proto


/**
 * Asks to buy one unit of a toy.
 */
export interface BuyRequest {
  /**
   * The toy's name, with the same rules as QueryRequest.name.
   */
  'name'?: (string);
}

/**
 * Asks to buy one unit of a toy.
 */
export interface BuyRequest__Output {
  /**
   * The toy's name, with the same rules as QueryRequest.name.
   */
  'name': (string);
}
