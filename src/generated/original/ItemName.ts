// Original file: proto/toystore_original.proto


/**
 * A toy's name: matched case-insensitively, surrounding whitespace ignored.
 */
export interface ItemName {
  'name'?: (string);
}

/**
 * A toy's name: matched case-insensitively, surrounding whitespace ignored.
 */
export interface ItemName__Output {
  'name': (string);
}
