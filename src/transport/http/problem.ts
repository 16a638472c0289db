// The one table of the HTTP API's problems (RFC 9457): every StoreError code,
// and the business and HTTP-level outcomes that are no error of the store, each
// with its status and title. No handler writes a status number of its own.
// The course API's errors ({"error": {code, message}}) are these same problems
// in another shape (courseErrorOf), so both answer every failure alike.

import type { ErrorCode, StoreError } from "../../errors.js";
import type { ProblemJson } from "./api.js";
import type { CourseErrorJson } from "./course-api.js";

/**
 * What a problem can be: a StoreError code, a business outcome (no such toy
 * or order, sold out), or a refusal of the HTTP request itself.
 */
export type ProblemKind =
  | ErrorCode
  | "not_found"
  | "sold_out"
  | "out_of_stock"
  | "method_not_allowed"
  | "unauthorized"
  | "content_too_large"
  | "uri_too_long";

interface ProblemEntry {
  readonly status: number;
  readonly title: string;
  /** The detail a problem of this kind gets from a StoreError, whatever its message (which may say too much or too little). */
  readonly detail?: string;
}

const PROBLEMS: Readonly<Record<ProblemKind, ProblemEntry>> = {
  bad_request: { status: 400, title: "Bad request" },
  line_too_long: { status: 414, title: "URI too long" },
  busy: { status: 503, title: "Service unavailable", detail: "too many requests queued, try again" },
  shutting_down: { status: 503, title: "Service unavailable" },
  deadline_exceeded: { status: 504, title: "Gateway timeout" },
  // nginx's status for a client that left: nobody reads it, but the log and the metrics see one kind.
  cancelled: { status: 499, title: "Client closed request" },
  unavailable: { status: 503, title: "Service unavailable" },
  // The cause is for the log, never for the client.
  internal: { status: 500, title: "Internal server error", detail: "internal error" },
  not_found: { status: 404, title: "Not found" },
  sold_out: { status: 409, title: "Sold out" },
  // The course API's sold out: its handouts answer a buy that cannot be filled with 400.
  out_of_stock: { status: 400, title: "Out of stock" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  unauthorized: { status: 401, title: "Unauthorized" },
  content_too_large: { status: 413, title: "Content too large" },
  uri_too_long: { status: 414, title: "URI too long" },
};

/** A problem's `type`: a stable identifier per kind (the HTTP client reads the error code from it), not a page to fetch. */
function typeOf(kind: ProblemKind): string {
  return `urn:toystore:problem:${kind}`;
}

/** The problem of `kind`, with the table's status and title; `detail` says what happened. */
export function problem(kind: ProblemKind, detail?: string): ProblemJson {
  const entry = PROBLEMS[kind];
  const text = detail ?? entry.detail;
  return {
    type: typeOf(kind),
    title: entry.title,
    status: entry.status,
    ...(text === undefined ? {} : { detail: text }),
  };
}

/** The problem for a StoreError: the table's detail, else its message (causes never reach the client). */
export function problemOf(error: StoreError): ProblemJson {
  return problem(error.code, PROBLEMS[error.code].detail ?? error.message);
}

/** A problem in the course API's shape: the same status, and the detail (else the title) as the message. */
export function courseErrorOf(body: ProblemJson): CourseErrorJson {
  return { error: { code: body.status, message: body.detail ?? body.title.toLowerCase() } };
}
