// A FIFO-fair async read-write lock: readers share, writers are exclusive.

import { FifoQueue } from "./fifo-queue.js";
import type { SectionLock } from "./section-lock.js";

interface Waiter {
  readonly shared: boolean;
  readonly grant: () => void;
}

/**
 * Readers share the lock; a writer holds it alone.
 *
 * Policy (phase-fair FIFO): requests are served in arrival order. A reader is
 * admitted at once only if no writer holds the lock and nobody is waiting; so
 * a writer at the head of the queue stops new readers, and waits only for the
 * readers already inside. When the lock is free, the head of the queue is
 * granted, and if it is a reader, so is every reader directly behind it, up to
 * the next writer. Hence neither side starves: a writer waits for at most the
 * holders and the requests queued before it, and a reader queued behind a
 * writer enters right after that writer.
 */
export class RwLock implements SectionLock {
  readonly kind = "rwlock" as const;
  #readers = 0;
  #writer = false;
  readonly #waiters = new FifoQueue<Waiter>();

  /** Readers holding the lock now. */
  get readers(): number {
    return this.#readers;
  }

  /** Whether a writer holds the lock now. */
  get writing(): boolean {
    return this.#writer;
  }

  /** Requests waiting for the lock. */
  get waiting(): number {
    return this.#waiters.length;
  }

  tryAcquire(shared: boolean): boolean {
    if (this.#writer || this.#waiters.length > 0) return false;
    if (shared) {
      this.#readers++;
      return true;
    }
    if (this.#readers > 0) return false;
    this.#writer = true;
    return true;
  }

  acquire(shared: boolean): Promise<void> {
    if (this.tryAcquire(shared)) return Promise.resolve();
    return new Promise<void>((grant) => this.#waiters.push({ shared, grant }));
  }

  release(shared: boolean): void {
    if (shared) {
      if (this.#readers === 0) throw new Error("RwLock.release: no read lock is held");
      this.#readers--;
    } else {
      if (!this.#writer) throw new Error("RwLock.release: no write lock is held");
      this.#writer = false;
    }
    this.#grantWaiters();
  }

  /** Runs fn under a read lock. */
  withRead<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.#holding(true, fn);
  }

  /** Runs fn under the write lock. */
  withWrite<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.#holding(false, fn);
  }

  /** Runs fn holding the lock in the given mode, releasing it however fn ends. */
  async #holding<T>(shared: boolean, fn: () => T | Promise<T>): Promise<T> {
    await this.acquire(shared);
    try {
      return await fn();
    } finally {
      this.release(shared);
    }
  }

  #grantWaiters(): void {
    if (this.#writer) return;
    let head = this.#waiters.peek();
    if (head === undefined) return;
    if (!head.shared) {
      if (this.#readers > 0) return;
      this.#waiters.shift();
      this.#writer = true;
      head.grant();
      return;
    }
    // A batch of readers: every reader up to the next queued writer.
    while (head?.shared) {
      this.#waiters.shift();
      this.#readers++;
      head.grant();
      head = this.#waiters.peek();
    }
  }
}
