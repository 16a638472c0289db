// Checks shared by the tests of the operations: what an operation declares of
// itself (its name, its lock, whether it spends the simulated work, whether it
// writes), asserted the same way for each.

import assert from "node:assert/strict";
import type { Operation } from "./operation.js";
import type { Declared } from "./toy-operation.js";

/** Asserts that `operation` declares what `expected` says, one field at a time. */
export function assertDeclares<Req extends { readonly op: string }, Res extends { readonly kind: string }>(
  operation: Operation<Req, Res>,
  expected: Declared<Req, Res>,
): void {
  assert.equal(operation.op, expected.op);
  assert.equal(operation.lock, expected.lock);
  assert.equal(operation.work, expected.work);
  assert.equal(operation.writes, expected.writes);
}
