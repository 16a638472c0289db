// The original clients against `toystore serve`, unchanged: the Python
// client modelled on the Toy Store design document's (tools/original-clients/
// socket_client.py: processes, a connection per request, recv(1024)) and
// `toystore query/buy --transport original-socket`, with the original socket
// protocol served beside every other transport on one store. Python 3 is
// always present where the suite runs: a missing one fails, never skips.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect } from "../src/client/connect.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { runCli } from "./helpers/cli.js";

const run = promisify(execFile);
const CLIENT = fileURLToPath(new URL("../tools/original-clients/socket_client.py", import.meta.url));
const PYTHON = process.env.PYTHON ?? "python3";

interface ClientSummary {
  readonly op: string;
  readonly processes: number;
  readonly requests: number;
  readonly perProcessMeanMs: readonly (number | null)[];
  readonly meanMs: number | null;
  readonly answers: Readonly<Record<string, number>>;
  readonly failures: number;
}

describe("the original clients against toystore serve", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startToystore({ transports: ["socket", "original-socket", "grpc", "http"] });
  });
  after(() => server?.stop());

  it("prints the original-socket ready line beside the others, on a port of its own", () => {
    const ports = server.ports;
    assert.deepEqual(Object.keys(ports).sort(), ["grpc", "http", "original-socket", "socket"]);
    assert.notEqual(ports["original-socket"], ports.socket);
    assert.ok(
      server.output.some((line) =>
        line.includes(`original-socket listening on 127.0.0.1:${ports["original-socket"]}`),
      ),
    );
  });

  it("serves the Python client: processes of sequential requests, a connection each", async () => {
    const port = String(server.ports["original-socket"]);
    const args = [CLIENT, "--port", port, "--processes", "2", "--requests", "3"];
    const queries = await run(PYTHON, [...args, "--op", "query", "--toys", "Tux,Lion,Nope"], {
      timeout: 30_000,
    });
    const summary = JSON.parse(queries.stdout.trim().split("\n").at(-1)!) as ClientSummary;
    assert.equal(summary.op, "query");
    assert.equal(summary.perProcessMeanMs.length, 2);
    for (const ms of summary.perProcessMeanMs) assert.ok(typeof ms === "number" && ms > 0);
    assert.ok(typeof summary.meanMs === "number" && summary.meanMs > 0);
    assert.equal(summary.failures, 0);
    // Every answer is a price, 0 (Lion, sold out) or -1 (Nope): never an error.
    const total = Object.values(summary.answers).reduce((a, b) => a + b, 0);
    assert.equal(total, 6);
    assert.deepEqual(
      Object.keys(summary.answers).filter((kind) => !["price", "0", "-1"].includes(kind)),
      [],
    );
    assert.match(queries.stdout, /^client 0: mean latency [\d.]+ ms over 3 requests$/m);

    const buys = await run(PYTHON, [...args, "--op", "buy", "--toys", "Bird"], { timeout: 30_000 });
    const bought = JSON.parse(buys.stdout.trim().split("\n").at(-1)!) as ClientSummary;
    assert.deepEqual(bought.answers, { "1": 6 });
    // Sold over the original protocol, seen over the line protocol: one store.
    const client = await connect({ transport: "socket", port: server.ports.socket! });
    assert.deepEqual(await client.query("Bird"), { kind: "in_stock", priceCents: 999, stock: 94 });
    await client.close();
  });

  it("answers toystore query and buy over --transport original-socket", async () => {
    const port = [
      "--transport",
      "original-socket",
      "--original-socket-port",
      String(server.ports["original-socket"]),
    ];
    const query = await runCli(["query", "Elephant", ...port]);
    assert.deepEqual([query.code, query.stdout], [0, "29.99   Elephant: in stock at 29.99\n"]);
    const buy = await runCli(["buy", "Lion", ...port]);
    assert.deepEqual([buy.code, buy.stdout], [0, "0   Lion: sold out\n"]);
    const list = await runCli(["list", ...port]);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /the original socket protocol has no list/);
    const servers = await runCli([
      "query",
      "Tux",
      "--transport",
      "original-socket",
      "--servers",
      "127.0.0.1:1",
    ]);
    assert.equal(servers.code, 2);
    assert.match(servers.stderr, /--servers cannot be used with --transport original-socket/);
  });
});
