// The input side of one original-socket connection: the socket protocols'
// shared backlog and per-turn budget (ChunkIntake) with this protocol's
// framing (framing.ts), which holds nothing between reads but the backlog.

import { ChunkIntake } from "../socket/chunk-intake.js";
import { type Message, takeMessages } from "./framing.js";

/** One connection's framing and backlog; each message goes to `accept`, in order. */
export class MessageIntake extends ChunkIntake<Message> {
  readonly #maxBytes: number;
  readonly #accept: (message: Message) => void;

  /** `maxBytes`: the longest message (without its line end). */
  constructor(maxBytes: number, accept: (message: Message) => void) {
    super();
    this.#maxBytes = maxBytes;
    this.#accept = accept;
  }

  /** No message is ever held unfinished. */
  get pendingBytes(): number {
    return 0;
  }

  protected frame(chunk: Buffer, start: number, out: Message[], max: number): number {
    return takeMessages(chunk, start, out, max, this.#maxBytes);
  }

  protected deliver(messages: readonly Message[]): void {
    for (let i = 0; i < messages.length; i++) this.#accept(messages[i]!);
  }
}
