// `npm run ha:local`: a PostgreSQL cluster with synchronous standbys and
// automatic failover (three Patroni nodes on loopback, strict synchronous
// mode) for trying the store by hand. Starts it (about 10 s), creates the
// database `toystore`, prints the URL the servers take and exits; the nodes
// keep running in the background, their folders and a state file under the
// system's temporary directory. `npm run ha:local -- stop` kills every node
// by PID and removes it all. Needs PostgreSQL and Patroni (as root, the nodes
// run as the `postgres` user).

import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { PatroniCluster, type PatroniClusterState } from "../src/study/measure/patroni-cluster.js";

const STATE = join(tmpdir(), "toystore-ha-local.json");
const DATABASE = "toystore";
const USAGE = "usage: npm run ha:local   |   npm run ha:local -- stop";

async function running(): Promise<PatroniCluster | undefined> {
  if (!existsSync(STATE)) return undefined;
  const cluster = await PatroniCluster.open(JSON.parse(await readFile(STATE, "utf8")) as PatroniClusterState);
  return cluster.nodes.some((n) => n.pid !== undefined) ? cluster : undefined;
}

function explain(cluster: PatroniCluster, already: boolean): void {
  const url = cluster.url(DATABASE);
  console.log(
    `A PostgreSQL cluster with synchronous standbys ${already ? "is already running" : "started"}:`,
  );
  for (const n of cluster.nodes)
    console.log(
      `  ${n.name}: PostgreSQL ${n.host}:${n.pgPort}, Patroni REST http://${n.host}:${n.restPort}/cluster, in ${n.dir}`,
    );
  console.log("The URL to serve (every node; the servers follow whichever is the primary):");
  console.log(`  ${url}`);
  console.log("Try the store on it:");
  console.log(`  npx toystore serve --store '${url}'`);
  console.log("Stop it and remove its folders:");
  console.log("  npm run ha:local -- stop");
}

async function start(): Promise<void> {
  const found = await running();
  if (found !== undefined) return explain(found, true);
  const cluster = await PatroniCluster.start();
  try {
    const sql = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await sql.end();
    }
    await writeFile(STATE, JSON.stringify(cluster.state));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  explain(cluster, false);
}

async function stop(): Promise<void> {
  if (!existsSync(STATE)) {
    console.log(`nothing to stop: there is no ${STATE}`);
    return;
  }
  const cluster = await PatroniCluster.open(JSON.parse(await readFile(STATE, "utf8")) as PatroniClusterState);
  await cluster.stop();
  await rm(STATE, { force: true });
  console.log(`stopped every node and removed ${cluster.dir}`);
}

const [command = "start", ...extra] = process.argv.slice(2);
if ((command !== "start" && command !== "stop") || extra.length > 0) {
  console.error(`unexpected arguments: ${process.argv.slice(2).join(" ")}\n${USAGE}`);
  process.exitCode = 2;
} else {
  try {
    await (command === "stop" ? stop() : start());
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
