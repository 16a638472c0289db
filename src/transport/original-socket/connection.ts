// One client connection of the original socket protocol: the socket
// protocols' shared connection (StreamConnection: backpressure, write stall,
// lingering close, idle handling) with this protocol's framing (MessageIntake:
// a read is a message), each message a request (OriginalTask) answered with
// the line end its message had. It stays open, reading message after message,
// until the client closes it.

import type { Socket } from "node:net";
import type { WorkerPool } from "../../concurrency/worker-pool.js";
import { StoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import type { StoreService } from "../../service/store-service.js";
import type { ConnectionLimits, StreamCounters } from "../socket/connection-limits.js";
import { answered } from "../socket/slot.js";
import { StreamConnection } from "../socket/stream-connection.js";
import { encodeErrorAnswer, MESSAGE_TOO_LONG_ANSWER } from "./answers.js";
import type { Message } from "./framing.js";
import { MessageIntake } from "./intake.js";
import { parseMessage } from "./messages.js";
import { OriginalTask } from "./task.js";

/** Counters one server keeps over all its connections. */
export interface OriginalConnectionCounters extends StreamCounters {
  messageTooLong: number;
}

/**
 * An original-socket connection. What it holds is bounded as
 * StreamConnection says; no message is ever held unfinished, so there is no
 * line timeout: a silent client is closed by the idle sweep.
 */
export class OriginalConnection extends StreamConnection {
  readonly recorder: RequestRecorder | undefined;
  protected readonly input: MessageIntake;
  readonly #counters: OriginalConnectionCounters;

  constructor(
    socket: Socket,
    service: StoreService,
    pool: WorkerPool,
    limits: ConnectionLimits,
    counters: OriginalConnectionCounters,
    recorder: RequestRecorder | undefined,
    onClosed: (connection: StreamConnection) => void,
  ) {
    // Each answer carries its own line end: none, or the one its message had.
    super(socket, service, pool, limits, counters, "", onClosed);
    this.recorder = recorder;
    this.#counters = counters;
    this.input = new MessageIntake(limits.maxLineBytes, (message) => this.#accept(message));
  }

  protected inputTooLong(): void {
    // The rest of an over-long message may come in later reads: nothing after it can be framed.
    this.#counters.messageTooLong++;
    this.refuseRest(MESSAGE_TOO_LONG_ANSWER);
  }

  #accept(message: Message): void {
    const lineEnd = message.lineEnd ? "\n" : "";
    const parsed = parseMessage(message.text);
    if (parsed instanceof StoreError) {
      this.replies.push(answered(encodeErrorAnswer(parsed) + lineEnd));
      return;
    }
    const task = new OriginalTask(this, parsed, lineEnd);
    this.replies.push(task);
    this.admission.add(task);
  }
}
