// What an operation is: the one place that says, for one kind of request,
// what it carries, how it is checked, which lock it takes, whether it spends
// the simulated work, and how a store runs it. The service runs every
// operation the same way (store-service.ts); each transport maps operations
// through one table of its own.

import type {
  Awaitable,
  CatalogStore,
  Committing,
  Section,
  SharedStore,
} from "../../catalog/catalog-store.js";
import type { StoreError } from "../../errors.js";

/** What validation may depend on: the service's limits. */
export interface RequestLimits {
  /** Longest accepted toy name, in UTF-16 code units. */
  readonly maxNameLength: number;
}

/** What an owned store answers: now, later, or decided now and stored later (see Committing). */
export type OwnedAnswer<R> = Awaitable<R> | Committing<R>;

/** A stock level to tell the service's watchers after a result (a sale, a restock). */
export interface StockChange {
  readonly name: string;
  readonly stock: number;
}

/**
 * One operation. `Req` is its request (with `op` naming it), `Res` the result
 * the store decided (business outcomes are values; failures are StoreErrors).
 */
export interface Operation<Req extends { readonly op: string }, Res extends { readonly kind: string }> {
  readonly op: Req["op"];
  /**
   * The lock it runs under on a store this process owns: "shared" or
   * "exclusive" on its toy (per-toy locking) or on the catalog; "none" runs
   * unlocked. Under the "mutex" policy every lock is exclusive.
   */
  readonly lock: "shared" | "exclusive" | "none";
  /** The toy whose lock it takes under per-toy locking; absent: the catalog's. */
  readonly toyOf?: (request: Req) => string;
  /** Whether the simulated work (--work-ms) is spent inside its lock: the study's requests do. */
  readonly work: boolean;
  /** Whether it changes the store (a failed write answers "unavailable": nothing unstored is acknowledged). */
  readonly writes: boolean;
  /** A bad_request error for a malformed request, else undefined. Cheap on valid requests. */
  validate(request: Req, limits: RequestLimits): StoreError | undefined;
  /** Runs it on a store this process owns, inside the lock the service holds. */
  owned(store: CatalogStore, request: Req): OwnedAnswer<Res>;
  /**
   * Runs it on a shared store, which takes the locks and does the work in its
   * own transaction; a value rather than a promise when the store answered at
   * once (a query cache's hit).
   */
  shared(store: SharedStore, request: Req, section: Section): Res | Promise<Res>;
  /** The stock level a result leaves, for the watchers (a refill: one per toy); absent: it changes none. */
  readonly stockChange?: (result: Res) => StockChange | readonly StockChange[] | undefined;
}
