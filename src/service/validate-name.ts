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
