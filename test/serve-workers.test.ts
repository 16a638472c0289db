// `toystore serve --workers N`: a node:cluster primary whose workers share
// every transport's port. More than one worker on a store one process owns is
// a usage error; on PostgreSQL, connections land on both workers, the stock is
// sold exactly once across them, a killed worker is replaced, and SIGTERM (or
// a terminal's SIGINT reaching every process) ends it all with exit code 0.
//
// Which worker holds a connection is read from Linux's /proc: the worker PID
// whose open files include the server end of that TCP connection.

import assert from "node:assert/strict";
import { readdir, readFile, readlink } from "node:fs/promises";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import postgres from "postgres";
import type { BuyResult } from "../src/catalog/toy.js";
import { RestartBackoff } from "../src/cli/restart-backoff.js";
import { connect } from "../src/client/connect.js";
import type { StoreClient, Transport } from "../src/client/store-client.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { type CliRun, runCli } from "./helpers/cli.js";
import { waitFor } from "./helpers/grpc-server.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

const ALL: readonly Transport[] = ["socket", "grpc", "http"];
/** Waits on a process's output are bounded, only so that a broken server fails instead of hanging. */
const OUTPUT_WAIT_MS = 30_000;

const serve = (...args: string[]): Promise<CliRun> =>
  runCli(["serve", "--socket-port", "0", "--grpc-port", "0", "--http-port", "0", ...args], 30_000);

/** The JSON log lines a server printed (its workers' too: they share its stdout). */
function logLines(server: ServerProcess): Record<string, unknown>[] {
  return server.output.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** The PIDs of the workers the primary started, in order. */
function startedWorkers(server: ServerProcess): number[] {
  return logLines(server)
    .filter((line) => line.msg === "worker started")
    .map((line) => line.worker as number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The socket inodes of the ESTABLISHED TCP connections whose local (server) end is on `port`. */
async function serverEndInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(table, "utf8").catch(() => "");
    for (const row of text.split("\n").slice(1)) {
      const cols = row.trim().split(/\s+/);
      // sl local_address rem_address st ... inode: "0100007F:1F90" is 127.0.0.1:8080; st 01 is ESTABLISHED.
      const localPort = Number.parseInt(cols[1]?.split(":")[1] ?? "", 16);
      if (localPort === port && cols[3] === "01") inodes.add(cols[9]!);
    }
  }
  return inodes;
}

/** How many connections to `port` each PID holds the server end of. */
async function connectionsHeld(port: number, pids: readonly number[]): Promise<Map<number, number>> {
  const inodes = await serverEndInodes(port);
  const held = new Map<number, number>();
  for (const pid of pids) {
    let count = 0;
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) count++;
    }
    held.set(pid, count);
  }
  return held;
}

/** Fails unless every PID holds at least one of the connections to `port`. */
async function assertEveryWorkerHolds(port: number, pids: readonly number[], what: string): Promise<void> {
  const held = await connectionsHeld(port, pids);
  for (const pid of pids)
    assert.ok((held.get(pid) ?? 0) > 0, `${what}: worker ${pid} holds none: ${[...held]}`);
}

/** `count` clients of one transport, each on its own connection, each having answered one query. */
async function openClients(transport: Transport, port: number, count: number): Promise<StoreClient[]> {
  const clients = await Promise.all(Array.from({ length: count }, () => connect({ transport, port })));
  // After a round trip the worker holds the connection (the primary accepts it, then hands it over).
  await Promise.all(clients.map((client) => client.query("Tux")));
  return clients;
}

describe("serve --workers", () => {
  it("refuses more than one worker on the memory store or a sqlite file (exit 2), before starting any", async () => {
    for (const store of ["memory", "sqlite:/nonexistent-dir/shop.db"]) {
      const run = await serve("--workers", "2", "--store", store);
      assert.equal(run.code, 2, store);
      assert.equal(
        run.stderr,
        "toystore: --workers 2 needs a store several processes share (postgres://...); the memory store and sqlite: files belong to one process (add --help for usage)\n",
      );
      assert.equal(run.stdout, "", "no worker started");
    }
    const range = await serve("--workers", "0");
    assert.equal(range.code, 2);
    assert.match(range.stderr, /--workers must be an integer from 1 to 64, got "0"/);
  });

  it("fails like serve on an unreachable database: exit 1, the worker's one line on stderr", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const url = `postgres://postgres@127.0.0.1:${port}/toystore`;
    const run = await serve("--workers", "2", "--store", url);
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      `toystore: cannot use ${url}: connection refused (is PostgreSQL running and listening there?)\n`,
    );
    assert.doesNotMatch(run.stdout, /listening on/);
  });

  it("with --workers 1 (the default) serves from one process, no cluster", async () => {
    const server = await startToystore({ transports: ["socket"], flags: { workers: 1 } });
    try {
      assert.deepEqual(startedWorkers(server), []);
      const pids = new Set(logLines(server).map((line) => line.pid));
      assert.deepEqual([...pids], [server.pid]);
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
  });

  it("backs off 100 ms doubling to 5 s while workers die young, and starts over after a stable one", () => {
    const backoff = new RestartBackoff();
    const young = Array.from({ length: 8 }, () => backoff.delayAfter(50));
    assert.deepEqual(young, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    assert.equal(backoff.delayAfter(10_000), 100);
    assert.equal(backoff.delayAfter(9_999), 200);
  });
});

