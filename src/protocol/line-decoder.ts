// Splits a byte stream into lines: LF-terminated, CR before LF dropped,
// UTF-8 decoded, each bounded in length. Pure: no I/O, no timers.

import { isAscii, isUtf8 } from "node:buffer";

/** Marks a line whose bytes are not valid UTF-8 (it is answered with an error, not decoded). */
export const INVALID_UTF8: unique symbol = Symbol("invalid UTF-8");

export type DecodedLine = string | typeof INVALID_UTF8;

const LF = 0x0a;
const CR = 0x0d;

/** Default longest line, in bytes, not counting the line ending. */
export const DEFAULT_MAX_LINE_BYTES = 1024;

/**
 * Holds the unfinished tail of the stream between chunks. Lines come out the
 * same whatever the chunking, since only complete lines are decoded.
 */
export class LineDecoder {
  readonly maxLineBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #failed = false;

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`LineDecoder: maxLineBytes must be an integer >= 1, got ${maxLineBytes}`);
    }
    this.maxLineBytes = maxLineBytes;
  }

  /** Bytes of an unfinished line held back. Never more than maxLineBytes + 1. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Appends every complete line in `chunk` to `out`. Returns false when a line
   * is longer than maxLineBytes: the lines before it are in `out`, and the
   * decoder refuses all further input (the stream cannot be re-synchronised).
   */
  push(chunk: Buffer, out: DecodedLine[]): boolean {
    return this.pushLines(chunk, 0, out, Number.POSITIVE_INFINITY) !== -1;
  }

  /**
   * Like `push`, from `chunk[start]` on, but stops after `maxLines` complete
   * lines, so that a caller can bound the work one chunk creates. Returns the
   * offset of the first byte not consumed (`chunk.length` when all were), or
   * -1 when a line is too long. Bytes from the returned offset on were not
   * looked at: pass them again, as the same `chunk` and that offset, later.
   */
  pushLines(chunk: Buffer, start: number, out: DecodedLine[], maxLines: number): number {
    if (this.#failed) return -1;
    // The common case, a chunk of whole ASCII lines: decoded once, then cut
    // with string searches, rather than one native call per line to find it
    // and one to decode it. ASCII bytes are characters one for one, so the
    // offsets (and the byte limit) stay exact.
    if (this.#pendingBytes === 0 && isAscii(start === 0 ? chunk : chunk.subarray(start))) {
      return this.#pushAscii(chunk, start, out, maxLines);
    }
    for (let count = 0; count < maxLines; count++) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1) return this.#keepTail(chunk, start);
      let end = lf;
      if (this.#pendingBytes > 0) {
        if (this.#pendingBytes + (lf - start) > this.maxLineBytes + 1) return this.#fail();
        this.#pending.push(chunk.subarray(start, lf));
        const line = Buffer.concat(this.#pending);
        this.#pending = [];
        this.#pendingBytes = 0;
        end = line.length;
        if (end > 0 && line[end - 1] === CR) end--;
        if (end > this.maxLineBytes) return this.#fail();
        out.push(decode(line, 0, end));
      } else {
        if (end > start && chunk[end - 1] === CR) end--;
        if (end - start > this.maxLineBytes) return this.#fail();
        out.push(decode(chunk, start, end));
      }
      start = lf + 1;
    }
    return start;
  }

  #pushAscii(chunk: Buffer, start: number, out: DecodedLine[], maxLines: number): number {
    const text = chunk.toString("latin1", start);
    let at = 0;
    for (let count = 0; count < maxLines; count++) {
      const lf = text.indexOf("\n", at);
      if (lf === -1) return this.#keepTail(chunk, start + at);
      let end = lf;
      if (end > at && text.charCodeAt(end - 1) === CR) end--;
      if (end - at > this.maxLineBytes) return this.#fail();
      out.push(text.slice(at, end));
      at = lf + 1;
    }
    return start + at;
  }

  /** Holds back the unfinished line at the end of a chunk. */
  #keepTail(chunk: Buffer, start: number): number {
    if (start < chunk.length) {
      // +1 leaves room for a CR that may turn out to precede the LF.
      if (this.#pendingBytes + (chunk.length - start) > this.maxLineBytes + 1) return this.#fail();
      // Copy: the caller may reuse its chunk buffer.
      this.#pending.push(Buffer.from(chunk.subarray(start)));
      this.#pendingBytes += chunk.length - start;
    }
    return chunk.length;
  }

  #fail(): -1 {
    this.#failed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    return -1;
  }
}

function decode(bytes: Buffer, start: number, end: number): DecodedLine {
  const text = bytes.toString("utf8", start, end);
  // Invalid sequences decode to U+FFFD; only then pay for a strict check,
  // since a client may also send U+FFFD itself.
  if (text.includes("\uFFFD") && !isUtf8(bytes.subarray(start, end))) return INVALID_UTF8;
  return text;
}
