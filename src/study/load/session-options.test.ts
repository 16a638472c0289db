// The session's options, for `load` and `experiment`: what --session
// conflicts with, --buy-probability without it, transports that cannot read
// an order back, the defaults it brings; and the session experiment's cells.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planCells, planSessionCells } from "./cell-plan.js";
import { resolveExperimentOptions } from "./experiment-options.js";
import { type LoadOptionsInput, resolveLoadOptions } from "./load-options.js";

const target = { transport: "socket", port: 7070 } as const;
const load = (input: Partial<LoadOptionsInput>) => resolveLoadOptions({ ...target, ...input });

describe("load --session options", () => {
  it("take P from --buy-probability, 0.5 when it is left out", () => {
    assert.equal(load({ session: true, buyProbability: 0.2 }).buyProbability, 0.2);
    assert.equal(load({ session: true }).buyProbability, 0.5);
    assert.equal(load({ session: true, buyProbability: 0 }).buyProbability, 0);
    assert.equal(load({}).buyProbability, null);
  });

  it("refuse --buy-probability without --session", () => {
    assert.throws(() => load({ buyProbability: 0.5 }), {
      name: "OptionError",
      message: /^--buy-probability needs --session/,
    });
  });

  it("refuse a probability outside 0 to 1", () => {
    assert.throws(() => load({ session: true, buyProbability: 1.5 }), {
      message: "--buy-probability must be a number from 0 to 1, got 1.5",
    });
  });

  it("name every option a session makes meaningless", () => {
    assert.throws(() => load({ session: true, op: "buy" }), {
      name: "OptionError",
      message: /^--session cannot be used with --op: /,
    });
    assert.throws(() => load({ session: true, quantity: 3, ratePerSecond: 10, buyRatio: 0.3 }), {
      message: /^--session cannot be used with --buy-ratio, --quantity, --rate: /,
    });
  });

  it("refuse a transport that has no order lookup", () => {
    for (const transport of ["socket", "grpc", "http"] as const)
      assert.equal(resolveLoadOptions({ transport, port: 1, session: true }).session, true);
    assert.throws(() => resolveLoadOptions({ transport: "original-socket", port: 1, session: true }), {
      name: "OptionError",
      message: /^--session reads every order back, and --transport original-socket has no order lookup/,
    });
  });

  it("leave every other load as it was", () => {
    const plain = load({ op: "mix", buyRatio: 0.3, quantity: 2, ratePerSecond: 50 });
    assert.deepEqual([plain.session, plain.buyProbability, plain.op], [false, null, "mix"]);
  });
});

describe("experiment --session options and cells", () => {
  it("default to the labs' experiment: 5 clients, P = 0, 0.2, 0.4, 0.6, 0.8", () => {
    const options = resolveExperimentOptions({ session: true });
    assert.deepEqual(options.clients, [5]);
    assert.deepEqual(options.buyProbabilities, [0, 0.2, 0.4, 0.6, 0.8]);
    assert.deepEqual(resolveExperimentOptions({ session: true, clients: [2, 3] }).clients, [2, 3]);
    assert.deepEqual(resolveExperimentOptions({ session: true, quick: true }).workMs, 50);
  });

  it("plan one cell per transport, store, lock, client count and probability, in that order", () => {
    const cells = planSessionCells(
      resolveExperimentOptions({
        session: true,
        transports: ["socket", "http"],
        locks: ["mutex", "rwlock"],
        buyProbabilities: [0, 0.5],
      }),
    );
    assert.equal(cells.length, 8);
    assert.deepEqual(cells.slice(0, 3), [
      { transport: "socket", store: "memory", lock: "mutex", clients: 5, buyProbability: 0 },
      { transport: "socket", store: "memory", lock: "mutex", clients: 5, buyProbability: 0.5 },
      { transport: "socket", store: "memory", lock: "rwlock", clients: 5, buyProbability: 0 },
    ]);
    assert.equal(cells[7]?.transport, "http");
  });

  it("allow per-toy locks, which need no prediction in a session", () => {
    assert.deepEqual(resolveExperimentOptions({ session: true, locks: ["per-toy"] }).locks, ["per-toy"]);
  });

  it("refuse what does not apply to sessions, and --buy-probability without --session", () => {
    assert.throws(() => resolveExperimentOptions({ session: true, ops: ["buy"], toyChoices: ["same"] }), {
      message: /^--session cannot be used with --ops, --toy-choices: /,
    });
    assert.throws(() => resolveExperimentOptions({ buyProbabilities: [0.5] }), {
      message: /^--buy-probability needs --session/,
    });
    assert.throws(() => resolveExperimentOptions({ session: true, transports: ["original-socket"] }), {
      message: /original-socket has no order lookup/,
    });
    assert.throws(() => resolveExperimentOptions({ session: true, buyProbabilities: [0.5, 2] }), {
      message:
        /--buy-probability must be a comma-separated list of distinct items, each a number from 0 to 1/,
    });
  });

  it("leave the Toy Store study's matrix as it was without --session", () => {
    const options = resolveExperimentOptions();
    assert.deepEqual(options.clients, [1, 5, 10]);
    assert.equal(options.session, false);
    assert.equal(planCells(options).length, 24);
  });
});
