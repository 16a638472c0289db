// The original design's clients, in Python: stubs generated with grpc_tools
// from proto/toystore_original.proto alone call /ToyStore/Query and
// /ToyStore/Buy on a real server (scripts/python-original-client-check.sh), and
// the original design's load client (tools/original-clients/grpc_client.py)
// reports its latencies. Skipped when Debian's python3-grpcio and
// python3-grpc-tools are not installed; TOYSTORE_REQUIRE_PYTHON_GRPC=1 makes
// that a failure instead.

import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DEFAULT_CATALOG } from "../src/catalog/default-catalog.js";
import { startTestGrpcServer } from "./helpers/grpc-server.js";
import { PYTHON, pythonGrpcOrSkip } from "./helpers/python-grpc.js";

const run = promisify(execFile);
const CHECK = fileURLToPath(new URL("../scripts/python-original-client-check.sh", import.meta.url));
const CLIENT = fileURLToPath(new URL("../tools/original-clients/grpc_client.py", import.meta.url));

/** The temporary stub folders the client tool makes (it must leave none behind). */
async function stubFolders(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith("toystore-original-stubs-"));
}

interface ClientSummary {
  target: string;
  op: string;
  processes: number;
  requests: number;
  per_process_mean_ms: (number | null)[];
  mean_ms: number | null;
  calls: number;
  outcomes: Record<string, number>;
  failures: Record<string, number>;
}

/** Runs the client tool; its summary is the JSON on the last line. */
async function runClient(args: string[]): Promise<{ lines: string[]; summary: ClientSummary }> {
  const { stdout } = await run(PYTHON, [CLIENT, ...args], { timeout: 60_000 });
  const lines = stdout.trimEnd().split("\n");
  return { lines, summary: JSON.parse(lines.at(-1)!) as ClientSummary };
}

describe("the original design's Python clients", () => {
  const skip = pythonGrpcOrSkip();

  test("a client built from the original proto alone gets the original answers", { skip }, async () => {
    const store = await startTestGrpcServer({ toys: [{ name: "Tux", priceCents: 1999, stock: 3 }] });
    try {
      const { stdout } = await run("sh", [CHECK, store.target, "tux"], { env: { ...process.env, PYTHON } });
      assert.match(stdout, /Query\('tux'\) -> name='Tux' price=19\.989999771118164 stock=3/);
      assert.match(stdout, /Buy\('tux'\) -> status=1 x3, then status=0/);
      assert.match(stdout, /Query\('tux'\) -> name='Tux' price=19\.989999771118164 stock=0/);
      // What a generated Python client sees of an unknown toy: an RpcError, no BuyResponse.
      assert.match(
        stdout,
        /Query\('Unicorn'\) -> INVALID_ARGUMENT: Item not found \{'toystore-outcome': 'not_found'\}/,
      );
      assert.match(
        stdout,
        /Buy\('Unicorn'\) -> INVALID_ARGUMENT: Item not found \{'toystore-outcome': 'not_found'\}/,
      );
      assert.match(
        stdout,
        /Query\(''\) -> INVALID_ARGUMENT: empty name \{'toystore-error-code': 'bad_request'\}/,
      );
      // The buys went to the one store that toystore.v1 serves.
      assert.deepEqual(await store.client().query("Tux"), { kind: "sold_out" });
    } finally {
      await store.close();
    }
  });

  test("the original load client: 2 processes x 3 queries, a mean latency each and overall", {
    skip,
  }, async () => {
    const store = await startTestGrpcServer();
    const leftBefore = await stubFolders();
    try {
      const { lines, summary } = await runClient([
        "--port",
        String(store.port),
        "--processes",
        "2",
        "--requests",
        "3",
        "--seed",
        "7",
      ]);
      assert.equal(lines.length, 3, lines.join("\n"));
      assert.match(lines[0]!, /^process 0: mean latency \d+\.\d{3} ms over 3 query calls$/);
      assert.match(lines[1]!, /^process 1: mean latency \d+\.\d{3} ms over 3 query calls$/);
      assert.equal(summary.target, `127.0.0.1:${store.port}`);
      assert.deepEqual([summary.op, summary.processes, summary.requests, summary.calls], ["query", 2, 3, 6]);
      assert.equal(summary.per_process_mean_ms.length, 2);
      for (const mean of summary.per_process_mean_ms) assert.ok(typeof mean === "number" && mean > 0);
      assert.ok(typeof summary.mean_ms === "number" && summary.mean_ms > 0);
      assert.deepEqual(summary.failures, {});
      // Lion, of the default catalog, is sold out: every answer is one of the two.
      const answered = (summary.outcomes.in_stock ?? 0) + (summary.outcomes.sold_out ?? 0);
      assert.equal(answered, 6, JSON.stringify(summary.outcomes));
      assert.deepEqual(await stubFolders(), leftBefore, "the generated stubs are removed");
    } finally {
      await store.close();
    }
  });

  test("the original load client's buys are sold by the one store", { skip }, async () => {
    const store = await startTestGrpcServer();
    try {
      const buys = await runClient([
        "--port",
        String(store.port),
        "--op",
        "buy",
        "--processes",
        "2",
        "--requests",
        "3",
      ]);
      const bought = buys.summary.outcomes.bought ?? 0;
      assert.equal(bought + (buys.summary.outcomes.sold_out ?? 0), 6, JSON.stringify(buys.summary));
      const stockLeft = (await store.client().list()).reduce((sum, toy) => sum + toy.stock, 0);
      const stockAtStart = DEFAULT_CATALOG.reduce((sum, toy) => sum + toy.stock, 0);
      assert.equal(stockLeft, stockAtStart - bought);
    } finally {
      await store.close();
    }
  });

  test("the original load client refuses a bad option with a usage error, and an unreachable server with exit 1", {
    skip,
  }, async () => {
    const usage = spawnSync(PYTHON, [CLIENT, "--processes", "0"], { encoding: "utf8", timeout: 30_000 });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--processes: must be a whole number from 1 to 1000, got '0'/);

    // A port nothing listens on: every call fails UNAVAILABLE, and the summary says so.
    const store = await startTestGrpcServer();
    const port = store.port;
    await store.close();
    const down = spawnSync(
      PYTHON,
      [CLIENT, "--port", String(port), "--processes", "1", "--requests", "1", "--timeout", "5"],
      { encoding: "utf8", timeout: 30_000 },
    );
    assert.equal(down.status, 1, down.stderr);
    const summary = JSON.parse(down.stdout.trimEnd().split("\n").at(-1)!) as ClientSummary;
    assert.deepEqual(summary.failures, { UNAVAILABLE: 1 });
  });
});
