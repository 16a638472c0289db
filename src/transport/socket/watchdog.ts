// The time limits of one connection on a single timer: replies blocked too
// long (write stall), a line left unfinished too long (line timeout), and the
// end of a lingering close. The idle timeout is the socket's own (setTimeout).

/** The time limits of a connection, in ms. */
export interface WatchdogLimits {
  /** A line started must end within this many ms, or the client gets "ERR line timeout" and is closed. 0: never. */
  readonly lineTimeoutMs: number;
  /** Replies the client does not read may stay blocked this many ms before the connection is dropped. 0: never. */
  readonly writeStallTimeoutMs: number;
  /** After its last reply, a closing connection reads and discards input at most this many ms, then is destroyed. */
  readonly lingerMs: number;
}

/** Which limit ran out. */
export type Deadline = "writeStall" | "linger" | "line";

/**
 * Told what happens on the connection, it keeps the start of each clock in
 * force and one timer at the earliest deadline among them; a connection that
 * sends whole lines and reads its replies never has a timer. When a deadline
 * passes, the connection is told which one (one per firing, write stall first).
 */
export class Watchdog {
  readonly #limits: WatchdogLimits;
  readonly #expired: (deadline: Deadline) => void;
  /** performance.now() when replies got blocked, or -1 when they are not. */
  #blockedSince = -1;
  /** performance.now() when the unfinished line started (or reading resumed), or -1 when there is none. */
  #partialSince = -1;
  // The client cannot send while the connection does not read: no line timeout meanwhile.
  #readPaused = false;
  /** performance.now() when the last reply was handed to the kernel, or -1 (not lingering). */
  #lingerSince = -1;
  #timer: NodeJS.Timeout | undefined;
  #due = 0;
  #stopped = false;
  readonly #fireBound = (): void => this.#fire();

  constructor(limits: WatchdogLimits, expired: (deadline: Deadline) => void) {
    this.#limits = limits;
    this.#expired = expired;
  }

  /** The connection has ended its side and drops input until the linger deadline. */
  get lingering(): boolean {
    return this.#lingerSince >= 0;
  }

  /** A write was not taken whole: the write-stall clock starts. */
  repliesBlocked(): void {
    this.#blockedSince = performance.now();
  }

  /** The client read its replies: no write stall. */
  repliesDrained(): void {
    this.#blockedSince = -1;
  }

  /** After decoding: whether an unfinished line is held; its clock starts with the line. */
  partialLine(pending: boolean): void {
    if (!pending) this.#partialSince = -1;
    else if (this.#partialSince < 0) this.#partialSince = performance.now();
  }

  /** The connection stopped reading. */
  readingPaused(): void {
    this.#readPaused = true;
  }

  /** The connection reads again: an unfinished line gets a full line timeout from now. */
  readingResumed(): void {
    this.#readPaused = false;
    if (this.#partialSince >= 0) this.#partialSince = performance.now();
  }

  /** No more input will be read: no line timeout from now on. */
  inputEnded(): void {
    this.#partialSince = -1;
    this.#readPaused = true;
  }

  /** The kernel took the last reply: the linger clock starts. */
  lingerStarted(): void {
    this.#lingerSince = performance.now();
  }

  /** Arms, moves or clears the timer: the earliest deadline among the clocks in force. */
  schedule(): void {
    if (this.#stopped) return;
    const limits = this.#limits;
    let due = Number.POSITIVE_INFINITY;
    if (this.#blockedSince >= 0 && limits.writeStallTimeoutMs > 0) {
      due = this.#blockedSince + limits.writeStallTimeoutMs;
    }
    if (this.#partialSince >= 0 && !this.#readPaused && limits.lineTimeoutMs > 0) {
      due = Math.min(due, this.#partialSince + limits.lineTimeoutMs);
    }
    if (this.#lingerSince >= 0) due = Math.min(due, this.#lingerSince + limits.lingerMs);
    if (due === Number.POSITIVE_INFINITY) {
      if (this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
      }
      return;
    }
    // A timer that fires earlier than needed looks, and re-arms itself.
    if (this.#timer !== undefined) {
      if (this.#due <= due) return;
      clearTimeout(this.#timer);
    }
    this.#due = due;
    // +1: timers may fire a fraction of a millisecond before performance.now() says so.
    this.#timer = setTimeout(this.#fireBound, Math.max(0, due - performance.now()) + 1);
    this.#timer.unref();
  }

  /** The connection is closed: the timer goes, and nothing arms it again. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const limits = this.#limits;
    const now = performance.now();
    const blocked = this.#blockedSince;
    if (blocked >= 0 && limits.writeStallTimeoutMs > 0 && now - blocked >= limits.writeStallTimeoutMs) {
      this.#expired("writeStall");
    } else if (this.#lingerSince >= 0 && now - this.#lingerSince >= limits.lingerMs) {
      this.#expired("linger");
    } else if (
      this.#partialSince >= 0 &&
      !this.#readPaused &&
      limits.lineTimeoutMs > 0 &&
      now - this.#partialSince >= limits.lineTimeoutMs
    ) {
      this.#expired("line");
    } else {
      this.schedule();
    }
  }
}
