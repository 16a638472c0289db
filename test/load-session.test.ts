// `toystore load --session` end to end, as a user runs it: the CLI, load
// processes of two clients each, a real `toystore serve` on the memory,
// sqlite and PostgreSQL stores, over socket, gRPC and HTTP; every order the
// clients were told about is read back and checked. And one store that lies
// about its orders, which the check must catch (exit 1). No timing asserted.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { LoadResults } from "../src/study/load/results.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { runCli } from "./helpers/cli.js";
import { startLyingSocketServer } from "./helpers/lying-socket-server.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

const TRANSPORTS = ["socket", "grpc", "http"] as const;

/** A short bounded session run: 2 processes x 2 clients, 5 steps each, at P = 0.5. */
const SESSION_RUN = ["--session", "--buy-probability", "0.5", "--clients", "4", "--clients-per-process", "2"];

/** `load --session` over `transport` against `server`: its exit code, results and stderr. */
async function loadSession(server: ServerProcess, transport: (typeof TRANSPORTS)[number]) {
  const port = server.ports[transport];
  assert.ok(port !== undefined, `${transport} listens`);
  const run = await runCli(
    [
      "load",
      ...SESSION_RUN,
      "--requests",
      "5",
      "--transport",
      transport,
      `--${transport}-port`,
      String(port),
      "--json",
    ],
    60_000,
  );
  return { ...run, results: run.code === 0 ? (JSON.parse(run.stdout) as LoadResults) : undefined };
}

/** The suite for one store: a server on it, a session run over each transport. */
function sessionSuite(store: "memory" | "sqlite" | "postgres", storeFlag: () => Promise<string | undefined>) {
  let server: ServerProcess;
  before(async () => {
    const flag = await storeFlag();
    server = await startToystore({
      transports: [...TRANSPORTS],
      flags: flag === undefined ? {} : { store: flag },
    });
  });
  after(async () => {
    await server?.stop();
  });
  for (const transport of TRANSPORTS) {
    it(`checks every order a session bought over ${transport}`, async () => {
      const { code, stderr, results } = await loadSession(server, transport);
      assert.equal(code, 0, stderr);
      const session = results?.session;
      assert.ok(session !== undefined, "the results carry the session's figures");
      assert.equal(session.query.latency.count, 20, `${store}: 4 clients x 5 queries`);
      assert.ok(session.orders.recorded > 0, "some queries were followed by a buy");
      assert.equal(session.buy.outcomes.bought, session.orders.recorded);
      assert.equal(session.orders.verified, session.orders.recorded);
      assert.deepEqual(session.orders.failed, {});
      assert.deepEqual(results?.errors, {});
      assert.equal(results?.stopReason, "completed");
      assert.deepEqual(
        results?.perClient.map((c) => c.process),
        [0, 0, 1, 1],
      );
    });
  }
}

describe("load --session on the memory store", () => {
  sessionSuite("memory", async () => undefined);
});

describe("load --session on the sqlite store", () => {
  let dir = "";
  after(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });
  sessionSuite("sqlite", async () => {
    dir = await mkdtemp(join(tmpdir(), "toystore-session-"));
    return `sqlite:${join(dir, "shop.db")}`;
  });
});

// Skips (saying why) without PostgreSQL's binaries, and fails instead when TOYSTORE_REQUIRE_POSTGRES=1.
describe("load --session on the PostgreSQL store", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster | undefined;
  after(async () => {
    await cluster?.stop();
  });
  sessionSuite("postgres", async () => {
    cluster = await startTestCluster();
    return freshDatabase(cluster);
  });
});

describe("load --session against a store that lies about its orders", () => {
  it("exits 1 and names the orders that do not check out", async () => {
    const liar = await startLyingSocketServer();
    try {
      const run = await runCli(
        [
          "load",
          "--session",
          "--buy-probability",
          "1",
          "--clients",
          "2",
          "--requests",
          "3",
          "--socket-port",
          String(liar.port),
        ],
        60_000,
      );
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stderr,
        /^toystore: session check failed: 6 of 6 orders did not check out \(6 mismatch\): order \d+ \(client 0\): bought \S+ x(\d), the store's order says \S+ x\d/,
      );
      // The results are printed before the failure.
      assert.match(run.stdout, /orders {3}0 of 6 verified/);
    } finally {
      await liar.close();
    }
  });

  it("refuses --session over a transport that cannot read orders back", async () => {
    const run = await runCli(["load", "--session", "--transport", "original-socket"]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /--session reads every order back, and --transport original-socket has no order lookup/,
    );
  });
});
