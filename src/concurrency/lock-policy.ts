// Which lock a request takes: the StoreService asks its policy by toy key.
//
// - mutex, rwlock: one lock over the whole catalog, whatever the toy.
// - per-toy: a read-write lock per toy, so requests for different toys never
//   wait for each other. Locks exist only while held or awaited (a map entry is
//   made on first use and dropped when its lock goes idle), so names a client
//   makes up cannot grow the map beyond the requests in flight.
// - atomic: no lock. The simulated work runs unlocked, then the store's
//   check-and-decrement happens in one synchronous step (in memory) or one
//   conditional UPDATE (in SQL): never oversells, never waits.

import { Mutex } from "./mutex.js";
import { RwLock } from "./rw-lock.js";
import type { LockKind, SectionLock } from "./section-lock.js";

export interface LockPolicy {
  readonly kind: LockKind;
  /** Whether locks depend on the toy: the service then passes the toy's normalized name as the key. */
  readonly keyed: boolean;
  /** Takes the key's lock at once if it is free and nobody waits (see SectionLock.tryAcquire). */
  tryAcquire(key: string, shared: boolean): boolean;
  /** Resolves once the key's lock is held; FIFO per lock. */
  acquire(key: string, shared: boolean): Promise<void>;
  /** Releases a hold taken with the same key and mode. */
  release(key: string, shared: boolean): void;
}

/** One lock for every key. */
class GlobalLock implements LockPolicy {
  readonly keyed = false;
  readonly #lock: SectionLock;

  constructor(readonly kind: "mutex" | "rwlock") {
    this.#lock = kind === "mutex" ? new Mutex() : new RwLock();
  }

  tryAcquire(_key: string, shared: boolean): boolean {
    return this.#lock.tryAcquire(shared);
  }

  acquire(_key: string, shared: boolean): Promise<void> {
    return this.#lock.acquire(shared);
  }

  release(_key: string, shared: boolean): void {
    this.#lock.release(shared);
  }
}

/** A read-write lock per key, kept only while it is held or awaited. */
class PerToyLocks implements LockPolicy {
  readonly kind = "per-toy";
  readonly keyed = true;
  readonly #locks = new Map<string, RwLock>();

  /** Locks held or awaited now (one per toy in use). */
  get size(): number {
    return this.#locks.size;
  }

  tryAcquire(key: string, shared: boolean): boolean {
    return this.#lockFor(key).tryAcquire(shared);
  }

  acquire(key: string, shared: boolean): Promise<void> {
    return this.#lockFor(key).acquire(shared);
  }

  release(key: string, shared: boolean): void {
    const lock = this.#locks.get(key);
    if (lock === undefined) throw new Error(`per-toy lock: release of "${key}", which is not held`);
    lock.release(shared);
    if (lock.readers === 0 && !lock.writing && lock.waiting === 0) this.#locks.delete(key);
  }

  /** The key's lock, made on first use; `release` drops it once it is idle. */
  #lockFor(key: string): RwLock {
    let lock = this.#locks.get(key);
    if (lock === undefined) {
      lock = new RwLock();
      this.#locks.set(key, lock);
    }
    return lock;
  }
}

/** No lock: every acquire succeeds at once. */
class NoLock implements LockPolicy {
  readonly kind = "atomic";
  readonly keyed = false;

  tryAcquire(): boolean {
    return true;
  }

  acquire(): Promise<void> {
    return Promise.resolve();
  }

  release(): void {}
}

export function createLockPolicy(kind: LockKind): LockPolicy {
  switch (kind) {
    case "mutex":
    case "rwlock":
      return new GlobalLock(kind);
    case "per-toy":
      return new PerToyLocks();
    case "atomic":
      return new NoLock();
  }
}
