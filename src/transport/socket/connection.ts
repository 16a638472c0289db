// One client connection of the socket transport: frames lines, admits each
// request to the shared worker pool (Admission), writes replies in request order, and
// keeps what a client can make it hold bounded (see "What a connection holds").

import type { Socket } from "node:net";
import type { WorkerPool } from "../../concurrency/worker-pool.js";
import { StoreError } from "../../errors.js";
import { encodeError, LINE_TIMEOUT_REPLY, parseRequest } from "../../protocol/codec.js";
import { type DecodedLine, LineDecoder } from "../../protocol/line-decoder.js";
import type { StoreService } from "../../service/store-service.js";
import { Admission } from "./admission.js";
import { Slot, type SlotOwner } from "./slot.js";

export interface ConnectionLimits {
  readonly maxLineBytes: number;
  /** Requests read but not yet answered before the connection stops reading. */
  readonly maxInFlight: number;
  /** Requests of the connection in the worker pool at once (running or queued); the rest wait in the connection. */
  readonly maxAdmitted: number;
  /** A line started must end within this many ms, or the client gets "ERR line timeout" and is closed. 0: never. */
  readonly lineTimeoutMs: number;
  /** Replies the client does not read may stay blocked this many ms before the connection is dropped. 0: never. */
  readonly writeStallTimeoutMs: number;
  /** After its last reply, a closing connection reads and discards input at most this many ms, then is destroyed. */
  readonly lingerMs: number;
}

/** Counters one server keeps over all its connections (read by SocketServerHandle.stats). */
export interface ConnectionCounters {
  lineTooLong: number;
  lineTimeouts: number;
  writeStalls: number;
}

/** What one connection holds now, in requests and bytes. */
export interface ConnectionState {
  readonly inFlight: number;
  /** Replies written but not yet taken by the kernel (socket.writableLength). */
  readonly bufferedOutBytes: number;
  /** Input held: an unfinished line, plus bytes read but not yet decoded while the connection is full. */
  readonly bufferedInBytes: number;
}

/**
 * Lines one connection may decode in one turn of the event loop. A chunk of
 * 64 KiB can hold 65536 empty lines; past this many the connection yields
 * (setImmediate) so that one client's burst never holds up the others for
 * more than about a millisecond at a time.
 */
const LINES_PER_TURN = 1024;

const LINE_TOO_LONG_REPLY = encodeError(new StoreError("line_too_long", "line too long"));

/**
 * What a connection holds, whatever the client does:
 *
 * - input: at most one unfinished line (maxLineBytes, LineDecoder), plus, when
 *   maxInFlight requests are unanswered or LINES_PER_TURN lines were decoded in
 *   this turn, the rest of the last chunk read (the backlog, at most one read's
 *   worth); reading stops until the backlog is decoded;
 * - requests: at most maxInFlight read and unanswered, of which at most
 *   maxAdmitted in the shared worker pool (see Admission);
 * - output: when the client does not read, socket.write returns false and
 *   reading stops, so at most the socket's high-water mark plus the replies to
 *   the requests in flight; after writeStallTimeoutMs of that, the connection
 *   is dropped.
 *
 * Time limits use one timer (the watchdog), armed only while a line is
 * unfinished, replies are blocked, or the connection lingers after its last
 * reply; a connection that sends whole lines and reads its replies never has one.
 */
