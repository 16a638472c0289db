// Reading a request header without `req.headers`: Node builds that object,
// every header lower-cased, the first time it is touched, and a request on
// the hot path needs one or two headers at most.

import type { IncomingMessage } from "node:http";

/** The first value of header `lowerName` (given in lower case), read from rawHeaders; undefined when absent. */
export function rawHeader(req: IncomingMessage, lowerName: string): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === lowerName.length && (name === lowerName || name.toLowerCase() === lowerName))
      return raw[i + 1];
  }
  return undefined;
}
