// The StoreService's options: the lock policy, the simulated work and the
// longest name, declared once with their flags and defaults.

import { LOCK_KINDS, type LockKind } from "../concurrency/section-lock.js";
import { choice, decimal, defaultsOf, integer, type Schema } from "../options/schema.js";
import { DEFAULT_MAX_NAME_LENGTH } from "./validate-name.js";

export interface ResolvedStoreServiceOptions {
  /**
   * "rwlock" (default): one lock, queries share, buys are exclusive. "mutex":
   * one lock, everything exclusive. "per-toy": a read-write lock per toy.
   * "atomic": no lock; the work runs, then the store acts in one atomic step.
   */
  readonly lock: LockKind;
  /** Simulated processing time per request, spent inside the critical section. Default 0. */
  readonly workMs: number;
  /** Longest accepted name, in UTF-16 code units. Default 256. */
  readonly maxNameLength: number;
}

export type StoreServiceOptions = Partial<ResolvedStoreServiceOptions>;

export const STORE_SERVICE_OPTIONS: Schema<ResolvedStoreServiceOptions> = {
  lock: choice<LockKind>(
    "--lock",
    "mutex: one lock, every request exclusive; rwlock: one lock, queries share; per-toy: a read-write lock per toy; atomic: no lock, one atomic step",
    "rwlock",
    LOCK_KINDS,
  ),
  workMs: decimal("--work-ms", "simulated processing time per request, held inside the lock, ms", 0, {
    min: 0,
  }),
  maxNameLength: integer(
    "--max-name-length",
    "longest toy name accepted",
    DEFAULT_MAX_NAME_LENGTH,
    1,
    1_000_000,
    {
      hidden: true,
    },
  ),
};

export const STORE_SERVICE_DEFAULTS: ResolvedStoreServiceOptions = Object.freeze(
  defaultsOf(STORE_SERVICE_OPTIONS),
);
