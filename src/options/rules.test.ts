// Unit tests of the duration rule: durations written with their unit
// ("500ms", "10s", "2m", "1h"), kept in whole milliseconds, written back
// the shortest way, and the duration field a schema declares with it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { duration, formatDurationMs, parseDurationMs } from "./rules.js";
import { duration as durationField, resolveOptions } from "./schema.js";

describe("durations", () => {
  it("reads a number with its unit as whole milliseconds", () => {
    const cases: [string, number][] = [
      ["500ms", 500],
      ["10s", 10_000],
      ["2m", 120_000],
      ["1h", 3_600_000],
      ["1.5s", 1500],
      ["0.1s", 100],
      ["0.25m", 15_000],
      [" 3s ", 3000],
      ["0s", 0],
    ];
    for (const [text, ms] of cases) assert.equal(parseDurationMs(text), ms, text);
  });

  it("refuses a bare number, an unknown or upper-case unit, a space inside, a sign, a fraction of a ms", () => {
    for (const text of [
      "10",
      "",
      "s",
      "10sec",
      "10S",
      "1 s",
      "-1s",
      "+1s",
      "1e3ms",
      "1.5ms",
      "0.0001s",
      "1,5s",
    ])
      assert.equal(parseDurationMs(text), undefined, JSON.stringify(text));
  });

  it("writes a duration with the longest unit that divides it, and reads it back the same", () => {
    assert.deepEqual([86_400_000, 120_000, 90_000, 10_000, 1500, 10].map(formatDurationMs), [
      "24h",
      "2m",
      "90s",
      "10s",
      "1500ms",
      "10ms",
    ]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 12 }),
        (ms) => parseDurationMs(formatDurationMs(ms)) === ms,
      ),
    );
  });

  it("parses what it accepts within its range, and says what that is", () => {
    const rule = duration(10, 60_000);
    assert.equal(rule.expected, "a duration such as 500ms, 10s or 2m, from 10ms to 1m");
    assert.equal(rule.parse("10ms"), 10);
    assert.equal(rule.parse("1m"), 60_000);
    assert.equal(rule.parse("9ms"), undefined);
    assert.equal(rule.parse("61s"), undefined);
    fc.assert(
      fc.property(fc.string(), (text) => {
        const ms = rule.parse(text);
        return ms === undefined || (rule.valid(ms) && Number.isSafeInteger(ms));
      }),
    );
  });

  it("makes a schema field: null when off by default, a value in ms shown with its unit", () => {
    const off = durationField("--every", "how often", null, { minMs: 10, maxMs: 60_000 });
    assert.equal(off.shown, undefined);
    assert.equal(off.arg, "<duration>");
    assert.equal(off.parse("2s"), 2000);
    assert.equal(off.valid(null), true);
    const on = durationField<number>("--every", "how often", 30_000, { minMs: 10, maxMs: 60_000 });
    assert.equal(on.shown, "30s");
    assert.equal(on.valid(null as unknown as number), false);
    assert.deepEqual(resolveOptions({ every: off }, {}), { every: null });
    assert.throws(() => resolveOptions({ every: on }, { every: 5 }), {
      name: "OptionError",
      message: "--every must be a duration such as 500ms, 10s or 2m, from 10ms to 1m, got 5",
    });
  });
});
