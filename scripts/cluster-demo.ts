// `npm run cluster:demo`: the store on four hosts of one machine (network
// namespaces): a client host, two servers sharing one PostgreSQL on a db
// host. Prints the topology, runs a bounded load from the client against
// both servers, then the books from the database (units sold against orders
// stored), and takes everything down again, also on SIGINT/SIGTERM. Needs
// root, `ip netns` and PostgreSQL; says which is missing and exits 1 otherwise.

import { relative } from "node:path";
import { formatHostPort } from "../src/net/host-port.js";
import {
  type Deployment,
  DeploymentAbortedError,
  deploymentRefusal,
  startDeployment,
} from "../src/study/measure/cluster-deployment.js";
import type { Books } from "../src/study/measure/deployment-books.js";
import { listNamespaces } from "../src/study/measure/netns.js";

/** The load: bounded in count (clients x requests) and in time (the command is interrupted after it). */
const LOAD = { clients: 10, requests: 200, timeoutMs: 120_000 } as const;

/** A box per host, the arrows the traffic takes. */
function topology(deployment: Deployment): string {
  const host = (name: string) => deployment.hosts.host(name);
  const [one, two] = deployment.servers;
  const { socket, grpc, http } = one.ports;
  const box = (name: string) => `[${name.padEnd(7)} ${host(name).address}]`;
  return [
    `  ${box("client").padEnd(30)}load: ${LOAD.clients} clients x ${LOAD.requests} requests, socket, --op mix`,
    "        |",
    "        +-----------------------------+",
    "        v                             v",
    `  ${box(one.host).padEnd(30)}${box(two.host)}`,
    `   each: socket ${socket}, grpc ${grpc}, http ${http}, --store ${deployment.databaseUrl}`,
    "        |                             |",
    "        +--------------+--------------+",
    "                       v",
    `                 ${box("db")}  PostgreSQL :${deployment.postgres.port}`,
    `  hosts: ${deployment.hosts.hosts.map((h) => h.namespace).join(", ")}`,
    `  one bridge in ${deployment.hosts.switchNamespace}; subnet ${deployment.hosts.subnet}; no route out of it`,
  ].join("\n");
}

const sum = (counts: Record<string, number> = {}): number => Object.values(counts).reduce((a, b) => a + b, 0);
const list = (counts: Record<string, number> = {}): string =>
  Object.entries(counts)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ") || "none";

/** Runs the load from the client host; returns the buys acknowledged, or undefined when it failed. */
async function runLoad(deployment: Deployment, signal: AbortSignal): Promise<number | undefined> {
  const servers = deployment.servers.map((s) => formatHostPort(s.address, s.ports.socket)).join(",");
  const args = ["load", "--servers", servers, "--transport", "socket"];
  args.push("-c", String(LOAD.clients), "-n", String(LOAD.requests), "--op", "mix", "--json");
  const cli = [
    process.execPath,
    ...deployment.entry.execArgv,
    relative(process.cwd(), deployment.entry.file),
  ];
  console.log(`\nload, on the client host: ${[...cli, ...args].join(" ")}`);
  const result = await deployment.toystoreOnClient(args, { timeoutMs: LOAD.timeoutMs, signal });
  if (signal.aborted) return undefined;
  if (result.code !== 0) {
    // The CLI's one-line reason ("toystore: ..."), or commander's ("error: ..."), else the last line.
    const lines = result.stderr.trim().split("\n");
    const why = lines.find((line) => /^(toystore|error):/.test(line)) ?? lines.at(-1) ?? "";
    console.log(`load failed (exit ${result.code ?? result.signal}): ${why}`);
    return undefined;
  }
  const results = JSON.parse(result.stdout) as {
    outcomes?: Record<string, number>;
    errors?: Record<string, number>;
    throughputPerSecond?: number;
    failovers?: number;
  };
  console.log(`requests: ${sum(results.outcomes)} ok (${list(results.outcomes)})`);
  console.log(`          ${sum(results.errors)} failed (${list(results.errors)})`);
  if (results.throughputPerSecond !== undefined)
    console.log(`          ${Math.round(results.throughputPerSecond)} requests/s`);
  console.log(`          ${results.failovers ?? 0} failovers`);
  return results.outcomes?.bought ?? 0;
}

function printBooks(books: Books, acknowledged: number | undefined): void {
  console.log("\nthe books, from the database:");
  for (const toy of books.toys)
    console.log(`  ${toy.name.padEnd(10)} ${toy.initialStock} - ${toy.stock} = ${toy.sold} sold`);
  console.log(
    `  units sold ${books.unitsSold}, orders stored ${books.orders}: ${books.balanced ? "equal" : "NOT EQUAL"}`,
  );
  if (acknowledged !== undefined) console.log(`  buys acknowledged to the clients: ${acknowledged}`);
}

async function main(): Promise<number> {
  const why = await deploymentRefusal();
  if (why !== undefined) {
    console.error(`cluster-demo: cannot run: ${why}`);
    return 1;
  }
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) return; // already stopping
    console.error(`\n${signal}: stopping everything`);
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let deployment: Deployment | undefined;
  let ok = false;
  try {
    console.log("starting: 4 hosts, PostgreSQL on db, toystore serve on server1 and server2 ...");
    deployment = await startDeployment({ signal: abort.signal });
    console.log(topology(deployment));
    const acknowledged = await runLoad(deployment, abort.signal);
    if (!abort.signal.aborted) {
      const books = await deployment.readBooks();
      printBooks(books, acknowledged);
      ok = acknowledged !== undefined && books.balanced;
    }
  } catch (error) {
    if (error instanceof DeploymentAbortedError) console.log(`removed ${error.removedNamespaces} namespaces`);
    else console.error(`cluster-demo: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (deployment !== undefined) {
      const prefix = `${deployment.hosts.prefix}-`;
      try {
        const { removedNamespaces } = await deployment.stop();
        console.log(`\nstopped the servers and PostgreSQL; removed ${removedNamespaces} namespaces`);
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
