// One client connection of the socket transport: wires its socket to the
// input (LineIntake), the shared worker pool (Admission), the reply order
// (ReplyQueue) and the time limits (Watchdog), and applies backpressure so
// that what a client can make it hold stays bounded (see "What a connection holds").

import type { Socket } from "node:net";
import type { WorkerPool } from "../../concurrency/worker-pool.js";
import { StoreError } from "../../errors.js";
import type { DecodedLine } from "../../protocol/line-decoder.js";
import { encodeError, LINE_TIMEOUT_REPLY } from "../../protocol/replies.js";
import { parseRequest } from "../../protocol/requests.js";
import type { StoreService } from "../../service/store-service.js";
import { Admission } from "./admission.js";
import type { ConnectionCounters, ConnectionLimits, ConnectionState } from "./connection-limits.js";
import type { Sweepable } from "./idle-sweep.js";
import { LineIntake } from "./line-intake.js";
import { ReplyQueue } from "./reply-queue.js";
import { answered, Slot, type SlotOwner } from "./slot.js";
import { type Deadline, Watchdog } from "./watchdog.js";

export type { ConnectionCounters, ConnectionLimits, ConnectionState } from "./connection-limits.js";

const LINE_TOO_LONG_REPLY = encodeError(new StoreError("line_too_long", "line too long"));

/**
 * What a connection holds, whatever the client does:
 *
 * - input: at most one unfinished line (maxLineBytes, LineDecoder), plus, when
 *   maxInFlight requests are unanswered or LINES_PER_TURN lines were decoded in
 *   this turn, the rest of the last chunk read (the backlog, at most one read's
 *   worth, see LineIntake); reading stops until the backlog is decoded;
 * - requests: at most maxInFlight read and unanswered, of which at most
 *   maxAdmitted in the shared worker pool (see Admission);
 * - output: when the client does not read, socket.write returns false and
 *   reading stops, so at most the socket's high-water mark plus the replies to
 *   the requests in flight; after writeStallTimeoutMs of that, the connection
 *   is dropped.
 *
 * Time limits use one timer (the Watchdog), armed only while a line is
 * unfinished, replies are blocked, or the connection lingers after its last
 * reply; a connection that sends whole lines and reads its replies never has one.
 */
