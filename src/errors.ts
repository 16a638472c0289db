// Protocol and system failures, as errors with stable codes. Business outcomes
// (sold out, no such toy) are values (the operations' results), never errors.

/**
 * Stable codes. Each transport maps them to the wire in one table at its edge
 * (socket: `ERR ...` lines; gRPC: status codes).
 */
export type ErrorCode =
  /** The request is malformed: unknown method, missing colon, empty or over-long name. */
  | "bad_request"
  /** A request line exceeded the maximum line length; the connection is closed. */
  | "line_too_long"
  /** The worker pool's queue is full. */
  | "busy"
  /** The server is shutting down and takes no new work. */
  | "shutting_down"
  /** The caller's deadline passed before the request could run or finish. */
  | "deadline_exceeded"
  /** The caller cancelled the request. */
  | "cancelled"
  /** The server could not be reached, or the connection broke before the reply. */
  | "unavailable"
  /** Anything unexpected; the cause is kept for logs and never sent to clients. */
  | "internal";

export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isStoreError(value: unknown): value is StoreError {
  return value instanceof StoreError;
}

/**
 * A StoreError built without a stack trace, for errors that answer a client's
 * bad input and are never logged: capturing a stack would make each bad request
 * cost the server about ten times a valid one (a cheap way to load it).
 */
export function clientError(code: ErrorCode, message: string): StoreError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new StoreError(code, message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The StoreError code, or any string `code` an error carries; "internal" for anything else. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.length > 0 ? code : "internal";
}

/** An idempotency key already used to buy another toy or quantity: a client bug, never a retry. */
export function keyReused(): StoreError {
  return clientError("bad_request", "idempotency key already used to buy another toy or quantity");
}
