// Unit tests for the queueing prediction: the study's numbers, the closed form
// against the exact replay, the parallelism of each kind of cell, and cells
// spread over several servers.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  closedFormMeanMs,
  forecastCell,
  parallelismFor,
  predictMeanLatencyMs,
  simulateMeanLatencyMs,
  steadyStateMeanMs,
} from "../src/study/load/prediction.js";

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} vs ${expected}`);

describe("predictMeanLatencyMs", () => {
  const table = [
    { parallelism: 5, expected: [200, 200, 390] },
    { parallelism: 1, expected: [200, 960, 1910] },
    { parallelism: 10, expected: [200, 200, 200] },
  ];
  for (const { parallelism, expected } of table) {
    it(`gives the study's means for c = ${parallelism}, S = 200 ms, R = 10`, () => {
      [1, 5, 10].forEach((clients, k) => {
        close(predictMeanLatencyMs({ clients, requests: 10, parallelism, serviceMs: 200 }), expected[k]!);
        close(simulateMeanLatencyMs({ clients, requests: 10, parallelism, serviceMs: 200 }), expected[k]!);
      });
    });
  }

  it("equals the closed form wherever the closed form applies", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 500 }),
        (parallelism, multiple, requests, serviceMs) => {
          for (const clients of [multiple * parallelism, Math.min(multiple, parallelism)]) {
            const p = { clients, requests, parallelism, serviceMs };
            close(simulateMeanLatencyMs(p), closedFormMeanMs(p)!);
          }
        },
      ),
    );
  });

  it("replays the schedule when N is not a multiple of c", () => {
    const p = { clients: 7, requests: 10, parallelism: 5, serviceMs: 200 };
    assert.equal(closedFormMeanMs(p), undefined);
    // Between S (nobody waits) and the steady state 7/5 S: the first round is
    // cheaper (five of seven requests wait nothing).
    const predicted = predictMeanLatencyMs(p);
    assert.ok(predicted > 200 && predicted < steadyStateMeanMs(p), `${predicted}`);
    close(predicted, simulateMeanLatencyMs(p));
  });

  it("tends to the steady state S * N / c as R grows", () => {
    for (const clients of [9, 10]) {
      const p = { clients, requests: 2_000, parallelism: 3, serviceMs: 100 };
      assert.ok(Math.abs(predictMeanLatencyMs(p) - steadyStateMeanMs(p)) < 0.5, `N = ${clients}`);
    }
  });

  it("never predicts less than S nor less than the steady state minus the transient", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        (clients, requests, parallelism) => {
          const predicted = predictMeanLatencyMs({ clients, requests, parallelism, serviceMs: 1 });
          assert.ok(predicted >= 1 - 1e-12);
          assert.ok(predicted <= Math.max(1, clients / parallelism) + 1e-12);
        },
      ),
    );
  });

  it("rejects parameters that are not positive integers", () => {
    assert.throws(
      () => predictMeanLatencyMs({ clients: 0, requests: 1, parallelism: 1, serviceMs: 1 }),
      /clients/,
    );
    assert.throws(
      () => predictMeanLatencyMs({ clients: 1, requests: 1.5, parallelism: 1, serviceMs: 1 }),
      /requests/,
    );
    assert.throws(
      () => predictMeanLatencyMs({ clients: 1, requests: 1, parallelism: 1, serviceMs: -1 }),
      /serviceMs/,
    );
  });
});

