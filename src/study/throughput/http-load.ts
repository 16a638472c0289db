// HTTP load: C keep-alive HTTP/1.1 connections, each a closed loop keeping P
// requests in flight (P = 1 by default: no HTTP pipelining), and the requests
// and failures of both HTTP engines.
//
// Two engines (`--http-engine`, picked in throughput-process.ts). "net" (the
// default, here) is written on node:net, as the socket engine is: requests are
// pre-serialised bytes from a RequestTape, and responses are counted by a
// small scanner that reads the status line and Content-Length (or the chunk
// sizes) and skips the bodies without decoding them. "undici"
// (http-undici-load.ts) is kept for comparison: the net engine should cost
// the generator less CPU per request, which is the point of it.

import { formatHostPort } from "../../net/host-port.js";
import type { BenchOp, ThroughputPlan } from "./options.js";
import type { PreparedLoad } from "./prepared-load.js";
import type { ThroughputRecorder } from "./recorder.js";
import { ClosedLoop, prepareLoops, RequestTape } from "./socket-load.js";

/** How long a connection may take to open before the run fails. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** A response head longer than this is not one of ours: the connection is dropped. */
const MAX_HEAD_BYTES = 64 * 1024;

/** The requests a connection cycles through, method and path. */
export function httpRequests(op: BenchOp, name: string): { method: "GET" | "POST"; path: string }[] {
  const toy = `/api/toys/${encodeURIComponent(name)}`;
  const query = { method: "GET" as const, path: toy };
  const buy = { method: "POST" as const, path: `${toy}/buy` };
  if (op === "query") return [query];
  if (op === "buy") return [buy];
  return [query, buy];
}

/** The requests as bytes on the wire: keep-alive is HTTP/1.1's default; a buy has an empty body. */
export function httpRequestBytes(op: BenchOp, name: string, host: string, port: number): string[] {
  const authority = formatHostPort(host, port);
  return httpRequests(op, name).map(({ method, path }) =>
    method === "GET"
      ? `GET ${path} HTTP/1.1\r\nHost: ${authority}\r\nAccept: application/json\r\n\r\n`
      : `POST ${path} HTTP/1.1\r\nHost: ${authority}\r\nAccept: application/json\r\nContent-Length: 0\r\n\r\n`,
  );
}

/**
 * Whether a status counts as a failed request: 4xx and 5xx, except the
 * business outcomes (404 no such toy, 409 sold out), which the socket
 * engine does not count either.
 */
export function isFailure(status: number): boolean {
  return status >= 400 && status !== 404 && status !== 409;
}

// ---------------------------------------------------------------- net engine

/** The net engine: opens the plan's connections; rejects if any cannot connect. */
export function prepareNetHttpLoad(
  plan: ThroughputPlan,
  recorder: ThroughputRecorder,
): Promise<PreparedLoad> {
  const tape = new RequestTape(httpRequestBytes(plan.op, plan.name, plan.host, plan.port), plan.depth);
  return prepareLoops(plan, recorder, (socket) => new HttpConnectionLoop(socket, tape, plan.depth, recorder));
}

const HEAD_END = Buffer.from("\r\n\r\n");
const CRLF = Buffer.from("\r\n");

const HEAD = 0;
const BODY = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const TRAILERS = 4;

/**
 * Finds the ends of HTTP/1.1 responses in a byte stream and reports each
 * one's status, without decoding headers beyond what framing needs or
 * looking at bodies. Bodies are framed by Content-Length or chunked
 * encoding; a response with neither has none (as our server's never do).
 */
export class ResponseScanner {
  #state = HEAD;
  /** Body or chunk bytes still to skip (a chunk's count includes its CRLF). */
  #remaining = 0;
  #status = 0;
  /** The unfinished head or chunk line of the last chunk. */
  #held: Buffer | undefined;

