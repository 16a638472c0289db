// Tests of the load commands through commander, against the real socket
// server started in-process (test/helpers/socket-server.ts): flags in,
// results out. No timing asserted.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { Command } from "commander";
import { registerExperimentCommand, summarizeExperiment } from "../src/cli/experiment-command.js";
import { registerLoadCommand } from "../src/cli/load-command.js";
import { registerReportCommand } from "../src/cli/report-command.js";
import type { LoadResults } from "../src/study/load/results.js";
import { fakeExperimentResults } from "./helpers/load-fake-results.js";
import { startTestSocketServer, type TestSocketServer } from "./helpers/socket-server.js";

async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (chunk) => out.push(String(chunk)));
  stderr.on("data", (chunk) => err.push(String(chunk)));
  const program = new Command("toystore").exitOverride().configureOutput({
    writeOut: (text) => out.push(text),
    writeErr: (text) => err.push(text),
  });
  for (const register of [registerLoadCommand, registerExperimentCommand, registerReportCommand]) {
    register(program, { stdout, stderr });
  }
  for (const command of program.commands) command.exitOverride();
  await program.parseAsync(["node", "toystore", ...args]);
  return { stdout: out.join(""), stderr: err.join("") };
}

describe("toystore load", () => {
  let server: TestSocketServer;
  before(async () => {
    server = await startTestSocketServer({ service: { workMs: 2 } });
  });
  after(async () => {
    // Fails if the load generator left a connection open.
    await server.close();
  });

  it("runs one process per client and prints the results as JSON", async () => {
    const { stdout } = await run([
      "load",
      "--socket-port",
      String(server.port),
      "--clients",
      "2",
      "--requests",
      "3",
      "--json",
    ]);
    const results = JSON.parse(stdout) as LoadResults;
    assert.equal(results.kind, "toystore-load");
    assert.equal(results.options.clients, 2);
    assert.equal(results.latency.count, 6);
    assert.deepEqual(
      results.perClient.map((c) => c.process),
      [0, 1],
    );
    assert.deepEqual(results.errors, {});
  });

  it("prints a human summary, here of buys of one toy", async () => {
    const { stdout } = await run([
      "load",
      "--socket-port",
      String(server.port),
      "--clients",
      "2",
      "--requests",
      "2",
      "--op",
      "buy",
      "--toy",
      "Tux",
      "--in-process",
    ]);
    assert.match(stdout, /^2 clients x 2 buy requests each over socket/);
    assert.match(stdout, /latency ms {3}mean [\d.]+ {3}p50/);
    assert.match(stdout, /outcomes {3}bought 4/);
    assert.match(stdout, /stopped {3}completed/);
  });

  it("counts business outcomes of unknown toys without calling them errors", async () => {
    const { stdout } = await run([
      "load",
      "--socket-port",
      String(server.port),
      "--toys",
      "Nessie",
      "--in-process",
      "--json",
    ]);
    const results = JSON.parse(stdout) as LoadResults;
    assert.deepEqual(results.outcomes, { not_found: 10 });
  });

  it("rejects a bad flag value as a usage error", async () => {
    await assert.rejects(run(["load", "--clients", "0"]), {
      name: "UsageError",
      message: '--clients must be an integer from 1 to 100000, got "0"',
    });
    await assert.rejects(run(["load", "--op", "sell"]), {
      name: "UsageError",
      message: '--op must be one of query, buy, mix, got "sell"',
    });
  });
  it("prints a load run's JSON as the load command prints it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toystore-report-"));
    try {
      const json = await run(["load", "--socket-port", String(server.port), "-c", "1", "-n", "2", "--json"]);
      await writeFile(join(dir, "load.json"), json.stdout);
      const { stdout } = await run(["report", join(dir, "load.json")]);
      assert.match(stdout, /^1 client x 2 query requests each over socket/);
      assert.match(stdout, /latency ms {3}mean/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the experiment's summary", () => {
  it("says which cells had failed requests, and how many of each code", () => {
    const [ok, failed] = fakeExperimentResults({
      transports: ["socket"],
      locks: ["mutex"],
      ops: ["query"],
      clients: [1, 5],
    }).cells;
    const text = summarizeExperiment(
      [ok!, { ...failed!, errors: { deadline_exceeded: 10, unavailable: 2 } }],
      "out",
      false,
    );
    const [first, second] = text.split("\n");
    assert.doesNotMatch(first!, /failed/);
    assert.match(second!, /p99 +[\d.]+ ms {3}failed: deadline_exceeded 10, unavailable 2$/);
  });
});

describe("toystore report", () => {
  it("rewrites the report files from results.json alone", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toystore-report-"));
    try {
      await writeFile(join(dir, "results.json"), JSON.stringify(fakeExperimentResults()));
      const { stdout } = await run(["report", dir]);
      assert.match(stdout, /report written to/);
      const markdown = await readFile(join(dir, "report.md"), "utf8");
      assert.match(markdown, /## Every cell/);
      assert.match(await readFile(join(dir, "latency-vs-clients.svg"), "utf8"), /^<svg/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails with one message when the folder has no results", async () => {
    await assert.rejects(run(["report", join(tmpdir(), "no-such-toystore-dir")]), { name: "CliFailure" });
  });
});
