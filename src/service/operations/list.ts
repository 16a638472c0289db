// List: the whole catalog, one consistent snapshot. It shares the catalog's
// lock (never a toy's) and spends no simulated work.

import type { Toy } from "../../catalog/toy.js";
import { mapAnswer } from "./map-answer.js";
import type { Operation } from "./operation.js";

export interface ListRequest {
  readonly op: "list";
}

export interface ListOutcome {
  readonly kind: "list";
  readonly toys: readonly Toy[];
}

const outcomeOf = (toys: readonly Toy[]): ListOutcome => ({ kind: "list", toys });

export const list: Operation<ListRequest, ListOutcome> = {
  op: "list",
  lock: "shared",
  work: false,
  writes: false,
  validate: () => undefined,
  owned: (store) => mapAnswer(store.list(), outcomeOf),
  shared: async (store) => outcomeOf(await store.list()),
};