describe("parallelismFor", () => {
  const pools = {
    socketPoolSize: 5,
    grpcMaxConcurrency: 10,
    httpMaxConcurrency: 7,
    toyChoice: "uniform" as const,
  };
  it("serializes everything under the mutex", () => {
    for (const transport of ["socket", "grpc", "http"] as const) {
      for (const op of ["query", "buy"] as const) {
        assert.equal(parallelismFor({ transport, lock: "mutex", op, ...pools }), 1);
      }
    }
  });
  it("serializes buys under the read-write lock", () => {
    assert.equal(parallelismFor({ transport: "socket", lock: "rwlock", op: "buy", ...pools }), 1);
    assert.equal(parallelismFor({ transport: "grpc", lock: "rwlock", op: "buy", ...pools }), 1);
    assert.equal(parallelismFor({ transport: "http", lock: "rwlock", op: "buy", ...pools }), 1);
  });
  it("lets queries under the read-write lock run as wide as the transport admits", () => {
    assert.equal(parallelismFor({ transport: "socket", lock: "rwlock", op: "query", ...pools }), 5);
    assert.equal(parallelismFor({ transport: "grpc", lock: "rwlock", op: "query", ...pools }), 10);
    // HTTP is bounded by its own --http-max-concurrency, as gRPC by --grpc-max-concurrency.
    assert.equal(parallelismFor({ transport: "http", lock: "rwlock", op: "query", ...pools }), 7);
  });
  it("serializes per-toy buys of one toy only, and nothing without a lock", () => {
    const same = { ...pools, toyChoice: "same" as const };
    const distinct = { ...pools, toyChoice: "distinct" as const };
    assert.equal(parallelismFor({ transport: "socket", lock: "per-toy", op: "buy", ...same }), 1);
    assert.equal(parallelismFor({ transport: "socket", lock: "per-toy", op: "query", ...same }), 5);
    assert.equal(parallelismFor({ transport: "socket", lock: "per-toy", op: "buy", ...distinct }), 5);
    assert.equal(parallelismFor({ transport: "grpc", lock: "per-toy", op: "buy", ...distinct }), 10);
    for (const toys of [same, distinct]) {
      assert.equal(parallelismFor({ transport: "socket", lock: "atomic", op: "buy", ...toys }), 5);
      assert.equal(parallelismFor({ transport: "grpc", lock: "atomic", op: "buy", ...toys }), 10);
      assert.equal(parallelismFor({ transport: "http", lock: "atomic", op: "buy", ...toys }), 7);
    }
  });
  it("predicts the lock ladder for 5 clients buying: mutex about 1000 ms for the last, per-toy on distinct toys and atomic 200 ms", () => {
    const schedule = (parallelism: number) => ({ clients: 5, requests: 1, parallelism, serviceMs: 200 });
    const c = (lock: "mutex" | "per-toy" | "atomic", toyChoice: "same" | "distinct") =>
      parallelismFor({ transport: "socket", lock, op: "buy", ...pools, toyChoice });
    // One request each: the last of five waits for four others under one lock.
    assert.equal(predictMeanLatencyMs(schedule(c("mutex", "distinct"))), 600);
    assert.equal(predictMeanLatencyMs(schedule(c("per-toy", "distinct"))), 200);
    assert.equal(predictMeanLatencyMs(schedule(c("atomic", "distinct"))), 200);
    assert.equal(predictMeanLatencyMs(schedule(c("per-toy", "same"))), 600);
    assert.equal(predictMeanLatencyMs(schedule(c("atomic", "same"))), 200);
  });
});

describe("forecastCell", () => {
  const cell = {
    socketPoolSize: 5,
    grpcMaxConcurrency: 10,
    httpMaxConcurrency: 10,
    toyChoice: "uniform" as const,
    transport: "socket" as const,
    requests: 10,
    serviceMs: 200,
  };
  it("is the plain schedule for one server", () => {
    for (const clients of [1, 5, 10, 11]) {
      const forecast = forecastCell({ ...cell, lock: "rwlock", op: "query", clients });
      const schedule = { clients, requests: 10, serviceMs: 200, parallelism: 5 };
      assert.deepEqual(forecast, {
        parallelism: 5,
        meanMs: predictMeanLatencyMs(schedule),
        steadyStateMs: steadyStateMeanMs(schedule),
      });
    }
  });
  it("keeps one queue across servers for what the lock serializes: the lock is the shared store's", () => {
    for (const [lock, op] of [
      ["mutex", "query"],
      ["mutex", "buy"],
      ["rwlock", "buy"],
    ] as const) {
      const one = forecastCell({ ...cell, lock, op, clients: 10 });
      assert.deepEqual(forecastCell({ ...cell, lock, op, clients: 10, servers: 2 }), one);
      assert.equal(one.parallelism, 1);
    }
  });
  it("queues the rest per server, client i on server i mod servers, averaged over every client", () => {
    // 10 queries over 2 servers of pool 5: 5 each, nobody waits.
    const even = forecastCell({ ...cell, lock: "rwlock", op: "query", clients: 10, servers: 2 });
    assert.deepEqual(even, { parallelism: 10, meanMs: 200, steadyStateMs: 200 });
    // 13 over 2: 7 on the first (2 wait for a worker), 6 on the second.
    const uneven = forecastCell({ ...cell, lock: "rwlock", op: "query", clients: 13, servers: 2 });
    const at = (clients: number) => ({ clients, requests: 10, serviceMs: 200, parallelism: 5 });
    close(uneven.meanMs, (7 * predictMeanLatencyMs(at(7)) + 6 * predictMeanLatencyMs(at(6))) / 13);
    close(uneven.steadyStateMs, (7 * steadyStateMeanMs(at(7)) + 6 * steadyStateMeanMs(at(6))) / 13);
    assert.ok(uneven.meanMs > 200);
    // Fewer clients than servers: the idle server counts for nothing.
    assert.equal(forecastCell({ ...cell, lock: "atomic", op: "buy", clients: 1, servers: 2 }).meanMs, 200);
  });
  it("refuses a server count that is not a positive integer", () => {
    for (const servers of [0, -1, 1.5])
      assert.throws(
        () => forecastCell({ ...cell, lock: "mutex", op: "query", clients: 1, servers }),
        RangeError,
      );
  });
});
