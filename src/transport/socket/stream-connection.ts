// One client connection of either socket protocol, its framing aside: wires
// its socket to the input (a ChunkIntake), the shared worker pool (Admission),
// the reply order (ReplyQueue) and the time limits (Watchdog), with the
// backpressure that bounds what a client can make it hold. The subclasses
// (Connection, OriginalConnection) frame the input and make the requests.

import type { Socket } from "node:net";
import type { WorkerPool } from "../../concurrency/worker-pool.js";
import type { StoreService } from "../../service/store-service.js";
import { Admission } from "./admission.js";
import type { ChunkIntake } from "./chunk-intake.js";
import type { ConnectionLimits, ConnectionState, StreamCounters } from "./connection-limits.js";
import type { Sweepable } from "./idle-sweep.js";
import { ReplyQueue } from "./reply-queue.js";
import { answered, type SlotOwner } from "./slot.js";
import { type Deadline, Watchdog } from "./watchdog.js";

/**
 * What a connection holds, whatever the client does:
 *
 * - input: at most one unfinished request (maxLineBytes; only the line
 *   protocol holds one), plus, when maxInFlight requests are unanswered or
 *   LINES_PER_TURN were framed in this turn, the rest of the last chunk read
 *   (the backlog, at most one read's worth, see ChunkIntake); reading stops
 *   until the backlog is framed;
 * - requests: at most maxInFlight read and unanswered, of which at most
 *   maxAdmitted in the shared worker pool (see Admission);
 * - output: when the client does not read, socket.write returns false and
 *   reading stops, so at most the socket's high-water mark plus the replies to
 *   the requests in flight; after writeStallTimeoutMs of that, the connection
 *   is dropped.
 *
 * Time limits use one timer (the Watchdog), armed only while a line is
 * unfinished, replies are blocked, or the connection lingers after its last
 * reply; a connection that sends whole requests and reads its replies never has one.
 */
export abstract class StreamConnection implements SlotOwner, Sweepable {
  readonly service: StoreService;
  /** Traffic since the idle sweep last looked (see idle-sweep.ts). */
  active = true;
  idleSince = -1;
  /** The reply order: the subclass puts every request it reads at the tail. */
  protected readonly replies: ReplyQueue;
  /** The subclass adds every request that runs here, in order. */
  protected readonly admission: Admission;
  /** The framing and backlog; set by the subclass's constructor, read from the first "data" on. */
  protected abstract readonly input: ChunkIntake<unknown>;
  readonly #socket: Socket;
  readonly #limits: ConnectionLimits;
  readonly #counters: StreamCounters;
  readonly #watchdog: Watchdog;
  #inChunk = false;
  #yieldScheduled = false;
  #flushScheduled = false;
  #readPaused = false;
  #writeBlocked = false;
  /** No more input will be read: a request was too long or timed out, the client ended, or the server is closing. */
  #ending = false;
  #closed = false;
  readonly #onClosed: (connection: StreamConnection) => void;
  readonly #flushBound = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };
  readonly #continueBound = (): void => {
    this.#yieldScheduled = false;
    this.input.newTurn();
    this.#flush();
  };

  /** `replyLineEnd` follows every reply (see ReplyQueue). */
  protected constructor(
    socket: Socket,
    service: StoreService,
    pool: WorkerPool,
    limits: ConnectionLimits,
    counters: StreamCounters,
    replyLineEnd: string,
    onClosed: (connection: StreamConnection) => void,
  ) {
    this.#socket = socket;
    this.service = service;
    this.replies = new ReplyQueue(replyLineEnd);
    this.admission = new Admission(pool, limits.maxAdmitted);
    this.#limits = limits;
    this.#counters = counters;
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
      this.input.dropBacklog();
      this.admission.clear();
      this.#watchdog.stop();
      this.#onClosed(this);
    });
  }

  /** Requests read and not yet answered. */
  get inFlight(): number {
    return this.replies.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get state(): ConnectionState {
    return {
      inFlight: this.inFlight,
      bufferedOutBytes: this.#socket.writableLength,
      bufferedInBytes: this.input.heldBytes,
    };
  }

  /** A request the pool ran has finished: the next waiting request of this connection may go in. */
  ranToCompletion(): void {
    this.admission.finished();
  }

  /** Called by a request whose reply is ready. */
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

  /** A request was longer than maxLineBytes: count it, and refuse the rest (refuseRest); nothing after it can be framed. */
  protected abstract inputTooLong(): void;

  /** An unfinished line outlived lineTimeoutMs (only a framing that holds one can). By default: answer what was read, then close. */
  protected lineTimedOut(): void {
    this.#endWhenAnswered();
  }

  /** Answers what was read with `reply` as the last one, then closes: the stream cannot be re-synchronised. */
  protected refuseRest(reply: string): void {
    this.replies.push(answered(reply));
    this.#endWhenAnswered();
  }

  #onData(chunk: Buffer): void {
    this.active = true;
    // While closing, input is read only to be dropped (see #finishEnding).
    if (this.#ending) return;
    this.input.newTurn();
    this.#take(chunk);
    this.#flush();
  }

  /** Takes requests from a chunk just read, or else from the backlog, while fewer than maxInFlight are unanswered. */
  #take(chunk: Buffer | undefined): void {
    const input = this.input;
    const room = this.#limits.maxInFlight - this.inFlight;
    this.#inChunk = true;
    const whole = chunk === undefined ? input.takeBacklog(room) : input.take(chunk, room);
    this.#inChunk = false;
    if (!whole) {
      this.inputTooLong();
      return;
    }
    this.#watchdog.partialLine(input.partialLine);
  }

  /**
   * Writes the ready replies; then, while there is room in flight and input
   * waiting in the backlog, takes more. Finally decides whether to read,
   * to end, and when the watchdog must look again.
   */
  #flush(): void {
    for (;;) {
      this.#writeReady();
      if (!this.input.hasBacklog || this.#ending || this.#writeBlocked) break;
      if (this.inFlight >= this.#limits.maxInFlight) break;
      if (this.input.budget <= 0) {
        // Enough for this turn: the rest of the backlog waits for the next one.
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

  /** Writes every ready reply at the head, in order, with one write. */
  #writeReady(): void {
    const out = this.replies.takeReady();
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
    const pause = this.#writeBlocked || this.input.hasBacklog || this.inFlight >= this.#limits.maxInFlight;
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
    // Input not yet framed is dropped: it was never a request, so nothing of it ran.
    this.input.dropBacklog();
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
      this.lineTimedOut();
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
