// Original file: proto/toystore.proto


/**
 * Asks for the whole catalog; it carries nothing.
 */
export interface ListToysRequest {
}

/**
 * Asks for the whole catalog; it carries nothing.
 */
export interface ListToysRequest__Output {
}
