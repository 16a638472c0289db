// The lock interface the StoreService holds around a critical section.
//
// Why a lock at all on one JavaScript thread: a store operation may span an
// `await` (the simulated work, or a database round trip), and other requests
// run while it waits. Without a lock, two buys of the last unit could both read
// stock 1 before either writes 0. The lock makes "read, work, write" atomic
// with respect to every other request, as a lock does between OS threads.

/**
 * The lock policies, from coarse to none: one mutex over the catalog (the
 * original design), one read-write lock over it (the fix it proposes), a
 * read-write lock per toy, and no lock at all (the work runs unlocked, then
 * the store's check-and-decrement happens in one atomic step). See lock-policy.ts.
 */
export type LockKind = "mutex" | "rwlock" | "per-toy" | "atomic";

/** Every lock policy, coarse to none. */
export const LOCK_KINDS: readonly LockKind[] = ["mutex", "rwlock", "per-toy", "atomic"];

export interface SectionLock {
  readonly kind: "mutex" | "rwlock";
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
