// Gate: permits, first come first served, the bounded wait and the bounded
// queue, refusals that never start the task, and permits that always come back.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Gate, GateRefusal } from "./gate.js";

/** A task that runs until `finish` is called. */
function held<T = string>(): { task: () => Promise<T>; started: () => boolean; finish: (value: T) => void } {
  let started = false;
  let finish: (value: T) => void = () => {};
  const done = new Promise<T>((resolve) => {
    finish = resolve;
  });
  return {
    task: () => {
      started = true;
      return done;
    },
    started: () => started,
    finish: (value) => finish(value),
  };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function refusal(promise: Promise<unknown>): Promise<GateRefusal> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GateRefusal, `not a GateRefusal: ${String(error)}`);
    return error;
  }
  assert.fail("expected a refusal");
}

describe("Gate", () => {
  it("lets `permits` tasks in at once and the next ones in arrival order as permits come back", async () => {
    const gate = new Gate({ permits: 2, maxWaiting: 10, waitMs: 10_000 });
    const tasks = Array.from({ length: 5 }, () => held<number>());
    const order: number[] = [];
    const runs = tasks.map((t, i) =>
      gate.run(async () => {
        order.push(i);
        return await t.task();
      }),
    );
    await flush();
    assert.deepEqual(order, [0, 1]);
    assert.deepEqual([gate.busy, gate.waiting], [2, 3]);
    tasks[1]!.finish(1);
    await flush();
    assert.deepEqual(order, [0, 1, 2], "the first waiter took the permit");
    tasks[0]!.finish(0);
    tasks[2]!.finish(2);
    await flush();
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    tasks[3]!.finish(3);
    tasks[4]!.finish(4);
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4]);
    assert.deepEqual([gate.busy, gate.waiting], [0, 0]);
  });

  it("refuses a waiter after waitMs, without starting its task, and keeps the others' order", async () => {
    const gate = new Gate({ permits: 1, maxWaiting: 10, waitMs: 50 });
    const first = held();
    const running = gate.run(first.task);
    const late = held();
    const asked = performance.now();
    const error = await refusal(gate.run(late.task));
    const waited = performance.now() - asked;
    assert.equal(error.kind, "timeout");
    assert.equal(error.message, "all 1 busy for 50 ms");
    assert.ok(waited >= 45 && waited < 1000, `waited ${waited} ms`);
    assert.equal(late.started(), false);
    assert.equal(gate.waiting, 0, "the refused waiter left the queue");
    const next = held();
    const queued = gate.run(next.task);
    first.finish("a");
    assert.equal(await running, "a");
    await flush();
    assert.equal(next.started(), true, "the permit went to the waiter still there");
    next.finish("b");
    assert.equal(await queued, "b");
    assert.equal(gate.busy, 0);
  });

  it("refuses at once when maxWaiting callers already wait", async () => {
    const gate = new Gate({ permits: 1, maxWaiting: 2, waitMs: 10_000 });
    const first = held();
    const running = gate.run(first.task);
    const waiters = [held(), held()];
    const queued = waiters.map((w) => gate.run(w.task));
    const extra = held();
    const error = await refusal(gate.run(extra.task));
    assert.equal(error.kind, "full");
    assert.equal(error.message, "all 1 busy and 2 waiting");
    assert.equal(extra.started(), false);
    first.finish("");
    await running;
    await flush();
    waiters[0]!.finish("");
    await flush();
    waiters[1]!.finish("");
    await Promise.all(queued);
    assert.deepEqual([gate.busy, gate.waiting], [0, 0]);
  });

  it("with waitMs 0 never waits: in at once or refused at once", async () => {
    const gate = new Gate({ permits: 1, maxWaiting: 10, waitMs: 0 });
    const first = held();
    const running = gate.run(first.task);
    assert.equal((await refusal(gate.run(held().task))).kind, "timeout");
    first.finish("done");
    assert.equal(await running, "done");
    assert.equal(await gate.run(async () => "again"), "again");
  });

  it("gives the permit back when a task rejects or throws", async () => {
    const gate = new Gate({ permits: 1, maxWaiting: 10, waitMs: 1000 });
    await assert.rejects(
      gate.run(() => Promise.reject(new Error("boom"))),
      /boom/,
    );
    await assert.rejects(
      gate.run(() => {
        throw new Error("sync");
      }),
      /sync/,
    );
    assert.equal(gate.busy, 0);
    assert.equal(await gate.run(async () => 7), 7);
  });

  it("refuseWaiting fails every waiter now, leaving the running tasks alone; close refuses everyone after", async () => {
    const gate = new Gate({ permits: 1, maxWaiting: 10, waitMs: 10_000 });
    const first = held();
    const running = gate.run(first.task);
    const waiters = [held(), held()];
    const queued = waiters.map((w) => refusal(gate.run(w.task)));
    gate.refuseWaiting(new GateRefusal("closed", "away"));
    for (const error of await Promise.all(queued)) assert.equal(error.message, "away");
    assert.equal(gate.waiting, 0);
    assert.equal(gate.busy, 1);
    gate.close();
    assert.equal((await refusal(gate.run(held().task))).kind, "closed");
    first.finish("still answered");
    assert.equal(await running, "still answered");
    assert.equal(
      waiters.some((w) => w.started()),
      false,
    );
  });

  it("rejects bad options", () => {
    assert.throws(() => new Gate({ permits: 0, maxWaiting: 1, waitMs: 1 }), RangeError);
    assert.throws(() => new Gate({ permits: 1, maxWaiting: -1, waitMs: 1 }), RangeError);
    assert.throws(() => new Gate({ permits: 1, maxWaiting: 1, waitMs: Number.NaN }), RangeError);
  });
});
