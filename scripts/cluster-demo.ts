// `npm run cluster:demo`: the store on six hosts of one machine (network
// namespaces): a client host, two servers, and a database tier of three hosts
// (PostgreSQL with synchronous standbys and automatic failover, Patroni).
// Prints the topology, runs a bounded load from the client against both
// servers, kills the primary database host in the middle of it, then prints
// what the clients saw (buys acknowledged, the failover time) and the books
// from the new primary (units sold against orders stored), and takes
// everything down again, also on SIGINT/SIGTERM. `-- --pull-link` pulls the
// primary host's cable instead of killing its processes (the host lives on,
// cut off; its cable goes back after the load). Needs root, `ip netns`,
// PostgreSQL and Patroni; says which is missing and exits 1 otherwise.

import { setTimeout as sleep } from "node:timers/promises";
import { formatHostPort } from "../src/net/host-port.js";
import { defaultCatalogEntries, deploymentRefusal } from "../src/study/measure/cluster-deployment.js";
import type { Books } from "../src/study/measure/deployment-books.js";
import { type HaDeployment, startHaDeployment } from "../src/study/measure/ha-deployment.js";
import { listNamespaces } from "../src/study/measure/netns.js";
import { patroniMissing } from "../src/study/measure/postgres-binaries.js";

/** The load: bounded in time and rate (open loop), each buy with its own deadline. */
const LOAD = { clients: 8, seconds: 30, rate: 200, timeoutMs: 3000 } as const;
/** When the primary's host is killed, after the load starts. */
const KILL_AFTER_MS = 8000;
/** The probe: one keyed HTTP buy from the client host this often, to time the failover as a client sees it. */
const PROBE_EVERY_MS = 200;
const PULL_LINK = process.argv.slice(2).includes("--pull-link");
/** Enough stock that no run sells out. */
const STOCK = 1_000_000;

function topology(d: HaDeployment, primary: string | undefined): string {
  const host = (name: string) => d.hosts.host(name);
  const [one, two] = d.servers;
  const box = (name: string) => `[${name.padEnd(7)} ${host(name).address}]`;
  const db = (name: string) => `${box(name)}${name === primary ? " primary" : " standby"}`;
  return [
    `  ${box("client").padEnd(30)}load: ${LOAD.clients} clients, ${LOAD.rate} buys/s for ${LOAD.seconds} s, socket; a probe buy every ${PROBE_EVERY_MS} ms over HTTP`,
    "        |",
    "        +-----------------------------+",
    "        v                             v",
    `  ${box(one.host).padEnd(30)}${box(two.host)}`,
    `   each: socket ${one.ports.socket}, grpc ${one.ports.grpc}, http ${one.ports.http}`,
    `   --store ${d.databaseUrl}`,
    "        |                             |",
    "        +--------------+--------------+   (to whichever node is the primary)",
    "                       v",
    `  ${db("db1")}   ${db("db2")}   ${db("db3")}`,
    "  each: PostgreSQL :5432 + Patroni (REST :8008, Raft :5010); a commit waits for a synchronous standby",
    `  hosts: ${d.hosts.hosts.map((h) => h.namespace).join(", ")}; one bridge in ${d.hosts.switchNamespace}; subnet ${d.hosts.subnet}`,
  ].join("\n");
}

/** Runs the load from the client host; returns the buys acknowledged, or undefined when it failed. */
async function runLoad(d: HaDeployment, signal: AbortSignal): Promise<number | undefined> {
  const servers = d.servers.map((s) => formatHostPort(s.address, s.ports.socket)).join(",");
  const args = ["load", "--servers", servers, "--transport", "socket", "--op", "buy", "--json"];
  args.push("-c", String(LOAD.clients), "--duration", String(LOAD.seconds), "--rate", String(LOAD.rate));
  args.push("--timeout-ms", String(LOAD.timeoutMs));
  console.log(`\nload, on the client host: ${["toystore", ...args].join(" ")}`);
  const result = await d.toystoreOnClient(args, { timeoutMs: (LOAD.seconds + 60) * 1000, signal });
  if (signal.aborted) return undefined;
  if (result.code !== 0) {
    const lines = result.stderr.trim().split("\n");
    console.log(
      `load failed (exit ${result.code ?? result.signal}): ${lines.find((l) => /^(toystore|error):/.test(l)) ?? lines.at(-1)}`,
    );
    return undefined;
  }
  const results = JSON.parse(result.stdout) as {
    outcomes?: Record<string, number>;
    errors?: Record<string, number>;
  };
  const list = (counts: Record<string, number> = {}) =>
    Object.entries(counts)
      .map(([name, n]) => `${name} ${n}`)
      .join(", ") || "none";
  console.log(`load: ${list(results.outcomes)}; failed: ${list(results.errors)}`);
  return results.outcomes?.bought ?? 0;
}

