// The input side of one connection, whatever its framing: requests framed
// from what the socket reads, no more at a time than the connection has room
// for and the turn's budget allows; the rest of a read waits here (the
// backlog) until there is room. Shared by both socket protocols: the framing
// (lines, or messages) and the hand-over of each request are the subclass's
// (LineIntake, MessageIntake).

/**
 * Requests one connection may frame in one turn of the event loop. A read of
 * 64 KiB can hold 65536 empty lines; past this many the connection yields
 * (setImmediate) so that one client's burst never holds up the others for
 * more than about a millisecond at a time.
 */
export const LINES_PER_TURN = 1024;

/** One connection's backlog and per-turn budget; the subclass frames each read and hands its requests over, in order. */
export abstract class ChunkIntake<Request> {
  // Reused for every read, to spare an array per read.
  readonly #framed: Request[] = [];
  // Input read but not framed yet: the connection had no room, or this turn's budget ran out.
  #backlog: Buffer | undefined;
  #backlogAt = 0;
  #budget = LINES_PER_TURN;

  /** Bytes of an unfinished request held between reads (its end has not arrived yet); 0 for a framing that holds none. */
  abstract get pendingBytes(): number;

  /** Input held: the unfinished request plus the backlog not yet framed. */
  get heldBytes(): number {
    const backlog = this.#backlog === undefined ? 0 : this.#backlog.length - this.#backlogAt;
    return this.pendingBytes + backlog;
  }

  /** Whether an unfinished request is held (for the line timeout). */
  get partialLine(): boolean {
    return this.pendingBytes > 0;
  }

  /** Whether read input waits to be framed. */
  get hasBacklog(): boolean {
    return this.#backlog !== undefined;
  }

  /** Requests that may still be framed in this turn (see LINES_PER_TURN). */
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

  /** Takes at most `room` requests of a read just made, within the budget; false when one was too long. */
  take(chunk: Buffer, room: number): boolean {
    return this.#take(chunk, 0, room);
  }

  /** Takes at most `room` more requests of the backlog, within the budget; false when one was too long. */
  takeBacklog(room: number): boolean {
    const backlog = this.#backlog;
    return backlog === undefined || this.#take(backlog, this.#backlogAt, room);
  }

  /**
   * Appends to `out` at most `max` requests of `chunk` from `start` on.
   * Returns the offset of the first byte not looked at (`chunk.length` when
   * all were), or -1 when a request was too long (those before it are in `out`).
   */
  protected abstract frame(chunk: Buffer, start: number, out: Request[], max: number): number;

  /**
   * Hands each request over to the connection, in order. The loop is the
   * subclass's so that its call per request stays one protocol's only (a
   * monomorphic call, as it was before this class was shared).
   */
  protected abstract deliver(requests: readonly Request[]): void;

  #take(chunk: Buffer, start: number, room: number): boolean {
    const framed = this.#framed;
    const max = Math.min(room, this.#budget);
    const next = max > 0 ? this.frame(chunk, start, framed, max) : start;
    if (framed.length > 0) {
      this.#budget -= framed.length;
      this.deliver(framed);
      framed.length = 0;
    }
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