  /** Feeds bytes; calls `onResponse` once per complete response. Returns false once the stream is not HTTP. */
  push(chunk: Buffer, onResponse: (status: number) => void): boolean {
    let buf = chunk;
    if (this.#held !== undefined) {
      buf = Buffer.concat([this.#held, chunk]);
      this.#held = undefined;
    }
    let pos = 0;
    const end = buf.length;
    while (pos < end) {
      switch (this.#state) {
        case BODY:
        case CHUNK_DATA: {
          const take = Math.min(this.#remaining, end - pos);
          pos += take;
          this.#remaining -= take;
          if (this.#remaining > 0) break;
          if (this.#state === BODY) {
            this.#state = HEAD;
            onResponse(this.#status);
          } else {
            this.#state = CHUNK_SIZE;
          }
          break;
        }
        case HEAD: {
          const at = buf.indexOf(HEAD_END, pos);
          if (at === -1) return this.#hold(buf, pos);
          const head = buf.toString("latin1", pos, at);
          pos = at + HEAD_END.length;
          if (!head.startsWith("HTTP/1.")) return false;
          const status = Number(head.slice(9, 12));
          if (!Number.isInteger(status) || status < 100) return false;
          // 1xx: an interim response; the final one follows.
          if (status < 200) break;
          this.#status = status;
          const lower = head.toLowerCase();
          if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) {
            this.#state = CHUNK_SIZE;
            break;
          }
          const length = contentLength(lower);
          if (length === undefined) return false;
          if (length === 0 || status === 204 || status === 304) {
            onResponse(status);
          } else {
            this.#state = BODY;
            this.#remaining = length;
          }
          break;
        }
        case CHUNK_SIZE: {
          const at = buf.indexOf(CRLF, pos);
          if (at === -1) return this.#hold(buf, pos);
          const size = Number.parseInt(buf.toString("latin1", pos, at), 16);
          pos = at + CRLF.length;
          if (!Number.isSafeInteger(size) || size < 0) return false;
          if (size === 0) {
            this.#state = TRAILERS;
          } else {
            this.#state = CHUNK_DATA;
            this.#remaining = size + CRLF.length;
          }
          break;
        }
        case TRAILERS: {
          const at = buf.indexOf(CRLF, pos);
          if (at === -1) return this.#hold(buf, pos);
          const blank = at === pos;
          pos = at + CRLF.length;
          if (blank) {
            this.#state = HEAD;
            onResponse(this.#status);
          }
          break;
        }
      }
    }
    return true;
  }

  #hold(buf: Buffer, pos: number): boolean {
    if (buf.length - pos > MAX_HEAD_BYTES) return false;
    if (pos < buf.length) this.#held = Buffer.from(buf.subarray(pos));
    return true;
  }
}

/** Content-Length of a lower-cased head: 0 when absent; undefined when malformed. */
function contentLength(head: string): number | undefined {
  const at = head.indexOf("\r\ncontent-length:");
  if (at === -1) return 0;
  const start = at + "\r\ncontent-length:".length;
  const stop = head.indexOf("\r\n", start);
  const value = Number(head.slice(start, stop === -1 ? undefined : stop).trim());
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** One connection's closed loop: every response received sends one more request. */
class HttpConnectionLoop extends ClosedLoop {
  readonly #scanner = new ResponseScanner();
  // Per chunk, set before scanning: the scanner's callback is bound once.
  #now = 0;
  #replies = 0;
  #runSentAt = -1;
  #runCount = 0;

  protected onData(chunk: Buffer): void {
    this.#now = performance.now();
    this.#replies = 0;
    this.#runSentAt = -1;
    this.#runCount = 0;
    const ok = this.#scanner.push(chunk, this.#onResponse);
    const recorder = this.recorder;
    if (this.#runCount > 0 && recorder.measuring)
      recorder.record(this.#now - this.#runSentAt, this.#runCount);
    const replies = this.#replies;
    this.inFlight -= replies;
    if (!ok) {
      // Not HTTP, or not framed as ours: what is in flight is lost with the connection.
      this.lost();
      this.socket.destroy();
      return;
    }
    if (replies > 0 && !this.stopped) this.send(replies);
  }

  readonly #onResponse = (status: number): void => {
    const recorder = this.recorder;
    const measuring = recorder.measuring;
    if (isFailure(status) && measuring) recorder.errors++;
    // A response nobody asked for must not desynchronize the send times.
    if (this.#replies === this.inFlight) {
      if (measuring) recorder.errors++;
      return;
    }
    this.#replies++;
    const sentAt = this.sentAt[this.head]!;
    this.head = (this.head + 1) % this.sentAt.length;
    // Responses sent in one write share a send time: record each run of equal times once.
    if (sentAt === this.#runSentAt) {
      this.#runCount++;
    } else {
      if (this.#runCount > 0 && measuring) recorder.record(this.#now - this.#runSentAt, this.#runCount);
      this.#runSentAt = sentAt;
      this.#runCount = 1;
    }
  };
}
