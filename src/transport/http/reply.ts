// Writing an API response: a JSON body (200), or an error: a problem document
// (application/problem+json, the status from the problem table) on /api, the
// same problem in the course API's shape on its paths.

import type { ServerResponse } from "node:http";
import type { ProblemJson } from "./api.js";
import { courseErrorOf } from "./problem.js";

/** Writes an error response for a problem (see problem.ts), plus `headers`: each family of paths has one. */
export type SendProblem = (
  res: ServerResponse,
  body: ProblemJson,
  headers?: Readonly<Record<string, string>>,
) => void;

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
  sendError(res, body.status, "application/problem+json", JSON.stringify(body), headers);
}

/** Answers with a problem in the course API's shape, `{"error": {"code", "message"}}`, as sendProblem does otherwise. */
export function sendCourseProblem(
  res: ServerResponse,
  body: ProblemJson,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendError(res, body.status, "application/json", JSON.stringify(courseErrorOf(body)), headers);
}

function sendError(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Readonly<Record<string, string>>,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(text),
    ...(status === 503 ? { "retry-after": "1" } : {}),
    ...headers,
  });
  res.end(text);
}
