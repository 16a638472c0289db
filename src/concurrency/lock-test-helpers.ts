// Checks shared by the tests of the locks (Mutex, RwLock): what a lock's
// "run a section under me" helpers must do when the section fails.

import assert from "node:assert/strict";

/** A lock's way of running a section under it: runExclusive, withRead or withWrite. */
export type RunUnderLock = (section: () => unknown) => Promise<unknown>;

/**
 * Runs a section that throws through `throwing`, then one whose promise
 * rejects through `rejecting`: each call must reject with its section's own
 * error, and `assertFree` (the lock is not held) must pass after each.
 */
export async function assertFailedSectionsRelease(
  throwing: RunUnderLock,
  rejecting: RunUnderLock,
  assertFree: () => void,
): Promise<void> {
  await assert.rejects(
    throwing(() => {
      throw new Error("sync failure");
    }),
    /sync failure/,
  );
  assertFree();
  await assert.rejects(
    rejecting(() => Promise.reject(new Error("async failure"))),
    /async failure/,
  );
  assertFree();
}
