// The HTTP client's failures as StoreErrors: a status that is no business
// outcome (read through its problem document), and a failure below HTTP (the
// connection refused, broken, or not speaking HTTP).

import { errors as undiciErrors } from "undici";
import { type ErrorCode, StoreError } from "../errors.js";
import type { ProblemJson } from "../transport/http/api.js";

/** Our server names the StoreError code in the problem's type: `urn:toystore:problem:<code>`. */
const PROBLEM_TYPE = /^urn:toystore:problem:([a-z_]+)$/;
/** Every StoreError code (a Record, so the compiler says when one is added). */
const ERROR_CODES: Readonly<Record<ErrorCode, true>> = {
  bad_request: true,
  line_too_long: true,
  busy: true,
  shutting_down: true,
  deadline_exceeded: true,
  cancelled: true,
  unavailable: true,
  internal: true,
};

/**
 * The StoreError for a status that is no business outcome; the problem's
 * detail is the message. The code named by the problem's type wins (it tells
 * busy from shutting_down, both 503), as the gRPC client's trailer does;
 * without one, the status decides. `retryAfter` is the Retry-After header.
 */
export function errorForStatus(status: number, retryAfter: unknown, body: unknown): StoreError {
  const problem = (typeof body === "object" && body !== null ? body : {}) as Partial<ProblemJson>;
  const text = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : undefined);
  let message = text(problem.detail) ?? text(problem.title) ?? `HTTP ${status}`;
  const named = PROBLEM_TYPE.exec(text(problem.type) ?? "")?.[1];
  const code =
    named !== undefined && Object.hasOwn(ERROR_CODES, named)
      ? (named as ErrorCode)
      : codeForStatus(status, problem);
  if (code === "busy" && typeof retryAfter === "string") message += ` (retry after ${retryAfter} s)`;
  return new StoreError(code, message);
}

/** HTTP status -> StoreError code (503 says which through its problem: busy or shutting down). */
function codeForStatus(status: number, problem: Partial<ProblemJson>): ErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 414:
    case 431:
      return "bad_request";
    case 429:
      return "busy";
    case 503:
      return isShuttingDown(problem) ? "shutting_down" : "busy";
    case 408:
    case 504:
      return "deadline_exceeded";
    default:
      return "internal";
  }
}

function isShuttingDown(problem: Partial<ProblemJson>): boolean {
  return [problem.type, problem.title, problem.detail].some(
    (field) => typeof field === "string" && /shutting[ _-]?down/i.test(field),
  );
}

/** A failure below HTTP: the connection could not be made, or broke before the response. */
export function fromTransportError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const cause = error as { code?: unknown; message?: unknown };
  const message = typeof cause.message === "string" ? cause.message : String(error);
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new StoreError("deadline_exceeded", message, { cause: error });
  }
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) {
    return new StoreError("internal", "response too large", { cause: error });
  }
  if (error instanceof undiciErrors.RequestAbortedError) {
    return new StoreError("cancelled", message, { cause: error });
  }
  // llhttp's parse errors (HPE_*): the peer does not speak HTTP.
  if (typeof cause.code === "string" && cause.code.startsWith("HPE_")) {
    return new StoreError("internal", `the server's response is not HTTP: ${message}`, { cause: error });
  }
  return new StoreError("unavailable", message, { cause: error });
}

/** A call on (or in flight at) a closed client. */
export function closedError(cause?: unknown): StoreError {
  return new StoreError("unavailable", "client closed", cause === undefined ? undefined : { cause });
}
