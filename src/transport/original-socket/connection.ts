// One client connection of the original socket protocol: its reads framed
// into messages (MessageIntake), each message a request admitted to the
// shared worker pool (Admission) and answered in order (ReplyQueue), with the
// line protocol's time limits (Watchdog) and backpressure. It stays open,
// reading message after message, until the client closes it.

import type { Socket } from "node:net";
import type { WorkerPool } from "../../concurrency/worker-pool.js";
import { StoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import type { StoreService } from "../../service/store-service.js";
import { Admission } from "../socket/admission.js";
import type { ConnectionLimits, ConnectionState } from "../socket/connection-limits.js";
import type { Sweepable } from "../socket/idle-sweep.js";
import { ReplyQueue } from "../socket/reply-queue.js";
import { answered, type SlotOwner } from "../socket/slot.js";
import { type Deadline, Watchdog } from "../socket/watchdog.js";
import { encodeErrorAnswer, MESSAGE_TOO_LONG_ANSWER } from "./answers.js";
import type { Message } from "./framing.js";
import { MessageIntake } from "./intake.js";
import { parseMessage } from "./messages.js";
import { OriginalTask } from "./task.js";

/** Counters one server keeps over all its connections. */
export interface OriginalConnectionCounters {
  messageTooLong: number;
  writeStalls: number;
}

/**
 * What a connection holds, whatever the client does (as the line protocol's
 * Connection): input, at most the rest of one read (the backlog) while
 * maxInFlight requests are unanswered or the turn's budget is spent, and then
 * it stops reading; requests, at most maxInFlight read and unanswered, of
 * which at most maxAdmitted in the shared pool; output, when the client does
 * not read, the socket's high-water mark plus the answers in flight, dropped
 * after writeStallTimeoutMs. No message is ever held unfinished, so there is
 * no line timeout: a silent client is closed by the idle sweep.
 */
export class OriginalConnection implements SlotOwner, Sweepable {
  readonly service: StoreService;
  readonly recorder: RequestRecorder | undefined;
  active = true;
  idleSince = -1;
  readonly #socket: Socket;
  readonly #admission: Admission;
  readonly #limits: ConnectionLimits;
  readonly #counters: OriginalConnectionCounters;
  readonly #input: MessageIntake;
  // Each answer carries its own line end: none, or the one its message had.
  readonly #replies = new ReplyQueue("");
  readonly #watchdog: Watchdog;
  #inChunk = false;
  #yieldScheduled = false;
  #flushScheduled = false;
  #readPaused = false;
  #writeBlocked = false;
  /** No more input will be read: a message was too long, the client ended, or the server is closing. */
  #ending = false;
  #closed = false;
  readonly #onClosed: (connection: OriginalConnection) => void;
  readonly #flushBound = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };
  readonly #continueBound = (): void => {
    this.#yieldScheduled = false;
    this.#input.newTurn();
    this.#flush();
  };

  constructor(
    socket: Socket,
    service: StoreService,
    pool: WorkerPool,
    limits: ConnectionLimits,
    counters: OriginalConnectionCounters,
    recorder: RequestRecorder | undefined,
    onClosed: (connection: OriginalConnection) => void,
  ) {
    this.#socket = socket;
    this.service = service;
    this.recorder = recorder;
    this.#admission = new Admission(pool, limits.maxAdmitted);
    this.#limits = limits;
    this.#counters = counters;
    this.#input = new MessageIntake(limits.maxLineBytes, (message) => this.#accept(message));
    // Never told of an unfinished line (no message is ever left unfinished), it keeps no line timeout.
    this.#watchdog = new Watchdog(limits, (deadline) => this.#onDeadline(deadline));
    this.#onClosed = onClosed;
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("drain", () => {
      this.active = true;
      this.#writeBlocked = false;
      this.#watchdog.repliesDrained();
      this.#flush();
    });
    socket.on("end", () => this.#endWhenAnswered());
    socket.on("error", () => {
      // A reset by the peer is routine; the close handler below cleans up.
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#input.dropBacklog();
      this.#admission.clear();
      this.#watchdog.stop();
      this.#onClosed(this);
    });
  }

  /** Requests read and not yet answered. */
  get inFlight(): number {
    return this.#replies.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get state(): ConnectionState {
    return {
      inFlight: this.inFlight,
      bufferedOutBytes: this.#socket.writableLength,
      bufferedInBytes: this.#input.heldBytes,
    };
  }

  ranToCompletion(): void {
    this.#admission.finished();
  }

  replyReady(): void {
    if (this.#inChunk || this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(this.#flushBound);
  }

  /** Stops reading; answers what was read, then closes. Used by shutdown. */
  beginEnd(): void {
    this.#endWhenAnswered();
  }

  /** No traffic for the idle timeout. */
  onIdle(): void {
    if (this.#ending) this.#socket.destroy();
    else if (this.inFlight === 0) this.#endWhenAnswered();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.active = true;
    if (this.#ending) return;
    this.#input.newTurn();
    this.#take(chunk);
    this.#flush();
  }

  /** Takes messages from a read just made, or else from the backlog, while there is room in flight. */
  #take(chunk: Buffer | undefined): void {
    const room = this.#limits.maxInFlight - this.inFlight;
    this.#inChunk = true;
    const whole = chunk === undefined ? this.#input.takeBacklog(room) : this.#input.take(chunk, room);
    this.#inChunk = false;
    if (!whole) {
      // The rest of an over-long message may come in later reads: nothing after it can be framed.
      this.#counters.messageTooLong++;
      this.#replies.push(answered(MESSAGE_TOO_LONG_ANSWER));
      this.#endWhenAnswered();
    }
  }

  #accept(message: Message): void {
    const lineEnd = message.lineEnd ? "\n" : "";
    const parsed = parseMessage(message.text);
    if (parsed instanceof StoreError) {
      this.#replies.push(answered(encodeErrorAnswer(parsed) + lineEnd));
      return;
    }
    const task = new OriginalTask(this, parsed, lineEnd);
    this.#replies.push(task);
    this.#admission.add(task);
  }

  /** Writes the ready answers; takes more of the backlog while there is room; then decides on reading and ending. */
  #flush(): void {
    for (;;) {
      this.#writeReady();
      if (!this.#input.hasBacklog || this.#ending || this.#writeBlocked) break;
      if (this.inFlight >= this.#limits.maxInFlight) break;
      if (this.#input.budget <= 0) {
        if (!this.#yieldScheduled) {
          this.#yieldScheduled = true;
          setImmediate(this.#continueBound);
        }
        break;
      }
      this.#take(undefined);
    }
    if (this.#ending) {
      if (this.inFlight === 0) this.#finishEnding();
    } else {
      this.#updateReading();
    }
    this.#watchdog.schedule();
  }

  #writeReady(): void {
    const out = this.#replies.takeReady();
    if (out === "" || this.#closed || this.#socket.destroyed) return;
    this.active = true;
    if (!this.#socket.write(out) && !this.#writeBlocked) {
      this.#writeBlocked = true;
      this.#watchdog.repliesBlocked();
    }
  }

  // Backpressure, as the line protocol's: stop reading while too many requests
  // are unanswered, input waits in the backlog, or the client reads nothing.
  #updateReading(): void {
    if (this.#closed) return;
    const pause = this.#writeBlocked || this.#input.hasBacklog || this.inFlight >= this.#limits.maxInFlight;
    if (pause && !this.#readPaused) {
      this.#readPaused = true;
      this.#watchdog.readingPaused();
      this.#socket.pause();
    } else if (!pause && this.#readPaused) {
      this.#readPaused = false;
      this.#watchdog.readingResumed();
      this.#socket.resume();
    }
  }

  #endWhenAnswered(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#input.dropBacklog();
    this.#readPaused = true;
    this.#watchdog.inputEnded();
    this.#socket.pause();
    if (this.inFlight === 0) this.#finishEnding();
    this.#watchdog.schedule();
  }

  /** Every answer is written: end our side, then drop input for a while (a lingering close, as the line protocol's). */
  #finishEnding(): void {
    if (this.#watchdog.lingering || this.#socket.writableEnded) return;
    this.#socket.end(() => {
      this.#watchdog.lingerStarted();
      this.#socket.resume();
      this.#watchdog.schedule();
    });
  }

  #onDeadline(deadline: Deadline): void {
    // A write stall (the client reads nothing: its requests already ran), or the linger time is over.
    if (deadline === "writeStall") this.#counters.writeStalls++;
    this.#socket.destroy();
  }
}