export class Connection implements SlotOwner, Sweepable {
  readonly service: StoreService;
  /** Traffic since the idle sweep last looked (see idle-sweep.ts). */
  active = true;
  idleSince = -1;
  readonly #socket: Socket;
  readonly #admission: Admission;
  readonly #limits: ConnectionLimits;
  readonly #counters: ConnectionCounters;
  readonly #input: LineIntake;
  readonly #replies = new ReplyQueue();
  readonly #watchdog: Watchdog;
  #inChunk = false;
  #yieldScheduled = false;
  #flushScheduled = false;
  #readPaused = false;
  #writeBlocked = false;
  /** No more input will be read: the line was too long or timed out, the client ended, or the server is closing. */
  #ending = false;
  #closed = false;
  readonly #onClosed: (connection: Connection) => void;
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
    counters: ConnectionCounters,
    onClosed: (connection: Connection) => void,
  ) {
    this.#socket = socket;
    this.service = service;
    this.#admission = new Admission(pool, limits.maxAdmitted);
    this.#limits = limits;
    this.#counters = counters;
    this.#input = new LineIntake(limits.maxLineBytes, (line) => this.#accept(line));
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

  /** A slot the pool ran has finished: the next waiting request of this connection may go in. */
  ranToCompletion(): void {
    this.#admission.finished();
  }

  /** Called by a slot whose reply is ready. */
  replyReady(): void {
    // Inside a chunk the flush comes once, at its end; otherwise batch the
    // replies that become ready in this turn of the event loop.
    if (this.#inChunk || this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(this.#flushBound);
  }

  /** Stops reading; answers what was read, then closes. Used by shutdown. */
  beginEnd(): void {
    this.#endWhenAnswered();
  }

  /** The socket saw no traffic for the idle timeout. */
  onIdle(): void {
    // Already closing and still here: the client reads nothing and sends nothing.
    if (this.#ending) this.#socket.destroy();
    // Requests still running (long simulated work) are not idleness.
    else if (this.inFlight === 0) this.#endWhenAnswered();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.active = true;
    // While closing, input is read only to be dropped (see #finishEnding).
    if (this.#ending) return;
    this.#input.newTurn();
    this.#decode(chunk);
    this.#flush();
  }

  /** Decodes lines from a chunk just read, or else from the backlog, while fewer than maxInFlight requests are unanswered. */
  #decode(chunk: Buffer | undefined): void {
    const room = this.#limits.maxInFlight - this.inFlight;
    this.#inChunk = true;
    const whole = chunk === undefined ? this.#input.decodeBacklog(room) : this.#input.decode(chunk, room);
    this.#inChunk = false;
    if (!whole) {
      this.#counters.lineTooLong++;
      this.#refuseRest(LINE_TOO_LONG_REPLY);
      return;
    }
    this.#watchdog.partialLine(this.#input.partialLine);
  }

  #accept(line: DecodedLine): void {
    const parsed = parseRequest(line);
    if (parsed instanceof StoreError) {
      this.#replies.push(answered(encodeError(parsed)));
      return;
    }
    const slot = new Slot(this, parsed);
    this.#replies.push(slot);
    this.#admission.add(slot);
  }

  /** Answers what was read with `reply` as the last line, then closes: the stream cannot be re-synchronised. */
  #refuseRest(reply: string): void {
    this.#replies.push(answered(reply));
    this.#endWhenAnswered();
  }

  /**
   * Writes the ready replies; then, while there is room in flight and input
   * waiting in the backlog, decodes more. Finally decides whether to read,
   * to end, and when the watchdog must look again.
   */
  #flush(): void {
    for (;;) {
      this.#writeReady();
      if (!this.#input.hasBacklog || this.#ending || this.#writeBlocked) break;
      if (this.inFlight >= this.#limits.maxInFlight) break;
      if (this.#input.budget <= 0) {
        // Enough for this turn: the rest of the backlog waits for the next one.
        if (!this.#yieldScheduled) {
          this.#yieldScheduled = true;
          setImmediate(this.#continueBound);
        }
        break;
      }
      this.#decode(undefined);
    }
    if (this.#ending) {
      if (this.inFlight === 0) this.#finishEnding();
    } else {
      this.#updateReading();
    }
    this.#watchdog.schedule();
  }

  /** Writes every ready reply at the head, in order, with one write. */
  #writeReady(): void {
    const out = this.#replies.takeReady();
    if (out === "" || this.#closed || this.#socket.destroyed) return;
    this.active = true;
    if (!this.#socket.write(out) && !this.#writeBlocked) {
      this.#writeBlocked = true;
      this.#watchdog.repliesBlocked();
    }
  }

  // Backpressure: stop reading while too many requests are unanswered, input
  // waits in the backlog, or the client is not reading its replies; resume
  // when all have eased.
  #updateReading(): void {
    if (this.#closed) return;
    const pause = this.#writeBlocked || this.#input.hasBacklog || this.inFlight >= this.#limits.maxInFlight;
    if (pause && !this.#readPaused) {
      this.#readPaused = true;
      this.#watchdog.readingPaused();
      this.#socket.pause();
    } else if (!pause && this.#readPaused) {
      this.#readPaused = false;
      // The client could not send while the server was not reading: its
      // unfinished line gets a full line timeout from now.
      this.#watchdog.readingResumed();
      this.#socket.resume();
    }
  }

  #endWhenAnswered(): void {
    if (this.#ending) return;
    this.#ending = true;
    // Input not yet decoded is dropped: it was never a request, so nothing of it ran.
    this.#input.dropBacklog();
    this.#readPaused = true;
    this.#watchdog.inputEnded();
    this.#socket.pause();
    if (this.inFlight === 0) this.#finishEnding();
    this.#watchdog.schedule();
  }

  /**
   * Every reply is written: end our side. Once the kernel has taken the
   * replies, keep reading and dropping input for a while (a "lingering close"):
   * destroying a socket with unread input would reset the connection, and the
   * client could lose its last replies, "ERR line too long" among them.
   */
  #finishEnding(): void {
    if (this.#watchdog.lingering || this.#socket.writableEnded) return;
    this.#socket.end(() => {
      this.#watchdog.lingerStarted();
      this.#socket.resume();
      this.#watchdog.schedule();
    });
  }

  #onDeadline(deadline: Deadline): void {
    if (deadline === "line") {
      this.#counters.lineTimeouts++;
      this.#refuseRest(LINE_TIMEOUT_REPLY);
      this.#flush();
      return;
    }
    // A write stall: the client has not read its replies for too long, so
    // nothing more can be said to it and the connection is dropped (its
    // requests already ran). Or the linger time is over.
    if (deadline === "writeStall") this.#counters.writeStalls++;
    this.#socket.destroy();
  }
}
