// The one table between StoreError codes and gRPC status codes, both ways;
// and the one row where a business outcome is a status: the original design's
// ToyStore answers an unknown toy with INVALID_ARGUMENT "Item not found".
//
// The server also sends the StoreError code itself in a trailer, because
// several codes share one status (shutting_down and unavailable are both
// UNAVAILABLE): a toystore client reads the trailer, any other client reads the
// status, and both understand. An outcome sent as a status has a trailer of its
// own, so that "Item not found" is told from a bad name (both INVALID_ARGUMENT).

import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { type ErrorCode, StoreError } from "../../errors.js";

/** The trailer that carries the StoreError code next to the gRPC status. */
export const ERROR_CODE_TRAILER = "toystore-error-code";

/** StoreError code -> gRPC status. */
export const STATUS_FOR_CODE: Readonly<Record<ErrorCode, status>> = Object.freeze({
  bad_request: status.INVALID_ARGUMENT,
  line_too_long: status.INVALID_ARGUMENT,
  busy: status.RESOURCE_EXHAUSTED,
  shutting_down: status.UNAVAILABLE,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  cancelled: status.CANCELLED,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
});

/** gRPC status -> StoreError code, for statuses that come without our trailer (from grpc-js itself or another server). */
function codeForStatus(code: status, details: string): ErrorCode {
  switch (code) {
    case status.INVALID_ARGUMENT:
      return "bad_request";
    case status.RESOURCE_EXHAUSTED:
      // Our own "queue full" always carries the trailer; without it, this is
      // grpc-js refusing a message over the size limit: the request is at fault.
      return MESSAGE_TOO_LARGE.test(details) ? "bad_request" : "busy";
    case status.UNAVAILABLE:
      return "unavailable";
    case status.DEADLINE_EXCEEDED:
      return "deadline_exceeded";
    case status.CANCELLED:
      return "cancelled";
    default:
      return "internal";
  }
}

// grpc-js says "Received message larger than max (N vs M)" (server) or "Sent message larger than max" (client).
const MESSAGE_TOO_LARGE = /message larger than max/i;

const KNOWN_CODES = new Set<string>(Object.keys(STATUS_FOR_CODE));

// Metadata is cloned by grpc-js when a status is sent, so one trailer object
// per code serves every call: an error reply allocates only its status object.
const TRAILERS = new Map<ErrorCode, Metadata>();
for (const code of KNOWN_CODES as Set<ErrorCode>) {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_TRAILER, code);
  TRAILERS.set(code, metadata);
}

/** The status a handler sends for a StoreError; the message is the client-facing text, never the cause. */
export interface ErrorStatus {
  readonly code: status;
  readonly details: string;
  readonly metadata: Metadata;
}

/** The trailer that names the outcome an OutcomeStatus stands for ("not_found"). */
export const OUTCOME_TRAILER = "toystore-outcome";

/**
 * A business outcome that a contract answers as a failed call rather than a
 * message. One shared, frozen instance per row (grpc-js only reads it); a
 * method's `toResponse` returns it in place of a response message.
 */
export class OutcomeStatus implements ErrorStatus {
  readonly code: status;
  readonly details: string;
  readonly metadata: Metadata;

  constructor(code: status, details: string, outcome: string) {
    this.code = code;
    this.details = details;
    this.metadata = new Metadata();
    this.metadata.set(OUTCOME_TRAILER, outcome);
    Object.freeze(this);
  }
}

/**
 * The original design's ToyStore: the outcomes it answers as statuses. Its
 * server set INVALID_ARGUMENT and the details "Item not found" for a toy it
 * did not hold, for Query and for Buy (and put -1 in the BuyResponse, which a
 * failed call never carries, so no client saw it).
 */
export const ORIGINAL_STATUS_FOR_OUTCOME = Object.freeze({
  not_found: new OutcomeStatus(status.INVALID_ARGUMENT, "Item not found", "not_found"),
});

/** Server side: the status object to pass to a unary callback. */
export function toErrorStatus(error: StoreError): ErrorStatus {
  return {
    code: STATUS_FOR_CODE[error.code],
    details: error.message,
    metadata: TRAILERS.get(error.code)!,
  };
}

/**
 * Client side: turns a failed call into a StoreError. The trailer wins when
 * present (it tells shutting_down from unavailable); otherwise the status
 * table decides. The original error is kept as `cause`.
 */
export function fromServiceError(error: ServiceError): StoreError {
  const trailer = error.metadata?.get(ERROR_CODE_TRAILER)[0];
  const code =
    typeof trailer === "string" && KNOWN_CODES.has(trailer)
      ? (trailer as ErrorCode)
      : codeForStatus(error.code, error.details ?? "");
  return new StoreError(code, error.details || status[error.code] || "gRPC call failed", { cause: error });
}
