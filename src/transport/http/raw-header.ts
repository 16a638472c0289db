// Reading a request header without `req.headers`: Node builds that object,
// every header lower-cased, the first time it is touched, and a request on
// the hot path needs one or two headers at most. And the one header a buy
// reads, on every route that buys.

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

/** The Idempotency-Key header of a buy, if it has one (the service checks it; repeated, Node joins them with ", " and the service refuses that). */
export function idempotencyKey(req: IncomingMessage): string | undefined {
  // Most buys carry none: only then is Node's header object built (it joins a repeated header).
  if (rawHeader(req, "idempotency-key") === undefined) return undefined;
  const value = req.headers["idempotency-key"];
  return typeof value === "string" ? value : undefined;
}
