// What the sqlite store's main thread holds: each toy as decided and as
// stored, and the changes gathered for one commit.

import type { OrderTuple } from "./writer-protocol.js";

/** A toy in the store's mirror. */
export interface Entry {
  readonly key: string;
  readonly name: string;
  /** The price as stored: what queries report. */
  priceCents: number;
  /** A price a restock set that is not yet stored: what sales decided meanwhile are made at. */
  nextPriceCents: number | undefined;
  /** Units left, counting the buys decided but not yet stored. */
  stock: number;
  /** Units left as stored: what queries report. */
  storedStock: number;
  /** The batch holding this toy's latest change, until it is stored. */
  pending: Batch | undefined;
}

/** The buys (and restocks) gathered for one commit; `stored` settles when it is on disk, or failed. */
export class Batch {
  readonly orders: OrderTuple[] = [];
  readonly touched = new Set<Entry>();
  readonly stored: Promise<void>;
  settle!: (error?: unknown) => void;

  constructor() {
    this.stored = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Every buy in the batch handles the outcome; this keeps a failure with no listener left quiet.
    this.stored.catch(() => {});
  }
}
