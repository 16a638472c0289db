// `npm run cluster:experiment -- [--server-hosts 1|2] [experiment flags]`:
// the Toy Store study's cells across hosts of one machine (network
// namespaces): the clients on a client host, each cell's fresh servers on one
// or two server hosts (default two, the clients spread over them), its fresh
// database on PostgreSQL on a db host. Every hop crosses a veth link and
// another TCP stack (no added delay: these kernels have no netem). Takes the
// flags of `toystore experiment` except --stores (the cells run on the db
// host's PostgreSQL); writes the same report, by default to results/cluster.
// Needs root, `ip netns` and PostgreSQL; says which is missing and exits 1.
//
// This process builds the hosts and PostgreSQL, then runs itself again on the
// client host (`--on-client`), where the experiment forks its clients; that
// run starts each cell's servers on the server hosts with `ip netns exec`.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { registerExperimentCommand } from "../src/cli/experiment-command.js";
import { runProgram } from "../src/cli/run-program.js";
import type { CellServerPlacement } from "../src/study/load/run-cell.js";
import { deploymentRefusal, startPostgresOnHost } from "../src/study/measure/cluster-deployment.js";
import { createHosts, type Hosts, listNamespaces, namespacePids } from "../src/study/measure/netns.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";

const ON_CLIENT = "--on-client";
const DEFAULT_OUT = "results/cluster";
/** The experiment is bounded by its cells; this only stops a run that hangs (then SIGINT: it reports what it has). */
const RUN_TIMEOUT_MS = 60 * 60 * 1000;

const SERVER_HOSTS = ["server1", "server2"] as const;

/** `toystore experiment` with each cell's servers on `placements`, parsed from `args`; resolves with its exit code. */
function runExperimentCli(
  args: readonly string[],
  placements?: readonly CellServerPlacement[],
): Promise<number> {
  const program = new Command("cluster-experiment").exitOverride();
  registerExperimentCommand(program, undefined, placements);
  for (const command of program.commands) command.exitOverride();
  return runProgram(program, [process.argv[0]!, process.argv[1]!, "experiment", ...args]);
}

/** Runs this script on the client host; resolves with its exit code. SIGTERM here is passed on as SIGINT. */
function runOnClient(
  hosts: Hosts,
  placements: readonly CellServerPlacement[],
  args: readonly string[],
): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const [command, ...prefix] = hosts.exec("client") as [string, ...string[]];
  const argv = [
    ...prefix,
    process.execPath,
    ...process.execArgv,
    self,
    ON_CLIENT,
    JSON.stringify(placements),
  ];
  const child = spawn(command, [...argv, ...args], { stdio: "inherit" });
  const interrupt = (): void => {
    if (child.pid !== undefined) process.kill(child.pid, "SIGINT");
  };
  // The terminal's Ctrl-C reaches the child too (one process group): it stops and reports.
  const onSigint = (): void => {};
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", interrupt);
  const timer = setTimeout(interrupt, RUN_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", interrupt);
      resolve(code ?? (signal === "SIGINT" ? 130 : 1));
    });
  });
}

/** Takes --server-hosts N (1 or 2; default 2) out of the arguments. */
function serverHostsFlag(args: readonly string[]): { count: number; rest: string[] } | { error: string } {
  const rest: string[] = [];
  let given: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--server-hosts") given = args[++i] ?? "";
    else if (arg.startsWith("--server-hosts=")) given = arg.slice("--server-hosts=".length);
    else rest.push(arg);
  }
  if (given === undefined) return { count: SERVER_HOSTS.length, rest };
  if (given !== "1" && given !== "2") return { error: `--server-hosts must be 1 or 2, got "${given}"` };
  return { count: Number(given), rest };
}

async function main(argv: readonly string[]): Promise<number> {
  let args = argv;
  if (args[0] === ON_CLIENT) {
    const placements = JSON.parse(args[1]!) as CellServerPlacement[];
    return runExperimentCli(args.slice(2), placements);
  }
  if (args.includes("--help") || args.includes("-h")) {
    console.log(
      "cluster:experiment: the experiment with its clients, servers and PostgreSQL on separate hosts\n" +
        "(network namespaces; root). --server-hosts 1|2: servers per cell, each on its own host (default 2,\n" +
        "the clients spread over them). Takes the experiment's flags but --stores; --out defaults to results/cluster.\n",
    );
    return runExperimentCli(["--help"]);
  }
  const split = serverHostsFlag(args);
  if ("error" in split) {
    console.error(`cluster:experiment: ${split.error}`);
    return 2;
  }
  args = split.rest;
  if (args.some((arg) => arg === "--stores" || arg.startsWith("--stores="))) {
    console.error("cluster:experiment: --stores is not taken: every cell runs on PostgreSQL on the db host");
    return 2;
  }
  const why = await deploymentRefusal();
  if (why !== undefined) {
    console.error(`cluster:experiment: cannot run: ${why}`);
    return 1;
  }
  const out = args.some((arg) => arg === "--out" || arg.startsWith("--out=")) ? [] : ["--out", DEFAULT_OUT];
  const serverHosts = SERVER_HOSTS.slice(0, split.count);
  // From here on a signal must not end this process before it has removed what it made.
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const hosts = await createHosts(["client", ...serverHosts, "db"]);
  let postgres: PostgresCluster | undefined;
  let code = 1;
  try {
    if (interrupted) return 130;
    postgres = await startPostgresOnHost(hosts, "db");
    if (interrupted) return 130;
    const placements = serverHosts.map((name) => ({
      commandPrefix: hosts.exec(name),
      host: hosts.host(name).address,
    }));
    const servers = serverHosts.map((name) => `${name} ${hosts.host(name).address}`).join(", ");
    console.log(
      `hosts: client ${hosts.host("client").address}, ${servers}, db ${hosts.host("db").address} ` +
        `(PostgreSQL :${postgres.port}); a new database and ${serverHosts.length === 1 ? "server" : "servers"} per cell`,
    );
    code = await runOnClient(hosts, placements, [...args, ...out, "--stores", postgres.url()]);
  } catch (error) {
    console.error(`cluster:experiment: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    // A run killed mid-cell (a second Ctrl-C) leaves its server and clients behind: stop them by PID.
    for (const name of ["client", ...serverHosts]) {
      const pids = await namespacePids(hosts.host(name).namespace).catch(() => []);
      for (const pid of pids) process.kill(pid, "SIGKILL");
      if (pids.length > 0)
        console.error(`cluster:experiment: killed ${pids.length} processes left on ${name}`);
    }
    await postgres?.stop().catch((error: Error) => {
      code = 1;
      console.error(`cluster:experiment: stopping PostgreSQL: ${error.message}`);
    });
    const removed = await hosts.remove();
    const left = (await listNamespaces()).filter((name) => name.startsWith(`${hosts.prefix}-`));
    if (left.length > 0) {
      code = 1;
      console.error(`cluster:experiment: namespaces left behind: ${left.join(", ")}`);
    } else console.log(`stopped PostgreSQL; removed ${removed} namespaces`);
  }
  return code;
}

process.exit(await main(process.argv.slice(2)));