describe("serve --workers on PostgreSQL", { skip: postgresOrSkip().skip || linuxOrSkip() }, () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("sells exactly the stock to 40 buyers spread over both workers, one stored order per unit, and serves gRPC and HTTP from both", async () => {
    const STOCK = 25;
    const BUYS_PER_CLIENT = 2; // 40 x 2 = 80 buys > 25 units
    const url = await freshDatabase(cluster);
    const server = await startToystore({
      transports: ALL,
      flags: { store: url, workers: 2 },
      catalog: [
        { name: "Owl", price: "5.00", stock: STOCK },
        { name: "Tux", price: "19.99", stock: 1000 },
      ],
    });
    const clients: StoreClient[] = [];
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const workers = startedWorkers(server);
      assert.equal(workers.length, 2);
      // The first worker filled the store from --catalog; the second served what it held.
      assert.ok(server.output.some((line) => /created, filled with the catalog \(2 toys\)/.test(line)));
      assert.ok(server.output.some((line) => /serving what it holds \(2 toys, 0 orders\)/.test(line)));
      // The ready lines come from the primary alone, once each.
      const ready = logLines(server).filter((line) => / listening on /.test(String(line.msg)));
      assert.deepEqual(
        ready.map((line) => [line.pid, line.msg]),
        ALL.map((t) => [server.pid, `${t} listening on 127.0.0.1:${server.ports[t]}`]),
      );

      const buyers = await openClients("socket", server.ports.socket!, 40);
      clients.push(...buyers);
      const buys: BuyResult[] = (
        await Promise.all(
          buyers.map(async (client) => {
            const results: BuyResult[] = [];
            for (let i = 0; i < BUYS_PER_CLIENT; i++) results.push(await client.buy("Owl"));
            return results;
          }),
        )
      ).flat();
      assert.equal(buys.filter((b) => b.kind === "bought").length, STOCK);
      assert.equal(buys.filter((b) => b.kind === "sold_out").length, buys.length - STOCK);
      // Every buyer was answered on its own connection; both workers hold some of them.
      const held = await connectionsHeld(server.ports.socket!, workers);
      assert.equal(
        [...held.values()].reduce((a, b) => a + b, 0),
        40,
        `${[...held]}`,
      );
      await assertEveryWorkerHolds(server.ports.socket!, workers, "socket");

      const [orders] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM orders WHERE toy = 'Owl'`;
      assert.equal(orders?.n, STOCK, "one order stored per unit sold");
      const [owl] = await sql<{ stock: string }[]>`SELECT stock FROM toys WHERE name = 'Owl'`;
      assert.equal(Number(owl?.stock), 0);

      for (const transport of ["grpc", "http"] as const) {
        const opened = await openClients(transport, server.ports[transport]!, 8);
        clients.push(...opened);
        await assertEveryWorkerHolds(server.ports[transport]!, workers, transport);
        assert.deepEqual(await opened[0]!.query("Owl"), { kind: "sold_out" });
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await sql.end();
      const stopped = await server.stop();
      assert.deepEqual([stopped.code, stopped.killed], [0, false]);
    }
  });

  it("replaces a killed worker, keeps answering, and leaves no worker behind on SIGTERM", async () => {
    const url = await freshDatabase(cluster);
    const server = await startToystore({ transports: ["socket"], flags: { store: url, workers: 2 } });
    const clients: StoreClient[] = [];
    try {
      const [victim, survivor] = startedWorkers(server) as [number, number];
      process.kill(victim, "SIGKILL");
      await waitFor(() => startedWorkers(server).length === 3, "a replacement worker", OUTPUT_WAIT_MS);
      const replacement = startedWorkers(server)[2]!;
      assert.ok(![victim, survivor].includes(replacement));
      assert.ok(
        server.output.some((line) =>
          line.includes(`"msg":"worker ${victim} died (signal SIGKILL); starting another in 100 ms"`),
        ),
        server.output.join("\n"),
      );
      await waitFor(
        () => logLines(server).some((line) => line.msg === "worker ready" && line.pid === replacement),
        "the replacement to listen",
        OUTPUT_WAIT_MS,
      );
      // The same port, now served by the survivor and the replacement.
      clients.push(...(await openClients("socket", server.ports.socket!, 8)));
      await assertEveryWorkerHolds(server.ports.socket!, [survivor, replacement], "socket");
      for (const client of clients)
        assert.deepEqual(await client.query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 100 });
      await Promise.all(clients.map((client) => client.close()));
      const stopped = await server.stop();
      assert.deepEqual([stopped.code, stopped.killed], [0, false]);
      for (const pid of [victim, survivor, replacement]) assert.ok(!alive(pid), `worker ${pid} is gone`);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await server.stop();
    }
  });

  it("ends cleanly, replacing no one, when a terminal's SIGINT reaches the primary and every worker", async () => {
    const url = await freshDatabase(cluster);
    const server = await startToystore({ transports: ["socket"], flags: { store: url, workers: 2 } });
    try {
      const workers = startedWorkers(server);
      // A Ctrl-C goes to the whole foreground process group at once.
      for (const pid of [server.pid, ...workers]) process.kill(pid, "SIGINT");
      const exit = await server.exited;
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.deepEqual(startedWorkers(server), workers, "no worker started after the signal");
      const stopped = logLines(server).filter((line) => line.msg === "stopped");
      assert.deepEqual(stopped.map((line) => line.pid).sort(), [server.pid, ...workers].sort());
      for (const pid of workers) assert.ok(!alive(pid), `worker ${pid} is gone`);
    } finally {
      await server.stop();
    }
  });
});

function linuxOrSkip(): string | false {
  return process.platform === "linux" ? false : "reads which process holds a connection from Linux's /proc";
}
