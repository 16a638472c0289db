// Reading CPU time from /proc: the stat line's fields, and a process tree's sum.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseProcStat, processTreeCpuMs, treeTicks } from "./process-cpu.js";

describe("process CPU from /proc", () => {
  it("reads the fields after the command name, even one holding spaces and parentheses", () => {
    const line = "4242 (node (a) b) S 17 4242 4242 0 -1 4194304 100 0 0 0 250 50 7 3 20 0 11 0 1000 0 0";
    assert.deepEqual(parseProcStat(line), { pid: 4242, ppid: 17, ownTicks: 300, childTicks: 10 });
    assert.equal(parseProcStat("garbage"), undefined);
  });

  it("adds up a process tree: each process's own ticks and its exited children's", () => {
    const stats = [
      { pid: 10, ppid: 1, ownTicks: 100, childTicks: 5 },
      { pid: 11, ppid: 10, ownTicks: 40, childTicks: 0 },
      { pid: 12, ppid: 11, ownTicks: 2, childTicks: 0 },
      { pid: 20, ppid: 1, ownTicks: 1000, childTicks: 0 },
    ];
    assert.equal(treeTicks(10, stats), 147);
    assert.equal(treeTicks(11, stats), 42);
    assert.equal(treeTicks(99, stats), 0);
  });

  it("reads this process's CPU, which grows as it works", {
    skip: process.platform !== "linux",
  }, async () => {
    const before = (await processTreeCpuMs(process.pid))!;
    const end = Date.now() + 50;
    while (Date.now() < end) {
      // Spin: CPU time must show.
    }
    const after = (await processTreeCpuMs(process.pid))!;
    assert.ok(after > before, `${after} > ${before}`);
    assert.equal(await processTreeCpuMs(2 ** 22 + 1), undefined);
  });
});
