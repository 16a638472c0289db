// HealthProbe: healthy until a check fails, told each change once, a check
// past its timeout fails (and resets), checkNow runs one check at a time, and
// close stops it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { HealthProbe, type HealthProbeOptions } from "./health-probe.js";

function probe(check: () => Promise<void>, extra: Partial<HealthProbeOptions> = {}) {
  const changes: [boolean, string | undefined][] = [];
  const health = new HealthProbe({
    check,
    describe: (error) => (error as Error).message,
    onChange: (healthy, reason) => changes.push([healthy, reason]),
    intervalMs: 20,
    timeoutMs: 100,
    ...extra,
  });
  return { health, changes };
}

describe("HealthProbe", () => {
  it("is healthy until a check fails, and tells each change once, with the reason", async () => {
    let down: Error | undefined;
    const { health, changes } = probe(async () => {
      if (down) throw down;
    });
    assert.equal(health.healthy, true);
    await health.checkNow();
    assert.deepEqual(changes, [], "no change, nothing told");
    down = new Error("connection refused");
    await health.checkNow();
    await health.checkNow();
    assert.equal(health.healthy, false);
    assert.equal(health.reason, "connection refused");
    down = undefined;
    await health.checkNow();
    assert.equal(health.healthy, true);
    assert.equal(health.reason, undefined);
    assert.deepEqual(changes, [
      [false, "connection refused"],
      [true, undefined],
    ]);
    health.close();
  });

  it("fails a check that takes longer than timeoutMs, and calls onTimeout", async () => {
    let timeouts = 0;
    const { health, changes } = probe(() => new Promise(() => {}), {
      timeoutMs: 30,
      onTimeout: () => timeouts++,
    });
    const asked = performance.now();
    await health.checkNow();
    assert.ok(performance.now() - asked < 1000);
    assert.deepEqual(changes, [[false, "no answer within 30 ms"]]);
    assert.equal(timeouts, 1);
    health.close();
  });

  it("runs one check at a time: checkNow during a check waits for it", async () => {
    let running = 0;
    let most = 0;
    let checks = 0;
    const { health } = probe(async () => {
      checks++;
      running++;
      most = Math.max(most, running);
      await sleep(20);
      running--;
    });
    await Promise.all([health.checkNow(), health.checkNow(), health.checkNow()]);
    assert.equal(checks, 1);
    assert.equal(most, 1);
    health.close();
  });

  it("checks every intervalMs once started, and stops on close", async () => {
    let checks = 0;
    const { health } = probe(async () => {
      checks++;
    });
    health.start();
    await sleep(200);
    health.close();
    const seen = checks;
    assert.ok(seen >= 3, `only ${seen} checks in 200 ms at 20 ms`);
    await sleep(100);
    assert.equal(checks, seen, "no check after close");
  });
});