export class Connection implements SlotOwner {
  readonly service: StoreService;
  readonly #socket: Socket;
  readonly #admission: Admission;
  readonly #limits: ConnectionLimits;
  readonly #counters: ConnectionCounters;
  readonly #decoder: LineDecoder;
  // Replies leave in request order: a slot is written once it and every slot before it is ready.
  #slots: Slot[] = [];
  #head = 0;
  // Reused for every chunk, to spare an array per read.
  readonly #lines: DecodedLine[] = [];
  // Input read but not decoded yet: maxInFlight requests were unanswered, or this turn's budget ran out.
  #backlog: Buffer | undefined;
  #backlogAt = 0;
  #inChunk = false;
  /** Lines this connection may still decode in this turn (see LINES_PER_TURN). */
  #budget = LINES_PER_TURN;
  #yieldScheduled = false;
  #flushScheduled = false;
  #readPaused = false;
  #writeBlocked = false;
  /** performance.now() when replies got blocked; meaningful while #writeBlocked. */
  #blockedSince = 0;
  /** performance.now() when the unfinished line started, or -1 when there is none. */
  #partialSince = -1;
  /** performance.now() when the last reply was handed to the kernel, or -1 (not lingering). */
  #lingerSince = -1;
  #watchdog: NodeJS.Timeout | undefined;
  #watchdogDue = 0;
  /** No more input will be read: the line was too long or timed out, the client ended, or the server is closing. */
  #ending = false;
  #closed = false;
  readonly #onClosed: (connection: Connection) => void;
  readonly #flushBound = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };
  readonly #watchdogBound = (): void => this.#onWatchdog();
  readonly #continueBound = (): void => {
    this.#yieldScheduled = false;
    this.#budget = LINES_PER_TURN;
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
    this.#decoder = new LineDecoder(limits.maxLineBytes);
    this.#onClosed = onClosed;
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("drain", () => {
      this.#writeBlocked = false;
      this.#flush();
    });
    socket.on("end", () => this.#endWhenAnswered());
    socket.on("error", () => {
      // A reset by the peer is routine; the close handler below cleans up.
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#backlog = undefined;
      this.#admission.clear();
      if (this.#watchdog !== undefined) clearTimeout(this.#watchdog);
      this.#watchdog = undefined;
      this.#onClosed(this);
    });
  }

  /** Requests read and not yet answered. */
  get inFlight(): number {
    return this.#slots.length - this.#head;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get state(): ConnectionState {
    const backlog = this.#backlog === undefined ? 0 : this.#backlog.length - this.#backlogAt;
    return {
      inFlight: this.inFlight,
      bufferedOutBytes: this.#socket.writableLength,
      bufferedInBytes: this.#decoder.pendingBytes + backlog,
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
    // While closing, input is read only to be dropped (see #finishEnding).
    if (this.#ending) return;
    this.#budget = LINES_PER_TURN;
    this.#decode(chunk, 0);
    this.#flush();
  }

  /** Decodes lines from chunk[start..] while fewer than maxInFlight requests are unanswered and the turn's budget lasts. */
  #decode(chunk: Buffer, start: number): void {
    const room = Math.min(this.#limits.maxInFlight - this.inFlight, this.#budget);
    const lines = this.#lines;
    this.#inChunk = true;
    const next = room > 0 ? this.#decoder.pushLines(chunk, start, lines, room) : start;
    this.#budget -= lines.length;
    for (let i = 0; i < lines.length; i++) this.#accept(lines[i]!);
    lines.length = 0;
    this.#inChunk = false;
    if (next === -1) {
      this.#backlog = undefined;
      this.#counters.lineTooLong++;
      this.#refuseRest(LINE_TOO_LONG_REPLY);
      return;
    }
    if (next < chunk.length) {
      this.#backlog = chunk;
      this.#backlogAt = next;
    } else {
      this.#backlog = undefined;
    }
    if (this.#decoder.pendingBytes === 0) this.#partialSince = -1;
    else if (this.#partialSince < 0) this.#partialSince = performance.now();
  }

  #accept(line: DecodedLine): void {
    const parsed = parseRequest(line);
    if (parsed instanceof StoreError) {
      this.#slots.push(Slot.answered(this, encodeError(parsed)));
      return;
    }
    const slot = new Slot(this, parsed);
    this.#slots.push(slot);
    this.#admission.add(slot);
  }

  /** Answers what was read with `reply` as the last line, then closes: the stream cannot be re-synchronised. */
  #refuseRest(reply: string): void {
    this.#slots.push(Slot.answered(this, reply));
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
      const backlog = this.#backlog;
      if (backlog === undefined || this.#ending || this.#writeBlocked) break;
      if (this.inFlight >= this.#limits.maxInFlight) break;
      if (this.#budget <= 0) {
        // Enough for this turn: the rest of the backlog waits for the next one.
        if (!this.#yieldScheduled) {
          this.#yieldScheduled = true;
          setImmediate(this.#continueBound);
        }
        break;
      }
      this.#decode(backlog, this.#backlogAt);
    }
    if (this.#ending) {
      if (this.inFlight === 0) this.#finishEnding();
    } else {
      this.#updateReading();
    }
    this.#schedule();
  }

  /** Writes every ready reply at the head, in order, with one write. */
  #writeReady(): void {
    const slots = this.#slots;
    let head = this.#head;
    let out = "";
    while (head < slots.length) {
      const reply = slots[head]!.reply;
      if (reply === undefined) break;
      out += `${reply}\n`;
      head++;
    }
    if (head === this.#head) return;
    if (head === slots.length) {
      this.#slots = [];
      this.#head = 0;
    } else if (head > 1024 && head * 2 > slots.length) {
      // Drop answered slots now and then, so the array does not grow forever.
      this.#slots = slots.slice(head);
      this.#head = 0;
    } else {
      this.#head = head;
    }
    if (this.#closed || this.#socket.destroyed) return;
    if (!this.#socket.write(out) && !this.#writeBlocked) {
      this.#writeBlocked = true;
      this.#blockedSince = performance.now();
    }
  }

  // Backpressure: stop reading while too many requests are unanswered, input
  // waits in the backlog, or the client is not reading its replies; resume
  // when all have eased.
  #updateReading(): void {
    if (this.#closed) return;
    const pause =
      this.#writeBlocked || this.#backlog !== undefined || this.inFlight >= this.#limits.maxInFlight;
    if (pause && !this.#readPaused) {
      this.#readPaused = true;
      this.#socket.pause();
    } else if (!pause && this.#readPaused) {
      this.#readPaused = false;
      // The client could not send while the server was not reading: its
      // unfinished line gets a full line timeout from now.
      if (this.#partialSince >= 0) this.#partialSince = performance.now();
      this.#socket.resume();
    }
  }

  #endWhenAnswered(): void {
    if (this.#ending) return;
    this.#ending = true;
    // Input not yet decoded is dropped: it was never a request, so nothing of it ran.
    this.#backlog = undefined;
    this.#partialSince = -1;
    this.#readPaused = true;
    this.#socket.pause();
    if (this.inFlight === 0) this.#finishEnding();
    this.#schedule();
  }

  /**
   * Every reply is written: end our side. Once the kernel has taken the
   * replies, keep reading and dropping input for a while (a "lingering close"):
   * destroying a socket with unread input would reset the connection, and the
   * client could lose its last replies, "ERR line too long" among them.
   */
  #finishEnding(): void {
    if (this.#lingerSince >= 0 || this.#socket.writableEnded) return;
    this.#socket.end(() => {
      this.#lingerSince = performance.now();
      this.#socket.resume();
      this.#schedule();
    });
  }

  /** Arms, moves or clears the watchdog: the earliest deadline among the time limits in force. */
  #schedule(): void {
    if (this.#closed) return;
    const limits = this.#limits;
    let due = Number.POSITIVE_INFINITY;
    if (this.#writeBlocked && limits.writeStallTimeoutMs > 0) {
      due = this.#blockedSince + limits.writeStallTimeoutMs;
    }
    if (this.#partialSince >= 0 && !this.#readPaused && limits.lineTimeoutMs > 0) {
      due = Math.min(due, this.#partialSince + limits.lineTimeoutMs);
    }
    if (this.#lingerSince >= 0) due = Math.min(due, this.#lingerSince + limits.lingerMs);
    if (due === Number.POSITIVE_INFINITY) {
      if (this.#watchdog !== undefined) {
        clearTimeout(this.#watchdog);
        this.#watchdog = undefined;
      }
      return;
    }
    // A watchdog that fires earlier than needed looks, and re-arms itself.
    if (this.#watchdog !== undefined) {
      if (this.#watchdogDue <= due) return;
      clearTimeout(this.#watchdog);
    }
    this.#watchdogDue = due;
    // +1: timers may fire a fraction of a millisecond before performance.now() says so.
    this.#watchdog = setTimeout(this.#watchdogBound, Math.max(0, due - performance.now()) + 1);
    this.#watchdog.unref();
  }

  #onWatchdog(): void {
    this.#watchdog = undefined;
    if (this.#closed) return;
    const limits = this.#limits;
    const now = performance.now();
    if (
      this.#writeBlocked &&
      limits.writeStallTimeoutMs > 0 &&
      now - this.#blockedSince >= limits.writeStallTimeoutMs
    ) {
      // The client has not read its replies for too long: nothing more can be
      // said to it, so the connection is dropped (its requests already ran).
      this.#counters.writeStalls++;
      this.#socket.destroy();
      return;
    }
    if (this.#lingerSince >= 0 && now - this.#lingerSince >= limits.lingerMs) {
      this.#socket.destroy();
      return;
    }
    if (
      this.#partialSince >= 0 &&
      !this.#readPaused &&
      limits.lineTimeoutMs > 0 &&
      now - this.#partialSince >= limits.lineTimeoutMs
    ) {
      this.#counters.lineTimeouts++;
      this.#refuseRest(LINE_TIMEOUT_REPLY);
      this.#flush();
      return;
    }
    this.#schedule();
  }
}
