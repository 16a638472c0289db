// One request of the original socket protocol: the shared request contract
// (PendingRequest), exactly as the line protocol's Slot, whose answer is the
// original design's code, ended as its message was (no line end, or "\n").

import type { StoreError } from "../../errors.js";
import type { StoreResult } from "../../service/operations/index.js";
import { PendingRequest } from "../pending-request.js";
import type { ReplySlot, SlotOwner } from "../socket/slot.js";
import { encodeAnswer, encodeErrorAnswer } from "./answers.js";
import type { OriginalRequest } from "./messages.js";

/** A place in its connection's reply order (ReplyQueue), with its answer and line end once known. */
export class OriginalTask extends PendingRequest<OriginalRequest> implements ReplySlot {
  reply: string | undefined;
  readonly #owner: SlotOwner;
  readonly #lineEnd: string;

  /** `lineEnd`: what ended the message ("" or "\n"), and so ends the answer. */
  constructor(owner: SlotOwner, request: OriginalRequest, lineEnd: string) {
    super(owner.service, request, owner.recorder);
    this.#owner = owner;
    this.#lineEnd = lineEnd;
  }

  protected clientGone(): boolean {
    return this.#owner.closed;
  }

  protected answer(result: StoreResult): void {
    this.reply = encodeAnswer(result) + this.#lineEnd;
    this.#owner.replyReady();
  }

  protected reject(error: StoreError): void {
    this.reply = encodeErrorAnswer(error) + this.#lineEnd;
    this.#owner.replyReady();
  }

  protected override released(): void {
    this.#owner.ranToCompletion();
  }
}
