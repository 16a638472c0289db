// The reply order of one connection: every request read takes a slot at the
// tail, and replies leave from the head, so a client pipelining requests gets
// its answers in the order it asked, however the pool finishes them.

import type { ReplySlot } from "./slot.js";

/**
 * Past this many answered slots at the head (and once they are more than half
 * the array), the array is cut, so that a connection that never empties its
 * pipeline does not keep every slot it ever had.
 */
const COMPACT_AFTER = 1024;

/** One connection's slots in request order; a reply is taken once it and every one before it is ready. */
export class ReplyQueue {
  #slots: ReplySlot[] = [];
  #head = 0;
  readonly #lineEnd: string;

  /**
   * `lineEnd` follows every reply: "\n" for the line protocol; "" for the
   * original socket protocol, whose replies carry their own end (none, or the
   * one their message came with).
   */
  constructor(lineEnd = "\n") {
    this.#lineEnd = lineEnd;
  }

  /** Slots not yet taken: the requests read and not yet answered. */
  get length(): number {
    return this.#slots.length - this.#head;
  }

  /** Puts the slot of the request read last at the tail. */
  push(slot: ReplySlot): void {
    this.#slots.push(slot);
  }

  /** Takes every ready reply at the head, in order, each followed by the line end, to write at once; "" when the head is not ready. */
  takeReady(): string {
    const slots = this.#slots;
    const lineEnd = this.#lineEnd;
    let head = this.#head;
    let out = "";
    while (head < slots.length) {
      const reply = slots[head]!.reply;
      if (reply === undefined) break;
      out += reply + lineEnd;
      head++;
    }
    if (head === this.#head) return out;
    if (head === slots.length) {
      this.#slots = [];
      this.#head = 0;
    } else if (head > COMPACT_AFTER && head * 2 > slots.length) {
      this.#slots = slots.slice(head);
      this.#head = 0;
    } else {
      this.#head = head;
    }
    return out;
  }
}
