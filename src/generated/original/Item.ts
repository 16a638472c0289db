// Original file: proto/toystore_original.proto


/**
 * One toy as Query answers it.
 */
export interface Item {
  /**
   * The toy's display name, as the catalog writes it.
   */
  'name'?: (string);
  /**
   * The price of one unit. The store holds exact integer cents; a float cannot
   * hold most decimal prices, so this is the float nearest to the exact price
   * (19.99 is sent as 19.9899997711181640625). Read toystore.v1's price_cents
   * for the exact amount.
   */
  'price'?: (number | string);
  /**
   * Units in stock; 0 when sold out. A stock above 2147483647 (the most an
   * int32 holds) is sent as 2147483647.
   */
  'stock'?: (number);
}

/**
 * One toy as Query answers it.
 */
export interface Item__Output {
  /**
   * The toy's display name, as the catalog writes it.
   */
  'name': (string);
  /**
   * The price of one unit. The store holds exact integer cents; a float cannot
   * hold most decimal prices, so this is the float nearest to the exact price
   * (19.99 is sent as 19.9899997711181640625). Read toystore.v1's price_cents
   * for the exact amount.
   */
  'price': (number);
  /**
   * Units in stock; 0 when sold out. A stock above 2147483647 (the most an
   * int32 holds) is sent as 2147483647.
   */
  'stock': (number);
}
