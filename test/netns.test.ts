// Hosts as network namespaces (src/study/measure/netns.ts) and the four-host
// deployment on them (src/study/measure/cluster-deployment.ts): hosts reach each
// other by address and nothing else, a cut link cuts one host off, servers
// run inside their host with their own PID, and everything made is gone
// afterwards. Traffic goes only to addresses inside the namespaces made here
// (and their own loopbacks). The test process is in the root namespace and
// cannot reach those addresses: every client runs through `exec(host)`.
//
// Skipped with the reason where namespaces cannot be created (not root, no
// `ip`), unless TOYSTORE_REQUIRE_NETNS=1; the deployment also needs
// PostgreSQL (skipped without it unless TOYSTORE_REQUIRE_POSTGRES=1).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { ExperimentResults } from "../src/study/load/results.js";
import { type Deployment, startDeployment } from "../src/study/measure/cluster-deployment.js";
import { PACKAGE_ROOT } from "../src/study/measure/entry-point.js";
import { createHosts, type Hosts, listNamespaces, namespaceSupport } from "../src/study/measure/netns.js";
import { type ServerProcess, startServerProcess } from "../src/study/measure/server.js";
import { postgresOrSkip } from "./helpers/postgres.js";

const run = promisify(execFile);

const support = await namespaceSupport();
if (!support.ok && process.env.TOYSTORE_REQUIRE_NETNS === "1")
  throw new Error(`TOYSTORE_REQUIRE_NETNS=1, but ${support.reason}`);
const netnsSkip: string | false = support.ok ? false : support.reason;

const PORT = 7070;
/** Long enough for a connect on a live link here; a cut link never answers. */
const CONNECT_TIMEOUT_MS = 2000;

/** Listens on every address of its host (its loopback too) and prints a ready line. */
const LISTENER = `const [address, port] = process.argv.slice(1);
require("node:net").createServer((s) => { s.on("error", () => {}); s.end(); })
  .listen(Number(port), "0.0.0.0", () => console.log("probe listening on " + address + ":" + port));`;

/** Connects once; prints "connected", the error code, or "timeout". */
const CONNECT = `const [address, port, ms] = process.argv.slice(1);
const s = require("node:net").connect(Number(port), address);
s.setTimeout(Number(ms), () => { console.log("timeout"); process.exit(0); });
s.on("connect", () => { console.log("connected"); process.exit(0); });
s.on("error", (e) => { console.log(e.code); process.exit(0); });`;

/** A TCP connect from one host to an address: "connected", "ECONNREFUSED", "timeout", ... */
async function connectFrom(hosts: Hosts, from: string, address: string, port = PORT): Promise<string> {
  const [command, ...prefix] = hosts.exec(from) as [string, ...string[]];
  const args = [
    ...prefix,
    process.execPath,
    "-e",
    CONNECT,
    address,
    String(port),
    String(CONNECT_TIMEOUT_MS),
  ];
  const { stdout } = await run(command, args, { encoding: "utf8" });
  return stdout.trim();
}

/** The network namespace a process is in, and a named one, as (device, inode) pairs: equal when the same. */
async function namespaceId(path: string): Promise<string> {
  const { dev, ino } = await stat(path);
  return `${dev}:${ino}`;
}

/** Gone or a zombie: exited, whether or not PID 1 has reaped it yet. */
async function exited(pid: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return text === "" || /^[ZX]/.test(text.slice(text.lastIndexOf(")") + 2));
}

const ours = async (prefix: string): Promise<string[]> =>
  (await listNamespaces()).filter((name) => name.startsWith(`${prefix}-`));

