// RateWindow, on times given to it: what it counts, over which window.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateWindow } from "./rate-window.js";

describe("RateWindow", () => {
  it("divides by the time since counting began while that is shorter than the window", () => {
    const rate = new RateWindow(10_000);
    for (let i = 0; i < 100; i++) rate.count(10_100);
    assert.equal(rate.perSecond(10_500), 100 / 0.5);
    assert.equal(new RateWindow(10_000).perSecond(10_000), 0);
  });

  it("counts the current second and the 5 before it, over that time", () => {
    const rate = new RateWindow(0);
    for (let second = 0; second < 20; second++) {
      for (let i = 0; i < 10; i++) rate.count(second * 1000 + 100);
    }
    // At 19.5 s: seconds 14 to 19, 60 events, over 5.5 s.
    assert.equal(rate.perSecond(19_500), 60 / 5.5);
  });

  it("forgets the seconds that left the window, and slots reused for later seconds", () => {
    const rate = new RateWindow(0);
    for (let i = 0; i < 30; i++) rate.count(1_000);
    assert.equal(rate.perSecond(6_000), 30 / 5);
    assert.equal(rate.perSecond(7_000), 0);
    // Second 9 reuses second 1's slot: its old count is gone.
    rate.count(9_000);
    assert.equal(rate.perSecond(9_000), 1 / 5);
  });
});
