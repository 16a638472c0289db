// Request bodies: read within the size limit, parsed as one JSON object, and
// the checks every body's fields share. Each failure is a problem saying what
// was wrong: 413 past the limit, 400 for anything that is not the object asked for.

import type { IncomingMessage, ServerResponse } from "node:http";
import { clientError, isStoreError, type StoreError } from "../../errors.js";
import type { JsonObject } from "./endpoint.js";
import { problem, problemOf } from "./problem.js";
import { rawHeader } from "./raw-header.js";
import type { SendProblem } from "./reply.js";

/**
 * Whether the request carries a body: a Content-Length above 0, or a chunked
 * one. A request without one (a plain buy) is built at once, with no wait for
 * an end event.
 */
export function hasBody(req: IncomingMessage): boolean {
  const length = rawHeader(req, "content-length");
  return (length !== undefined && length !== "0") || rawHeader(req, "transfer-encoding") !== undefined;
}

/**
 * Reads the body, at most `maxBytes`, and calls `then` with it parsed as a
 * JSON object, or with undefined when it is empty. Otherwise it answers
 * itself, with `send` (the route's error shape): 413 past the limit (the
 * connection then closes, so the rest is never read), 400 for a body that is
 * not a JSON object. A client that goes away mid-body gets nothing.
 */
export function readJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  send: SendProblem,
  then: (body: JsonObject | undefined) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size <= maxBytes) {
      chunks.push(chunk);
      return;
    }
    req.off("data", onData);
    req.off("end", onEnd);
    send(res, problem("content_too_large", `bodies are at most ${maxBytes} bytes`), {
      connection: "close",
    });
    // Drained and dropped until the response is out and the connection closes.
    req.resume();
  };
  const onEnd = (): void => {
    const body = parseJsonObject(Buffer.concat(chunks, size).toString("utf8"));
    if (isStoreError(body)) send(res, problemOf(body));
    else then(body);
  };
  req.on("data", onData);
  req.on("end", onEnd);
  // A client gone mid-body: there is nobody to answer (and an unheard error must not end the process).
  req.on("error", () => {});
}

/** A body's text as a JSON object; undefined when it is empty; a bad_request error for anything else. */
export function parseJsonObject(text: string): JsonObject | undefined | StoreError {
  if (text.length === 0) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return clientError("bad_request", "the body is not JSON");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    return clientError("bad_request", "the body must be a JSON object");
  return data as JsonObject;
}

/** A bad_request error naming the first field of `body` that is not one of `known`. */
export function unknownField(body: JsonObject, known: readonly string[]): StoreError | undefined {
  for (const field of Object.keys(body)) {
    if (!known.includes(field))
      return clientError("bad_request", `unknown field ${field}: expected ${listOf(known)}`);
  }
  return undefined;
}

/** Whether `value` is a whole number of at least `min` (a JSON number, not a numeric string). */
export function isWholeNumber(value: unknown, min: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min;
}

/** "a", "a or b", "a, b or c". */
function listOf(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}
