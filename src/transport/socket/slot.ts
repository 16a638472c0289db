// One socket request's place in its connection's reply order: the shared
// request contract (PendingRequest) whose answer is a reply line.

import type { StoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import { encodeError, encodeResult } from "../../protocol/replies.js";
import type { SocketRequest } from "../../protocol/requests.js";
import type { StoreResult } from "../../service/operations/index.js";
import type { StoreService } from "../../service/store-service.js";
import { PendingRequest } from "../pending-request.js";

/** A place in the reply order: its reply line (without the line end) once known. */
export interface ReplySlot {
  readonly reply: string | undefined;
}

/** What a slot needs from its connection. */
export interface SlotOwner {
  readonly service: StoreService;
  /** The client is gone: nobody can be told an outcome any more. */
  readonly closed: boolean;
  /** A slot's reply became ready. */
  replyReady(): void;
  /** A slot the pool ran has left it, and its worker is free. */
  ranToCompletion(): void;
  /** Where the connection's answered requests are recorded; absent: not recorded (and not timed). */
  readonly recorder?: RequestRecorder | undefined;
}

/** A reply known at once, without running anything (a malformed line, a closing line). */
export function answered(reply: string): ReplySlot {
  return { reply };
}

export class Slot extends PendingRequest<SocketRequest> implements ReplySlot {
  reply: string | undefined;
  readonly #owner: SlotOwner;

  constructor(owner: SlotOwner, request: SocketRequest) {
    super(owner.service, request, owner.recorder);
    this.#owner = owner;
  }

  protected clientGone(): boolean {
    return this.#owner.closed;
  }

  protected answer(result: StoreResult): void {
    this.reply = encodeResult(this.request, result);
    this.#owner.replyReady();
  }

  protected reject(error: StoreError): void {
    this.reply = encodeError(error);
    this.#owner.replyReady();
  }

  protected override released(): void {
    this.#owner.ranToCompletion();
  }
}