/** Keyed HTTP buys from the client host, alternating servers, until `until`; the times each was acknowledged. */
async function probe(d: HaDeployment, until: () => boolean): Promise<number[]> {
  const acked: number[] = [];
  for (let i = 0; !until(); i++) {
    const server = d.servers[i % 2]!;
    const url = `http://${formatHostPort(server.address, server.ports.http)}/api/toys/Tux/buy`;
    const started = performance.now();
    const curl = [
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "-m",
      "3",
      "-X",
      "POST",
      "-H",
      `Idempotency-Key: probe-${i}`,
      url,
    ];
    const result = await d.runOnClient("curl", curl, { timeoutMs: 5000 }).catch(() => undefined);
    if (result?.stdout === "200") acked.push(performance.now());
    await sleep(Math.max(0, PROBE_EVERY_MS - (performance.now() - started)));
  }
  return acked;
}

function printBooks(books: Books, acknowledged: number, failoverMs: number | undefined): void {
  console.log("\nthe books, from the new primary:");
  for (const toy of books.toys)
    console.log(`  ${toy.name.padEnd(10)} ${toy.initialStock} - ${toy.stock} = ${toy.sold} sold`);
  console.log(`  buys acknowledged to the clients: ${acknowledged}`);
  console.log(
    `  orders stored: ${books.orders} (a buy whose answer was lost in the failover may be stored too)`,
  );
  console.log(
    `  failover time seen by the clients: ${failoverMs === undefined ? "unknown" : `${(failoverMs / 1000).toFixed(1)} s`} without an acknowledged buy`,
  );
  console.log(
    `  units sold ${books.unitsSold} = orders stored ${books.orders}: ${books.balanced ? "equal" : "NOT EQUAL"}`,
  );
}

async function main(): Promise<number> {
  const why = (await deploymentRefusal()) ?? patroniMissing();
  if (why !== undefined) {
    console.error(`cluster-demo: cannot run: ${why}`);
    return 1;
  }
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) return;
    console.error(`\n${signal}: stopping everything`);
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let d: HaDeployment | undefined;
  let ok = false;
  try {
    console.log(
      "starting: 6 hosts, a 3-node PostgreSQL cluster on db1-db3, toystore serve on server1 and server2 ...",
    );
    const catalog = defaultCatalogEntries().map((toy) => ({ ...toy, stock: STOCK }));
    d = await startHaDeployment({ catalog, signal: abort.signal });
    const deployment = d;
    console.log(topology(d, await d.primaryHost()));
    let loading = true;
    const probing = probe(d, () => !loading || abort.signal.aborted);
    const load = runLoad(d, abort.signal).finally(() => {
      loading = false;
    });
    await sleep(KILL_AFTER_MS, undefined, { signal: abort.signal }).catch(() => {});
    const victim = await d.primaryHost();
    let killedAt: number | undefined;
    if (victim !== undefined && !abort.signal.aborted) {
      if (PULL_LINK) await d.hosts.cutLink(victim);
      else await d.killDbHost(victim);
      killedAt = performance.now();
      const what = PULL_LINK ? "pulled the cable of" : "killed";
      console.log(
        `${what} ${victim}, the primary's host (Patroni and PostgreSQL), ${KILL_AFTER_MS / 1000} s into the load`,
      );
    }
    const [acknowledged, acks] = await Promise.all([load, probing]);
    // The old primary's Patroni, back on the network, finds it lost the leader key and rejoins as a standby.
    if (PULL_LINK && victim !== undefined) await d.hosts.restoreLink(victim);
    if (!abort.signal.aborted && acknowledged !== undefined && killedAt !== undefined) {
      const after = acks.findIndex((t) => t > killedAt);
      const failoverMs = after > 0 ? acks[after]! - acks[after - 1]! : undefined;
      console.log(`the new primary: ${await deployment.primaryHost()}`);
      const books = await deployment.readBooks();
      printBooks(books, acknowledged + acks.length, failoverMs);
      ok = books.balanced && books.orders >= acknowledged + acks.length;
    }
  } catch (error) {
    console.error(`cluster-demo: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (d !== undefined) {
      const prefix = `${d.hosts.prefix}-`;
      try {
        const { removedNamespaces } = await d.stop();
        console.log(
          `\nstopped the servers and the database cluster; removed ${removedNamespaces} namespaces`,
        );
      } catch (error) {
        ok = false;
        console.error(`cluster-demo: ${error instanceof Error ? error.message : String(error)}`);
      }
      const left = (await listNamespaces()).filter((name) => name.startsWith(prefix));
      if (left.length > 0) {
        ok = false;
        console.error(`cluster-demo: namespaces left behind: ${left.join(", ")}`);
      }
    }
  }
  if (abort.signal.aborted) return 130;
  return ok ? 0 : 1;
}

process.exit(await main());
