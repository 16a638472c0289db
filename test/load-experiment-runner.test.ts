// Tests of the experiment runner against the stand-in server (test/helpers):
// the matrix, a fresh server per cell, predictions next to measurements,
// progress reports, and what a failing cell leaves behind. No timing asserted.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { planCells } from "../src/study/load/cell-plan.js";
import { ExperimentError, type ExperimentProgress, runExperiment } from "../src/study/load/experiment.js";
import { resolveExperimentOptions } from "../src/study/load/experiment-options.js";
import { serveArguments, startToystore } from "../src/study/measure/toystore-launch.js";

const helper = (name: string) => fileURLToPath(new URL(`./helpers/${name}`, import.meta.url));
const serverEntry = {
  file: helper("load-test-server-cli.ts"),
  execArgv: ["--import", import.meta.resolve("tsx")],
  runtime: "source" as const,
};
const connectModule = helper("load-test-client.ts");

describe("planCells", () => {
  it("lists the Toy Store study's 24 cells with their predictions", () => {
    const cells = planCells(resolveExperimentOptions());
    assert.equal(cells.length, 24);
    const find = (transport: string, lock: string, op: string, clients: number) =>
      cells.find(
        (c) => c.transport === transport && c.lock === lock && c.op === op && c.clients === clients,
      )!;
    assert.equal(find("socket", "rwlock", "query", 10).predicted.meanMs, 390);
    assert.equal(find("grpc", "rwlock", "query", 10).predicted.meanMs, 200);
    assert.equal(find("grpc", "mutex", "query", 10).predicted.meanMs, 1910);
    assert.equal(find("socket", "rwlock", "buy", 5).predicted.meanMs, 960);
    assert.equal(find("socket", "rwlock", "query", 10).predicted.steadyStateMs, 400);
  });

  it("applies the quick preset unless a value is given", () => {
    const quick = resolveExperimentOptions({ quick: true });
    assert.equal(quick.workMs, 50);
    assert.equal(quick.requests, 3);
    assert.equal(resolveExperimentOptions({ quick: true, workMs: 20 }).workMs, 20);
  });

  it("rejects an invalid matrix with a message naming the option", () => {
    assert.throws(
      () => resolveExperimentOptions({ clients: [0] }),
      /^OptionError: --clients must be .*, got \[0\]$/,
    );
    assert.throws(() => resolveExperimentOptions({ transports: [] }), /--transports must be .*, got \[\]/);
    assert.throws(
      () => resolveExperimentOptions({ locks: ["mutex", "mutex"] }),
      /--locks must be a comma-separated list of distinct items/,
    );
  });
});

describe("serveArguments", () => {
  it("asks for free ports and passes every server setting", () => {
    assert.deepEqual(
      serveArguments({
        transports: ["grpc"],
        flags: { lock: "mutex", workMs: 50, poolSize: 5, grpcMaxConcurrency: 10 },
      }),
      [
        "serve",
        "--transport",
        "grpc",
        "--socket-port",
        "0",
        "--grpc-port",
        "0",
        "--lock",
        "mutex",
        "--work-ms",
        "50",
        "--pool-size",
        "5",
        "--grpc-max-concurrency",
        "10",
      ],
    );
  });
});

describe("runExperiment", () => {
  it("runs every cell on a fresh server and sets the prediction next to each", async () => {
    const progress: ExperimentProgress[] = [];
    const results = await runExperiment(
      {
        transports: ["socket", "grpc"],
        locks: ["mutex", "rwlock"],
        ops: ["query", "buy"],
        clients: [1, 2],
        workMs: 5,
        requests: 2,
        socketPoolSize: 2,
        grpcMaxConcurrency: 3,
        clientsPerProcess: 2,
      },
      { serverEntry, connectModule, onProgress: (p) => progress.push(p) },
    );
    assert.equal(results.kind, "toystore-experiment");
    assert.equal(results.cells.length, 16);
    for (const cell of results.cells) {
      assert.equal(cell.measured.count, cell.clients * 2, `${cell.transport} ${cell.lock} ${cell.op}`);
      assert.equal(cell.perClientMeansMs.length, cell.clients);
      assert.equal(cell.stopReason, "completed");
      assert.deepEqual(cell.errors, {});
      assert.equal(cell.differenceMs, cell.measured.mean - cell.predicted.meanMs);
    }
    const parallelism = (transport: string, lock: string, op: string) =>
      results.cells.find((c) => c.transport === transport && c.lock === lock && c.op === op)?.predicted
        .parallelism;
    assert.equal(parallelism("socket", "rwlock", "query"), 2);
    assert.equal(parallelism("grpc", "rwlock", "query"), 3);
    assert.equal(parallelism("grpc", "rwlock", "buy"), 1);
    assert.equal(parallelism("socket", "mutex", "query"), 1);

    assert.equal(progress.length, 32);
    assert.deepEqual(
      progress.slice(0, 2).map((p) => [p.phase, p.cellIndex, p.label]),
      [
        ["start", 0, "socket mutex query, 1 client"],
        ["done", 0, "socket mutex query, 1 client"],
      ],
    );
    assert.equal(progress.at(-1)?.fraction, 1);
    assert.ok(progress.every((p, k) => k === 0 || p.fraction >= progress[k - 1]!.fraction));
  });

  it("stops between cells when aborted and returns the cells measured", async () => {
    const abort = new AbortController();
    const results = await runExperiment(
      {
        transports: ["socket"],
        locks: ["rwlock"],
        ops: ["query"],
        clients: [1, 2, 3],
        workMs: 1,
        requests: 1,
      },
      {
        serverEntry,
        connectModule,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.phase === "done") abort.abort();
        },
      },
    );
    assert.equal(results.cells.length, 1);
  });

  it("throws an ExperimentError carrying the cells before a failing one", async () => {
    const missing = { ...serverEntry, file: helper("no-such-server.ts") };
    await assert.rejects(
      runExperiment(
        { transports: ["socket"], locks: ["mutex"], ops: ["query"], clients: [1], workMs: 1, requests: 1 },
        {
          serverEntry: missing,
          connectModule,
        },
      ),
      (error: unknown) => {
        assert.ok(error instanceof ExperimentError);
        assert.match(error.message, /socket mutex query, 1 client failed: server exited/);
        assert.equal(error.partial.cells.length, 0);
        return true;
      },
    );
  });
});

describe("startToystore", () => {
  it("reads the port the server prints and stops it by PID", async () => {
    const server = await startToystore({
      transports: ["grpc"],
      flags: { lock: "rwlock", workMs: 0, poolSize: 1, grpcMaxConcurrency: 1 },
      entry: serverEntry,
    });
    assert.ok(server.port > 0);
    assert.doesNotThrow(() => process.kill(server.pid, 0));
    await server.stop();
    assert.throws(() => process.kill(server.pid, 0), { code: "ESRCH" });
    await server.stop();
  });
});
