// `node --import tsx scripts/ha-measure.ts`: what synchronous standbys cost
// and what a failover costs, on this machine, as markdown tables.
//
//   1. Buy and Query throughput of one `toystore serve` (closed loop, socket)
//      on a single PostgreSQL node, on a 3-node Patroni cluster without
//      synchronous replication, and with it (strict): the price of never
//      losing an acknowledged order when a host dies. pgbench (simple-update,
//      -N) on the same clusters, for the database's own figure.
//   2. The failover time as clients see it (the longest time without an
//      acknowledged keyed buy) per fault (postmaster killed, node lost,
//      switchover), the median of --runs runs (default 5) on one cluster.
//
// Each cell runs --seconds (default 10). Uses real CPU for minutes: run it on
// a quiet machine. `--dry-run` prints the plan and exits.

import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { connect } from "../src/client/connect.js";
import type { StoreClient } from "../src/client/store-client.js";
import { resolveEntry } from "../src/study/measure/entry-point.js";
import { PatroniCluster, type SynchronousMode } from "../src/study/measure/patroni-cluster.js";
import { postgresBinaries } from "../src/study/measure/postgres-binaries.js";
import { runCommand } from "../src/study/measure/run-command.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";

const DATABASE = "toystore";
const CLIENTS = 8;
const STOCK = 1e12;
const FAULTS = ["postmaster", "node", "switchover"] as const;
type Fault = (typeof FAULTS)[number];
const CONFIGS: readonly { name: string; nodes: number; mode: SynchronousMode }[] = [
  { name: "single node", nodes: 1, mode: "off" },
  { name: "3 nodes, asynchronous", nodes: 3, mode: "off" },
  { name: "3 nodes, synchronous (strict)", nodes: 3, mode: "strict" },
];

const { values } = parseArgs({
  options: {
    help: { type: "boolean", short: "h" },
    seconds: { type: "string", default: "10" },
    runs: { type: "string", default: "5" },
    "dry-run": { type: "boolean" },
  },
});
if (values.help === true) {
  console.log(
    "usage: npm run ha:measure -- [--seconds N] [--runs N] [--dry-run]\n(as root, Patroni installed; uses real CPU for minutes: run it on a quiet machine)",
  );
  process.exit(0);
}
const seconds = Number(values.seconds);
const runs = Number(values.runs);
if (!(Number.isInteger(seconds) && seconds >= 1 && Number.isInteger(runs) && runs >= 1)) {
  console.error("usage: ha-measure [--seconds N (>= 1)] [--runs N (>= 1)] [--dry-run]");
  process.exit(2);
}

async function withCluster<T>(
  nodes: number,
  mode: SynchronousMode,
  body: (c: PatroniCluster) => Promise<T>,
): Promise<T> {
  const cluster = await PatroniCluster.start({ nodes, synchronousMode: mode });
  try {
    const sql = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    await sql.unsafe(`CREATE DATABASE ${DATABASE}`).finally(() => sql.end());
    return await body(cluster);
  } finally {
    await cluster.stop();
  }
}

async function serve(cluster: PatroniCluster): Promise<ServerProcess> {
  return startToystore({
    transports: ["socket", "grpc"],
    flags: { store: cluster.url(DATABASE) },
    catalog: [{ name: "Tux", price: "1.00", stock: STOCK }],
  });
}

/** One closed-loop load cell: requests per second. */
async function throughput(server: ServerProcess, op: "buy" | "query"): Promise<number> {
  const entry = resolveEntry("cli/main");
  const args = [
    "load",
    "--socket-port",
    String(server.ports.socket),
    "--transport",
    "socket",
    "--op",
    op,
    "--toys",
    "Tux",
  ];
  args.push("-c", String(CLIENTS), "--duration", String(seconds), "--json");
  const result = await runCommand([process.execPath, ...entry.execArgv, entry.file, ...args], {
    timeoutMs: (seconds + 60) * 1000,
  });
  if (result.code !== 0) throw new Error(`load failed: ${result.stderr.trim()}`);
  return (JSON.parse(result.stdout) as { throughputPerSecond: number }).throughputPerSecond;
}

