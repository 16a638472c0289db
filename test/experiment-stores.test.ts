// The experiment on the durable stores: each cell runs a real server on a new
// sqlite file or a new database of a throwaway PostgreSQL cluster, and the
// lock-granularity cells get their predictions. No timing asserted.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runExperiment } from "../src/study/load/experiment.js";
import { postgresOrSkip } from "./helpers/postgres.js";

for (const store of ["sqlite", "postgres"] as const) {
  const skip = store === "postgres" ? postgresOrSkip().skip : false;
  describe(`experiment on ${store}`, { skip }, () => {
    it("runs the lock-granularity cells on a new store each, next to their prediction", async () => {
      const results = await runExperiment({
        transports: ["socket"],
        stores: [store],
        locks: ["per-toy", "atomic"],
        toyChoices: ["same", "distinct"],
        ops: ["buy"],
        clients: [3],
        requests: 2,
        workMs: 20,
      });
      assert.deepEqual(
        results.cells.map((c) => [c.store, c.lock, c.toyChoice, c.predicted.parallelism]),
        [
          [store, "per-toy", "same", 1],
          // The socket pool's 5 workers cap the rest; 3 clients never reach it.
          [store, "per-toy", "distinct", 5],
          [store, "atomic", "same", 5],
          [store, "atomic", "distinct", 5],
        ],
      );
      for (const cell of results.cells) {
        assert.equal(cell.stopReason, "completed");
        assert.equal(cell.measured.count, 6);
        assert.deepEqual(cell.errors, {});
        assert.equal(cell.outcomes.bought, 6, "every buy sold: each cell's store started full");
      }
    });
  });
}
