// Original file: proto/toystore.proto


/**
 * Asks for one toy by name.
 */
export interface QueryRequest {
  /**
   * The toy's name: matched case-insensitively, surrounding whitespace ignored.
   * Must not be empty or blank; names over 256 characters (UTF-16 code units)
   * are rejected with INVALID_ARGUMENT.
   */
  'name'?: (string);
}

/**
 * Asks for one toy by name.
 */
export interface QueryRequest__Output {
  /**
   * The toy's name: matched case-insensitively, surrounding whitespace ignored.
   * Must not be empty or blank; names over 256 characters (UTF-16 code units)
   * are rejected with INVALID_ARGUMENT.
   */
  'name': (string);
}