describe("hosts as network namespaces", { skip: netnsSkip, timeout: 120_000 }, () => {
  let hosts: Hosts | undefined;
  const listeners: ServerProcess[] = [];
  const made = (): Hosts => {
    assert.ok(hosts, "the hosts were created");
    return hosts;
  };
  before(async () => {
    hosts = await createHosts(["client", "server1", "server2"]);
    for (const name of ["server1", "server2"]) {
      listeners.push(
        await startServerProcess({
          command: process.execPath,
          args: ["-e", LISTENER, hosts.host(name).address, String(PORT)],
          commandPrefix: hosts.exec(name),
        }),
      );
    }
  });
  after(async () => {
    await Promise.all(listeners.map((listener) => listener.stop(0)));
    if (hosts !== undefined) {
      await hosts.remove();
      assert.deepEqual(await ours(hosts.prefix), []);
    }
  });

  it("gives each host its own namespace and its own address on the subnet", async () => {
    const { hosts: all, subnet, switchNamespace, prefix } = made();
    assert.deepEqual(
      all.map((h) => h.name),
      ["client", "server1", "server2"],
    );
    assert.equal(new Set(all.map((h) => h.address)).size, 3);
    const base = subnet.replace(/\.0\/24$/, ".");
    for (const host of all) assert.ok(host.address.startsWith(base), `${host.address} in ${subnet}`);
    assert.deepEqual((await ours(prefix)).sort(), [switchNamespace, ...all.map((h) => h.namespace)].sort());
    assert.deepEqual(made().exec("client"), ["ip", "netns", "exec", made().host("client").namespace]);
  });

  it("runs a server under exec(host) with the server's own PID, inside the host's namespace", async () => {
    for (const [i, name] of ["server1", "server2"].entries()) {
      const { pid, host } = listeners[i]!;
      assert.equal((await readFile(`/proc/${pid}/comm`, "utf8")).trim(), "node", "ip exec'd node: same PID");
      const namespace = made().host(name).namespace;
      assert.equal(await namespaceId(`/proc/${pid}/ns/net`), await namespaceId(`/run/netns/${namespace}`));
      assert.equal(host, made().host(name).address);
    }
  });

  it("lets hosts reach each other by address, and nothing outside: no other host's loopback, no route out", async () => {
    for (const name of ["server1", "server2"])
      assert.equal(await connectFrom(made(), "client", made().host(name).address), "connected");
    // server1 listens on its own loopback (the control), which the client cannot reach: 127.0.0.1 is its own.
    assert.equal(await connectFrom(made(), "server1", "127.0.0.1"), "connected");
    assert.equal(await connectFrom(made(), "client", "127.0.0.1"), "ECONNREFUSED");
    const { stdout } = await run("ip", ["-n", made().host("client").namespace, "route", "show"], {
      encoding: "utf8",
    });
    assert.deepEqual(
      stdout.trim().split("\n"),
      [`${made().subnet} dev eth0 proto kernel scope link src ${made().host("client").address}`],
      "one route: the subnet; none out of it",
    );
  });

  it("cutLink cuts server1 off while server2 still answers; restoreLink brings it back", async () => {
    const [one, two] = [made().host("server1").address, made().host("server2").address];
    await made().cutLink("server1");
    try {
      assert.notEqual(await connectFrom(made(), "client", one), "connected");
      assert.equal(await connectFrom(made(), "client", two), "connected");
    } finally {
      await made().restoreLink("server1");
    }
    assert.equal(await connectFrom(made(), "client", one), "connected");
    assert.equal(listeners[0]!.exit, undefined, "the server itself kept running");
  });

  it("remove() deletes every namespace it made, once; a failed creation removes its part and no other", async () => {
    const small = await createHosts(["a"]);
    assert.equal((await ours(small.prefix)).length, 2);
    assert.equal(await small.remove(), 2);
    assert.equal(await small.remove(), 0);
    assert.deepEqual(await ours(small.prefix), []);
    // A name that exists already makes creation fail half-way: what it made goes, the other's stays.
    const prefix = `${made().prefix}x`;
    await run("ip", ["netns", "add", `${prefix}-b`]);
    try {
      await assert.rejects(createHosts(["a", "b"], { prefix }), /ip netns add .*-b failed/);
      assert.deepEqual(await ours(prefix), [`${prefix}-b`]);
    } finally {
      await run("ip", ["netns", "delete", `${prefix}-b`]);
    }
  });
});

