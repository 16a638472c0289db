// The input side of one connection: lines decoded from what the socket reads,
// no more at a time than the connection has room for and the turn's budget
// allows; the rest of a chunk waits here (the backlog) until there is room.

import { type DecodedLine, LineDecoder } from "../../protocol/line-decoder.js";

/**
 * Lines one connection may decode in one turn of the event loop. A chunk of
 * 64 KiB can hold 65536 empty lines; past this many the connection yields
 * (setImmediate) so that one client's burst never holds up the others for
 * more than about a millisecond at a time.
 */
export const LINES_PER_TURN = 1024;

/** One connection's decoder and backlog; each decoded line goes to `accept`, in order. */
export class LineIntake {
  readonly #decoder: LineDecoder;
  readonly #accept: (line: DecodedLine) => void;
  // Reused for every chunk, to spare an array per read.
  readonly #lines: DecodedLine[] = [];
  // Input read but not decoded yet: the connection had no room, or this turn's budget ran out.
  #backlog: Buffer | undefined;
  #backlogAt = 0;
  #budget = LINES_PER_TURN;

  constructor(maxLineBytes: number, accept: (line: DecodedLine) => void) {
    this.#decoder = new LineDecoder(maxLineBytes);
    this.#accept = accept;
  }

  /** Input held: the unfinished line plus the backlog not yet decoded. */
  get heldBytes(): number {
    const backlog = this.#backlog === undefined ? 0 : this.#backlog.length - this.#backlogAt;
    return this.#decoder.pendingBytes + backlog;
  }

  /** Whether an unfinished line is held (its end has not arrived yet). */
  get partialLine(): boolean {
    return this.#decoder.pendingBytes > 0;
  }

  /** Whether read input waits to be decoded. */
  get hasBacklog(): boolean {
    return this.#backlog !== undefined;
  }

  /** Lines that may still be decoded in this turn (see LINES_PER_TURN). */
  get budget(): number {
    return this.#budget;
  }

  /** A new turn of the event loop: the budget is whole again. */
  newTurn(): void {
    this.#budget = LINES_PER_TURN;
  }

  /** Forgets the backlog: it was never a request, so nothing of it ran. */
  dropBacklog(): void {
    this.#backlog = undefined;
  }

  /** Decodes at most `room` lines of a chunk just read, within the budget; returns false when a line was too long. */
  decode(chunk: Buffer, room: number): boolean {
    return this.#decode(chunk, 0, room);
  }

  /** Decodes at most `room` more lines of the backlog, within the budget; returns false when a line was too long. */
  decodeBacklog(room: number): boolean {
    const backlog = this.#backlog;
    return backlog === undefined || this.#decode(backlog, this.#backlogAt, room);
  }

  #decode(chunk: Buffer, start: number, room: number): boolean {
    const lines = this.#lines;
    const max = Math.min(room, this.#budget);
    const next = max > 0 ? this.#decoder.pushLines(chunk, start, lines, max) : start;
    this.#budget -= lines.length;
    for (let i = 0; i < lines.length; i++) this.#accept(lines[i]!);
    lines.length = 0;
    if (next === -1) {
      this.#backlog = undefined;
      return false;
    }
    if (next < chunk.length) {
      this.#backlog = chunk;
      this.#backlogAt = next;
    } else {
      this.#backlog = undefined;
    }
    return true;
  }
}
