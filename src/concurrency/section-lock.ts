// The lock interface the StoreService holds around a critical section.
//
// Why a lock at all on one JavaScript thread: a store operation may span an
// `await` (the simulated work, or a database round trip), and other requests
// run while it waits. Without a lock, two buys of the last unit could both read
// stock 1 before either writes 0. The lock makes "read, work, write" atomic
// with respect to every other request, as a lock does between OS threads.

export type LockKind = "mutex" | "rwlock";

export interface SectionLock {
  readonly kind: LockKind;
  /**
   * Takes the lock at once when it is free for this mode and no one is waiting
   * (so the fast path never overtakes a queued request). Returns whether it did.
   */
  tryAcquire(shared: boolean): boolean;
  /** Resolves once the lock is held; waiters are served first come, first served. */
  acquire(shared: boolean): Promise<void>;
  /** Releases a hold taken in the same mode; throws if nothing is held in that mode. */
  release(shared: boolean): void;
}