describe("a deployment: client, server1 and server2, PostgreSQL on db", {
  skip: netnsSkip || postgresOrSkip().skip,
  timeout: 180_000,
}, () => {
  let deployment: Deployment | undefined;
  const started = (): Deployment => {
    assert.ok(deployment, "the deployment started");
    return deployment;
  };
  const catalog = [
    { name: "Tux", price: "19.99", stock: 10 },
    { name: "Fox", price: "15.75", stock: 5 },
  ];
  before(async () => {
    deployment = await startDeployment({ catalog, postgresSettings: { fsync: "off" } });
  });
  after(async () => {
    await deployment?.stop();
  });

  /** `toystore <args> --host <server> --socket-port <port>` from the client host; its stdout. */
  const call = async (args: string[], server: 0 | 1): Promise<string> => {
    const { address, ports } = started().servers[server];
    const flags = ["--host", address, "--socket-port", String(ports.socket)];
    const result = await started().toystoreOnClient([...args, ...flags], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };

  it("runs each server in its host, listening on the host's address", async () => {
    for (const server of started().servers) {
      const namespace = started().hosts.host(server.host).namespace;
      const pid = server.process.pid;
      assert.equal(await namespaceId(`/proc/${pid}/ns/net`), await namespaceId(`/run/netns/${namespace}`));
      assert.equal(server.process.host, server.address);
      assert.deepEqual(server.process.ports, { socket: 7070, grpc: 50051, http: 8080 });
    }
    const postmaster = await started().postgres.postmasterPid();
    const db = started().hosts.host("db").namespace;
    assert.equal(await namespaceId(`/proc/${postmaster}/ns/net`), await namespaceId(`/run/netns/${db}`));
    assert.equal(
      started().databaseUrl,
      `postgres://postgres@${started().hosts.host("db").address}:5432/toystore`,
    );
  });

  it("answers a query and a buy from the client host on each server, one database behind both", async () => {
    assert.match(await call(["query", "Tux"], 0), /^19\.99 10 /);
    assert.match(await call(["buy", "Tux"], 0), /^1 .*bought one/);
    assert.match(await call(["query", "Tux"], 1), /^19\.99 9 /, "server2 sees server1's buy");
    assert.match(await call(["buy", "Fox"], 1), /^1 .*bought one/);
    assert.match(await call(["query", "Fox"], 0), /^15\.75 4 /, "server1 sees server2's buy");
  });

  it("keeps the books balanced: units sold equal orders stored", async () => {
    const books = await started().readBooks();
    assert.deepEqual(
      books.toys.map(({ name, sold }) => ({ name, sold })),
      [
        { name: "Tux", sold: 1 },
        { name: "Fox", sold: 1 },
      ],
    );
    assert.equal(books.unitsSold, 2);
    assert.equal(books.orders, 2);
    assert.equal(books.balanced, true);
  });

  it("stop() stops the servers and PostgreSQL and leaves no namespace or directory of ours", async () => {
    const { servers, postgres, hosts } = started();
    const postmaster = await postgres.postmasterPid();
    const { removedNamespaces } = await started().stop();
    assert.equal(removedNamespaces, 5, "four hosts and the switch");
    assert.deepEqual(await started().stop(), { removedNamespaces }, "a second stop() changes nothing");
    for (const server of servers) assert.ok(server.process.exit, `server on ${server.host} exited`);
    assert.ok(await exited(postmaster), `postmaster ${postmaster} exited`);
    assert.equal(existsSync(postgres.dir), false);
    assert.deepEqual(await ours(hosts.prefix), []);
  });
});

describe("the experiment across hosts (scripts/cluster-experiment.ts)", {
  skip: netnsSkip || postgresOrSkip().skip,
  timeout: 180_000,
}, () => {
  it("runs each cell with its clients on the client host and a server on each server host, then removes the hosts", async () => {
    const out = await mkdtemp(join(tmpdir(), "toystore-cluster-experiment-"));
    const before = await listNamespaces();
    try {
      const cells = ["--transports", "socket", "--locks", "mutex", "--ops", "query,buy", "--clients", "2"];
      const args = ["--import", "tsx", "scripts/cluster-experiment.ts", ...cells];
      args.push("--work-ms", "10", "--requests", "3", "--no-progress", "--out", out);
      const { stdout } = await run(process.execPath, args, { cwd: PACKAGE_ROOT, encoding: "utf8" });
      const hosts =
        /^hosts: client (10\.[\d.]+), server1 (10\.[\d.]+), server2 (10\.[\d.]+), db (10\.[\d.]+) /m.exec(
          stdout,
        );
      assert.ok(hosts, stdout);
      assert.match(stdout, /removed 5 namespaces/);
      const results = JSON.parse(await readFile(join(out, "results.json"), "utf8")) as ExperimentResults;
      // The clients connect to these addresses: a server elsewhere (or not listening there) fails every request.
      assert.deepEqual(results.serverHosts, [hosts[2], hosts[3]]);
      assert.match(await readFile(join(out, "report.md"), "utf8"), /each cell's 2 servers on others/);
      assert.deepEqual(
        results.cells.map((cell) => [
          cell.op,
          cell.store,
          cell.clients,
          cell.stopReason,
          cell.measured.count,
        ]),
        [
          ["query", "postgres", 2, "completed", 6],
          ["buy", "postgres", 2, "completed", 6],
        ],
      );
      for (const cell of results.cells) assert.deepEqual(cell.errors, {}, `${cell.op}: no request failed`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    assert.deepEqual(await listNamespaces(), before, "no namespace left behind");
  });
});