/** pgbench simple-update (-N) on the primary: transactions per second. */
async function pgbench(cluster: PatroniCluster): Promise<number> {
  const found = postgresBinaries();
  if ("missing" in found) throw new Error(found.missing);
  const primary = await cluster.primary();
  if (primary === undefined) throw new Error("no primary");
  const at = ["-h", primary.host, "-p", String(primary.pgPort), "-U", "postgres"];
  const tool = join(found.bin, "pgbench");
  const init = await runCommand([tool, ...at, "-i", "-q", "-s", "1", DATABASE]);
  if (init.code !== 0) throw new Error(`pgbench -i failed: ${init.stderr.trim()}`);
  const run = await runCommand([tool, ...at, "-N", "-c", String(CLIENTS), "-T", String(seconds), DATABASE]);
  const tps = /tps = ([\d.]+)/.exec(run.stdout)?.[1];
  if (run.code !== 0 || tps === undefined) throw new Error(`pgbench failed: ${run.stderr.trim()}`);
  return Number(tps);
}

/** Keyed buys from CLIENTS failover clients until `stop`; the longest time without an acknowledgement, ms. */
async function longestGap(clients: readonly StoreClient[], until: Promise<void>): Promise<number> {
  let stop = false;
  let last = performance.now();
  let longest = 0;
  void until.then(() => {
    stop = true;
  });
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; !stop && i < 1e6; i++) {
        const key = `gap-${process.pid}-${performance.now()}-${c}-${i}`;
        while (!stop) {
          try {
            await client.buy("Tux", { requestKey: key, timeoutMs: 3000 });
            const now = performance.now();
            longest = Math.max(longest, now - last);
            last = now;
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
    }),
  );
  return longest;
}

async function failoverTimes(): Promise<Record<Fault, number[]>> {
  return withCluster(3, "strict", async (cluster) => {
    const servers = [await serve(cluster)];
    servers.push(
      await startToystore({ transports: ["socket", "grpc"], flags: { store: cluster.url(DATABASE) } }),
    );
    const endpoints = servers.map((s) => ({ host: "127.0.0.1", port: s.ports.grpc! }));
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, (_, c) =>
        connect({ transport: "grpc", port: endpoints[0]!.port, servers: endpoints, first: c }),
      ),
    );
    const times: Record<Fault, number[]> = { postmaster: [], node: [], switchover: [] };
    try {
      for (let run = 0; run < runs; run++)
        for (const fault of FAULTS) {
          const done = (async () => {
            await new Promise((r) => setTimeout(r, 2000));
            const old = (await cluster.primary())!.name;
            if (fault === "postmaster") await cluster.killPostmaster(old);
            else if (fault === "node") await cluster.killNode(old);
            else await cluster.switchover();
            while (((await cluster.primary())?.name ?? old) === old)
              await new Promise((r) => setTimeout(r, 200));
            await new Promise((r) => setTimeout(r, 3000));
            cluster.startNode(old);
            await cluster.waitReady(120_000);
          })();
          times[fault].push(await longestGap(clients, done));
          console.error(`${fault} run ${run + 1}: ${Math.round(times[fault].at(-1)!)} ms`);
        }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(servers.map((s) => s.stop()));
    }
    return times;
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

console.log(
  `plan: ${CONFIGS.map((c) => c.name).join("; ")}: Buy, Query (${CLIENTS} clients, ${seconds} s each) and pgbench -N; then ${runs} runs of each fault (${FAULTS.join(", ")}) on 3 nodes, strict`,
);
if (!values["dry-run"]) {
  const missing = PatroniCluster.missing();
  if (missing !== undefined) throw new Error(missing);
  console.log("\n| database | Buy/s | Query/s | pgbench -N tps |\n|---|---:|---:|---:|");
  for (const config of CONFIGS) {
    const row = await withCluster(config.nodes, config.mode, async (cluster) => {
      const server = await serve(cluster);
      try {
        return [await throughput(server, "buy"), await throughput(server, "query"), await pgbench(cluster)];
      } finally {
        await server.stop();
      }
    });
    console.log(`| ${config.name} | ${row.map((x) => Math.round(x)).join(" | ")} |`);
  }
  const times = await failoverTimes();
  console.log(`\n| fault | failover seen by clients, median of ${runs} (ms) | runs (ms) |\n|---|---:|---|`);
  for (const fault of FAULTS)
    console.log(
      `| ${fault} | ${Math.round(median(times[fault]))} | ${times[fault].map(Math.round).join(", ")} |`,
    );
}
