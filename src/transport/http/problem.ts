// Errors as application/problem+json (RFC 9457), and the one table from
// StoreError codes to HTTP statuses.

import type { ServerResponse } from "node:http";
import type { ErrorCode, StoreError } from "../../errors.js";
import type { ProblemJson } from "./api.js";

const STATUS: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  line_too_long: 414,
  busy: 503,
  shutting_down: 503,
  deadline_exceeded: 504,
  cancelled: 499,
  unavailable: 503,
  internal: 500,
};

const TITLES: Readonly<Record<number, string>> = {
  400: "Bad request",
  401: "Unauthorized",
  404: "Not found",
  405: "Method not allowed",
  409: "Sold out",
  413: "Content too large",
  414: "URI too long",
  415: "Unsupported media type",
  499: "Client closed request",
  500: "Internal server error",
  503: "Service unavailable",
  504: "Gateway timeout",
};

/** A problem's `type`: a stable identifier per kind, not a page to fetch. */
function typeOf(kind: string): string {
  return `urn:toystore:problem:${kind}`;
}

export function problem(status: number, kind: string, detail?: string): ProblemJson {
  return {
    type: typeOf(kind),
    title: TITLES[status] ?? "Error",
    status,
    ...(detail === undefined ? {} : { detail }),
  };
}

/** The problem for a StoreError; internal causes never reach the client. */
export function problemOf(error: StoreError): ProblemJson {
  const status = STATUS[error.code];
  const detail = error.code === "internal" ? "internal error" : error.message;
  return problem(status, error.code, detail);
}

export function sendProblem(
  res: ServerResponse,
  body: ProblemJson,
  headers: Record<string, string> = {},
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
