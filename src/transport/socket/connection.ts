// One client connection of the socket transport: frames lines, submits each
// request to the shared worker pool, and writes replies in request order.

import type { Socket } from "node:net";
import type { StoreRequest, StoreResult } from "../../catalog/toy.js";
import type { PoolTask, WorkerPool } from "../../concurrency/worker-pool.js";
import { StoreError } from "../../errors.js";
import { encodeError, encodeResult, parseRequest } from "../../protocol/codec.js";
import { type DecodedLine, LineDecoder } from "../../protocol/line-decoder.js";
import type { ResultSink, StoreService } from "../../service/store-service.js";

export interface ConnectionLimits {
  readonly maxLineBytes: number;
  /** Requests read but not yet answered before the connection stops reading. */
  readonly maxInFlight: number;
}

const BUSY_REPLY = encodeError(new StoreError("busy", "busy"));
const SHUTTING_DOWN_REPLY = encodeError(new StoreError("shutting_down", "shutting down"));
const LINE_TOO_LONG_REPLY = encodeError(new StoreError("line_too_long", "line too long"));

/**
 * One request's place in the connection's reply order. It is the pool task
 * and the service's result sink at once, so a request allocates one object
 * and no closures.
 */
class Slot implements PoolTask, ResultSink {
  reply: string | undefined;
  #done: (() => void) | undefined;

  constructor(
    readonly connection: Connection,
    readonly request: StoreRequest | undefined,
  ) {}

  run(done: () => void): void {
    // The client left while this request waited: nobody is told the outcome,
    // so it is not run (a buy nobody sees acknowledged must not count).
    if (this.connection.closed) {
      done();
      return;
    }
    this.#done = done;
    this.connection.service.execute(this.request!, this);
  }

  complete(result: StoreResult): void {
    this.#settle(encodeResult(result));
  }

  fail(error: StoreError): void {
    this.#settle(encodeError(error));
  }

  #settle(reply: string): void {
    this.reply = reply;
    const done = this.#done;
    this.#done = undefined;
    this.connection.replyReady();
    done?.();
  }
}

export class Connection {
  readonly service: StoreService;
  readonly #socket: Socket;
  readonly #pool: WorkerPool;
  readonly #limits: ConnectionLimits;
  readonly #decoder: LineDecoder;
  // Replies leave in request order: a slot is written once it and every slot before it is ready.
  #slots: Slot[] = [];
  #head = 0;
  // Reused for every chunk, to spare an array per read.
  readonly #lines: DecodedLine[] = [];
  #inChunk = false;
  #flushScheduled = false;
  #readPausedForReplies = false;
  #writeBlocked = false;
  /** No more input will be read: the line was too long, or the server is shutting down. */
  #ending = false;
  #closed = false;
  readonly #onClosed: (connection: Connection) => void;
  readonly #flushBound = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  constructor(
    socket: Socket,
    service: StoreService,
    pool: WorkerPool,
    limits: ConnectionLimits,
    onClosed: (connection: Connection) => void,
  ) {
    this.#socket = socket;
    this.service = service;
    this.#pool = pool;
    this.#limits = limits;
    this.#decoder = new LineDecoder(limits.maxLineBytes);
    this.#onClosed = onClosed;
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("drain", () => {
      this.#writeBlocked = false;
      this.#updateReading();
    });
    socket.on("end", () => this.#endWhenAnswered());
    socket.on("error", () => {
      // A reset by the peer is routine; the close handler below cleans up.
    });
    socket.on("close", () => {
      this.#closed = true;
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

  /** Called by a slot whose reply is ready. */
  replyReady(): void {
    // Inside a chunk the flush comes once, at its end; otherwise batch the
    // replies that become ready in this turn of the event loop.
    if (this.#inChunk || this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(this.#flushBound);
  }

  /** Stops reading; answers what was read, then closes. Used by shutdown and idle timeout. */
  beginEnd(): void {
    this.#endWhenAnswered();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#ending) return;
    this.#inChunk = true;
    const lines = this.#lines;
    const ok = this.#decoder.push(chunk, lines);
    for (let i = 0; i < lines.length; i++) this.#accept(lines[i]!);
    lines.length = 0;
    if (!ok) {
      const slot = new Slot(this, undefined);
      slot.reply = LINE_TOO_LONG_REPLY;
      this.#slots.push(slot);
      this.#endWhenAnswered();
    }
    this.#inChunk = false;
    this.#flush();
  }

  #accept(line: DecodedLine): void {
    const parsed = parseRequest(line);
    if (parsed instanceof StoreError) {
      const slot = new Slot(this, undefined);
      slot.reply = encodeError(parsed);
      this.#slots.push(slot);
      return;
    }
    const slot = new Slot(this, parsed);
    this.#slots.push(slot);
    const refusal = this.#pool.submit(slot);
    if (refusal !== null) slot.reply = refusal === "busy" ? BUSY_REPLY : SHUTTING_DOWN_REPLY;
  }

  /** Writes every ready reply at the head, in order, with one write. */
  #flush(): void {
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
    if (!this.#closed && !this.#socket.destroyed) {
      if (!this.#socket.write(out)) this.#writeBlocked = true;
    }
    if (this.#ending && this.inFlight === 0) this.#socket.end();
    else this.#updateReading();
  }

  // Backpressure: stop reading while too many requests are unanswered or the
  // client is not reading its replies; resume when both have eased.
  #updateReading(): void {
    if (this.#ending || this.#closed) return;
    const pause = this.#writeBlocked || this.inFlight >= this.#limits.maxInFlight;
    if (pause && !this.#readPausedForReplies) {
      this.#readPausedForReplies = true;
      this.#socket.pause();
    } else if (!pause && this.#readPausedForReplies) {
      this.#readPausedForReplies = false;
      this.#socket.resume();
    }
  }

  #endWhenAnswered(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#socket.pause();
    if (this.inFlight === 0) this.#socket.end();
  }
}
