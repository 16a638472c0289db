// The suites are data: every reference in them resolves, and cutting a suite
// down to some shapes keeps only what those shapes use.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSuite, type Suite, selectShapes } from "./suite.js";
import { DEFAULT_SUITES, findSuites, SUITES } from "./suites.js";

describe("the suites", () => {
  it("name their servers, rows and ratios consistently", () => {
    for (const suite of SUITES) assert.doesNotThrow(() => checkSuite(suite), suite.name);
  });

  it("cover what the old harness measured, each ratio with a goal where it had one", () => {
    const names = SUITES.map((suite) => suite.name);
    for (const name of ["socket", "http", "grpc", "metrics", "stores", ...DEFAULT_SUITES])
      assert.ok(names.includes(name), name);
    const socket = findSuites(["socket"])[0]!;
    const goal = (name: string) =>
      socket.ratios.find((ratio) => `${ratio.shape}: ${ratio.of} / ${ratio.over}` === name)?.goal;
    assert.equal(goal("c50-p1: ours query / line-baseline query"), 1.0);
    assert.equal(goal("c10-p16: ours query / line-baseline query"), 0.9);
    assert.equal(goal("c10-p16: ours buy / ours query"), 0.9);
  });

  it("refuse a ratio that names a row its shape does not have", () => {
    const suite: Suite = {
      name: "broken",
      description: "",
      transport: "socket",
      servers: { ours: { kind: "toystore", transport: "socket", flags: {} } },
      shapes: [
        {
          id: "c1",
          connections: 1,
          rows: [{ id: "ours query", server: "ours", op: "query", generator: "engine" }],
        },
      ],
      ratios: [{ shape: "c1", of: "ours query", over: "ours buy", goal: 1 }],
    };
    assert.throws(
      () => checkSuite(suite),
      /suite broken: ratio c1: ours query \/ ours buy names an unknown row ours buy/,
    );
  });

  it("refuse an unknown suite, naming the known ones", () => {
    assert.throws(() => findSuites(["nope"]), /unknown suite nope: the suites are socket, /);
  });

  it("cut down to some shapes keep those shapes' servers and ratios only", () => {
    const stores = findSuites(["stores"])[0]!;
    const lines = selectShapes(stores, ["c50-p1"])!;
    assert.deepEqual(
      lines.shapes.map((shape) => shape.id),
      ["c50-p1"],
    );
    assert.deepEqual(Object.keys(lines.servers).sort(), ["memory", "redis-aof", "sqlite"]);
    assert.ok(lines.ratios.every((ratio) => ratio.shape === "c50-p1"));
    assert.equal(selectShapes(stores, ["nope"]), undefined);
    assert.equal(selectShapes(stores, undefined), stores);
  });
});
