// A FIFO-fair async mutex: one holder at a time, waiters served in arrival order.

import { FifoQueue } from "./fifo-queue.js";
import type { SectionLock } from "./section-lock.js";

/**
 * One holder at a time. `shared` is accepted and ignored, so a Mutex can stand
 * wherever a SectionLock is wanted: under the "mutex" policy readers exclude
 * each other too, which is the single-lock design the study compares against.
 *
 * Fairness: on release the lock passes straight to the oldest waiter, so no
 * newcomer can barge in; every waiter is served after at most the waiters
 * ahead of it (no starvation).
 */
export class Mutex implements SectionLock {
  readonly kind = "mutex" as const;
  #locked = false;
  readonly #waiters = new FifoQueue<() => void>();

  get locked(): boolean {
    return this.#locked;
  }

  /** Requests waiting for the lock. */
  get waiting(): number {
    return this.#waiters.length;
  }

  tryAcquire(_shared = false): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  acquire(_shared = false): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(_shared = false): void {
    if (!this.#locked) throw new Error("Mutex.release: the mutex is not locked");
    const next = this.#waiters.shift();
    // Hand-over: the lock stays taken and belongs to the next waiter.
    if (next === undefined) this.#locked = false;
    else next();
  }

  /** Runs fn while holding the lock, releasing it however fn ends. */
  async runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
