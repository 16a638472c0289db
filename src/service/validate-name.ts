// The one rule for what a toy name in a request may be, shared by both transports.

import { clientError, type StoreError } from "../errors.js";

/** Names longer than this (in UTF-16 code units) are refused before any lookup. */
export const DEFAULT_MAX_NAME_LENGTH = 256;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a || code === 0x0b || code === 0x0c;
}

/** Returns a bad_request error for an empty or over-long name, else undefined. Cheap on valid names. */
export function validateName(name: string, maxLength = DEFAULT_MAX_NAME_LENGTH): StoreError | undefined {
  if (name.length > maxLength) {
    return clientError("bad_request", `name too long (more than ${maxLength} characters)`);
  }
  // Only a name that starts or ends with a space can be blank: skip trim() otherwise.
  if (
    name.length === 0 ||
    ((isSpace(name.charCodeAt(0)) || isSpace(name.charCodeAt(name.length - 1))) && name.trim() === "")
  ) {
    return clientError("bad_request", "empty name");
  }
  return undefined;
}

/** The longest idempotency key accepted: a UUID is 36; room for a client's own prefix. */
export const MAX_REQUEST_KEY_LENGTH = 100;

/**
 * Returns a bad_request error unless `key` is 1 to 100 visible ASCII
 * characters (no space, no colon: the socket protocol carries it before the
 * colon), else undefined.
 */
export function validateRequestKey(key: string): StoreError | undefined {
  if (key.length === 0 || key.length > MAX_REQUEST_KEY_LENGTH)
    return clientError("bad_request", `idempotency key must be 1 to ${MAX_REQUEST_KEY_LENGTH} characters`);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3a)
      return clientError("bad_request", "idempotency key must be visible ASCII, without spaces or ':'");
  }
  return undefined;
}
