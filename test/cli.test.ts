// The `toystore` command as a user runs it: a real `serve` process, the
// one-shot commands against it, exit codes and messages.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { CLI_MAIN, type CliRun, runCli } from "./helpers/cli.js";

const MAIN = CLI_MAIN;

const toystore = (...args: string[]): Promise<CliRun> => runCli(args);

/** Starts `toystore serve` and resolves with the ports it prints. */
async function serve(
  ...args: string[]
): Promise<{ child: ChildProcess; socketPort: number; grpcPort: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "serve", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ports: Record<string, number> = {};
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = /(socket|grpc) listening on 127\.0\.0\.1:(\d+)/.exec(line);
    if (match) ports[match[1]!] = Number(match[2]);
    if (ports.socket !== undefined && ports.grpc !== undefined) break;
  }
  lines.close();
  assert.ok(ports.socket && ports.grpc, "serve printed both addresses");
  return { child, socketPort: ports.socket, grpcPort: ports.grpc };
}

describe("toystore CLI", () => {
  let server: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    server = await serve("--socket-port", "0", "--grpc-port", "0", "--http-port", "0");
  });
  after(() => {
    if (server.child.exitCode === null) server.child.kill("SIGKILL");
  });

  it("queries and buys over both transports, which share one catalog", async () => {
    const sp = String(server.socketPort);
    const gp = String(server.grpcPort);
    const query = await toystore("query", "Fox", "--socket-port", sp);
    assert.deepEqual([query.code, query.stdout], [0, "15.75 100   Fox: in stock, 100 left at 15.75\n"]);
    const buy = await toystore("buy", "fox", "--transport", "grpc", "--grpc-port", gp);
    assert.deepEqual([buy.code, buy.stdout], [0, "1   fox: bought one at 15.75, 99 left (order 1)\n"]);
    const seen = await toystore("query", "Fox", "--socket-port", sp);
    assert.equal(seen.stdout, "15.75 99   Fox: in stock, 99 left at 15.75\n");
    const none = await toystore("query", "Unicorn", "--transport", "grpc", "--grpc-port", gp);
    assert.deepEqual([none.code, none.stdout], [0, "-1   Unicorn: no such toy\n"]);
    const soldOut = await toystore("buy", "Lion", "--socket-port", sp);
    assert.deepEqual([soldOut.code, soldOut.stdout], [0, "0   Lion: sold out\n"]);
  });

  it("buys several units, reads the order back and lists the catalog, over every transport", async () => {
    const sp = String(server.socketPort);
    const gp = String(server.grpcPort);
    const bought = await toystore("buy", "Dolphin", "--quantity", "3", "--socket-port", sp);
    assert.equal(bought.code, 0);
    const match = /^1 {3}Dolphin: bought 3 at (\d+\.\d\d), 97 left \(order (\d+)\)\n$/.exec(bought.stdout);
    assert.ok(match, bought.stdout);
    const [, price, id] = match;
    const order = await toystore("order", id!, "--transport", "grpc", "--grpc-port", gp);
    assert.equal(order.code, 0);
    assert.match(order.stdout, new RegExp(`^${id} 3 ${price} \\S+ Dolphin\\n$`));
    const tooMany = await toystore(
      "buy",
      "Dolphin",
      "--quantity",
      "98",
      "--transport",
      "grpc",
      "--grpc-port",
      gp,
    );
    assert.deepEqual([tooMany.code, tooMany.stdout], [0, "0   Dolphin: fewer than 98 left, nothing sold\n"]);
    const list = await toystore("list", "--socket-port", sp);
    assert.equal(list.code, 0);
    assert.ok(list.stdout.split("\n").includes(`${price} 97 Dolphin`), list.stdout);
    const missing = await toystore("order", "999999", "--socket-port", sp);
    assert.deepEqual([missing.code, missing.stdout], [0, "-1   order 999999: no such order\n"]);
    const bad = await toystore("buy", "Dolphin", "--quantity", "0", "--socket-port", sp);
    assert.equal(bad.code, 2);
  });

  it("exits 1 with a one-line reason when the server refuses the request or cannot be reached", async () => {
    const empty = await toystore("query", " ", "--socket-port", String(server.socketPort));
    assert.deepEqual([empty.code, empty.stderr], [1, "toystore: query failed: empty name\n"]);
    const refused = await toystore("query", "Tux", "--socket-port", "1");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^toystore: cannot connect to 127\.0\.0\.1:1: .*ECONNREFUSED.*\n$/);
  });

  it("exits 2 on a usage error, and 0 with --help", async () => {
    const missing = await toystore("query");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing required argument 'name'/);
    const badLock = await toystore("serve", "--lock", "spin");
    assert.equal(badLock.code, 2);
    assert.equal(
      badLock.stderr,
      'toystore: --lock must be one of mutex, rwlock, per-toy, atomic, got "spin" (add --help for usage)\n',
    );
    const badPort = await toystore("query", "Tux", "--socket-port", "70000");
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--socket-port must be an integer from 1 to 65535, got "70000"/);
    const help = await toystore("buy", "--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: toystore buy \[options\] <name>/);
  });

  it("stops start-up on a bad catalog file, naming the file, the entry and the problem", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toystore-cli-"));
    const file = join(dir, "toys.json");
    await writeFile(
      file,
      JSON.stringify([
        { name: "Owl", price: 5, stock: 1 },
        { name: "Bat", price: 5, stock: -3 },
      ]),
    );
    const run = await toystore(
      "serve",
      "--catalog",
      file,
      "--socket-port",
      "0",
      "--grpc-port",
      "0",
      "--http-port",
      "0",
    );
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      `toystore: bad catalog: ${file}: entry 1 ("Bat"): "stock" must be a non-negative integer, got -3\n`,
    );
    await rm(dir, { recursive: true, force: true });
  });

  it("on SIGTERM stops accepting and exits 0", async () => {
    server.child.kill("SIGTERM");
    const [code] = await once(server.child, "exit");
    assert.equal(code, 0);
    const after = await toystore("query", "Tux", "--socket-port", String(server.socketPort));
    assert.equal(after.code, 1);
  });
});
