// Writing an API response: a JSON body (200), or a problem document
// (application/problem+json, the status from the problem table).

import type { ServerResponse } from "node:http";
import type { ProblemJson } from "./api.js";

/** Answers 200 with `body` as JSON. */
export function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Answers with a problem (see problem.ts), plus `headers`; a 503 says when to
 * try again. If a response was already started, nothing coherent can follow
 * it: the connection is closed instead.
 */
export function sendProblem(
  res: ServerResponse,
  body: ProblemJson,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(body.status, {
    "content-type": "application/problem+json",
    "content-length": Buffer.byteLength(text),
    ...(body.status === 503 ? { "retry-after": "1" } : {}),
    ...headers,
  });
  res.end(text);
}
