// The input side of one original-socket connection: messages taken from what
// the socket reads, no more at a time than the connection has room for and
// the turn's budget allows; the rest of a read waits here (the backlog) until
// there is room. As the line protocol's LineIntake, with this protocol's
// framing (framing.ts), which holds nothing between reads but the backlog.

import { LINES_PER_TURN } from "../socket/line-intake.js";
import { type Message, takeMessages } from "./framing.js";

/** One connection's framing and backlog; each message goes to `accept`, in order. */
export class MessageIntake {
  readonly #maxBytes: number;
  readonly #accept: (message: Message) => void;
  // Reused for every read, to spare an array per read.
  readonly #messages: Message[] = [];
  // Input read but not framed yet: the connection had no room, or this turn's budget ran out.
  #backlog: Buffer | undefined;
  #backlogAt = 0;
  #budget = LINES_PER_TURN;

  /** `maxBytes`: the longest message (without its line end). */
  constructor(maxBytes: number, accept: (message: Message) => void) {
    this.#maxBytes = maxBytes;
    this.#accept = accept;
  }

  /** Input held: the backlog not yet framed. */
  get heldBytes(): number {
    return this.#backlog === undefined ? 0 : this.#backlog.length - this.#backlogAt;
  }

  /** Whether read input waits to be framed. */
  get hasBacklog(): boolean {
    return this.#backlog !== undefined;
  }

  /** Messages that may still be taken in this turn. */
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

  /** Takes at most `room` messages of a read, within the budget; false when a message was too long. */
  take(chunk: Buffer, room: number): boolean {
    return this.#take(chunk, 0, room);
  }

  /** Takes at most `room` more messages of the backlog, within the budget; false when a message was too long. */
  takeBacklog(room: number): boolean {
    const backlog = this.#backlog;
    return backlog === undefined || this.#take(backlog, this.#backlogAt, room);
  }

  #take(chunk: Buffer, start: number, room: number): boolean {
    const messages = this.#messages;
    const max = Math.min(room, this.#budget);
    const next = max > 0 ? takeMessages(chunk, start, messages, max, this.#maxBytes) : start;
    this.#budget -= messages.length;
    for (let i = 0; i < messages.length; i++) this.#accept(messages[i]!);
    messages.length = 0;
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
