import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Batcher } from "./batcher.js";

/** A batch runner that records each batch and answers when told. */
function recorder() {
  const batches: string[][] = [];
  const pending: { resolve: (v: string[]) => void; reject: (e: unknown) => void }[] = [];
  const run = (items: readonly string[]) => {
    batches.push([...items]);
    return new Promise<string[]>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { batches, pending, run };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("Batcher", () => {
  it("sends the requests of one turn as one batch and answers each with its own result", async () => {
    const r = recorder();
    const batcher = new Batcher(r.run, 1);
    const answers = ["a", "b", "c"].map((x) => batcher.add(x));
    assert.deepEqual(r.batches, [], "nothing is sent inside the turn");
    await turn();
    assert.deepEqual(r.batches, [["a", "b", "c"]]);
    r.pending[0]!.resolve(["A", "B", "C"]);
    assert.deepEqual(await Promise.all(answers), ["A", "B", "C"]);
  });

  it("gathers what arrives while the batches in flight run, and sends it when one finishes", async () => {
    const r = recorder();
    const batcher = new Batcher(r.run, 1);
    const first = batcher.add("a");
    await turn();
    const later = [batcher.add("b"), batcher.add("c")];
    await turn();
    await turn();
    assert.deepEqual(r.batches, [["a"]], "at most one batch in flight");
    assert.deepEqual(batcher.pending, { waiting: 2, inFlight: 1 });
    r.pending[0]!.resolve(["A"]);
    assert.equal(await first, "A");
    await turn();
    await turn();
    assert.deepEqual(r.batches, [["a"], ["b", "c"]]);
    r.pending[1]!.resolve(["B", "C"]);
    assert.deepEqual(await Promise.all(later), ["B", "C"]);
  });

  it("fails every request of a batch that fails, and goes on with the next", async () => {
    const r = recorder();
    const batcher = new Batcher(r.run, 2, 2);
    const answers = ["a", "b", "c"].map((x) => batcher.add(x));
    await turn();
    assert.deepEqual(r.batches, [["a", "b"]], "at most maxBatch items in one batch");
    await turn();
    assert.deepEqual(r.batches, [["a", "b"], ["c"]], "a second batch in flight");
    r.pending[0]!.reject(new Error("database down"));
    r.pending[1]!.resolve(["C"]);
    const settled = await Promise.allSettled(answers);
    assert.deepEqual(
      settled.map((s) => s.status),
      ["rejected", "rejected", "fulfilled"],
    );
    assert.equal((settled[0] as PromiseRejectedResult).reason.message, "database down");
  });

  it("fails a batch whose runner answers with the wrong number of results, or throws", async () => {
    const batcher = new Batcher(async (items: readonly string[]) => items.slice(1), 1);
    await assert.rejects(
      Promise.all([batcher.add("a"), batcher.add("b")]),
      /batch of 2 answered with 1 results/,
    );
    const throwing = new Batcher((): Promise<string[]> => {
      throw new Error("bad statement");
    }, 1);
    await assert.rejects(throwing.add("a"), /bad statement/);
  });
});
