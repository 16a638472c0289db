// The original socket protocol's framing: the messages one read holds. The
// original design's server took each read (one recv) as one message, sent
// with no line end; a client that does end its messages with a line end may
// send several in one write. So a read is cut at its line ends (LF, or CRLF):
// every piece is a message, the last one too when the read does not end with
// a line end, and an empty piece (a blank line) is none. Nothing is carried
// from one read to the next, so a message never waits for more input. Pure:
// no I/O, no timers.

import { isUtf8 } from "node:buffer";
import { type DecodedLine, INVALID_UTF8 } from "../../protocol/line-decoder.js";

const LF = 0x0a;
const CR = 0x0d;

/** One message of a read. */
export interface Message {
  /** Its text without the line end, or INVALID_UTF8. */
  readonly text: DecodedLine;
  /** Whether a line end followed it: its reply then ends with one too ("\n"), and otherwise with none. */
  readonly lineEnd: boolean;
}

/**
 * Appends to `out` at most `max` messages of `chunk` from `start` on. Returns
 * the offset of the first byte not looked at (`chunk.length` when all were):
 * pass the same chunk and that offset again to take the rest, with the same
 * messages as if it had been taken at once. Returns -1 when a message is
 * longer than `maxBytes` (the messages before it are in `out`).
 */
export function takeMessages(
  chunk: Buffer,
  start: number,
  out: Message[],
  max: number,
  maxBytes: number,
): number {
  let at = start;
  let taken = 0;
  while (at < chunk.length && taken < max) {
    // Blank lines are no messages: skipped byte by byte, without a native call each.
    if (chunk[at] === LF) {
      at++;
      continue;
    }
    if (chunk[at] === CR && chunk[at + 1] === LF) {
      at += 2;
      continue;
    }
    const lf = chunk.indexOf(LF, at);
    const lineEnd = lf !== -1;
    const next = lineEnd ? lf + 1 : chunk.length;
    let end = lineEnd ? lf : chunk.length;
    if (lineEnd && end > at && chunk[end - 1] === CR) end--;
    if (end - at > maxBytes) return -1;
    if (end > at) {
      out.push({ text: decode(chunk, at, end), lineEnd });
      taken++;
    }
    at = next;
  }
  return at;
}

function decode(bytes: Buffer, start: number, end: number): DecodedLine {
  const text = bytes.toString("utf8", start, end);
  // Invalid sequences decode to U+FFFD; only then pay for a strict check,
  // since a client may also send U+FFFD itself.
  if (text.includes("\uFFFD") && !isUtf8(bytes.subarray(start, end))) return INVALID_UTF8;
  return text;
}
