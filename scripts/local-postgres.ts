// `npm run postgres:local`: a PostgreSQL cluster kept in ./.postgres for
// trying the store by hand. Starts it (running initdb the first time) on
// 127.0.0.1:5432, or `--port N`, creates the database `toystore` if missing,
// prints its URL and exits; the server keeps running in the background.
// `npm run postgres:local -- stop` stops it and removes ./.postgres.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { postgresBinaries } from "../src/study/measure/postgres-binaries.js";
import {
  openPostgresCluster,
  type PostgresCluster,
  runningPostmaster,
  startPostgresCluster,
} from "../src/study/measure/postgres-cluster.js";

/** At the package root whatever the working directory, so `stop` finds what `start` made. */
const DIR = fileURLToPath(new URL("../.postgres", import.meta.url));
const DATABASE = "toystore";
const DEFAULT_PORT = 5432;
const USAGE = "usage: npm run postgres:local [-- --port N]   |   npm run postgres:local -- stop";

const run = promisify(execFile);

class UsageError extends Error {}

function parse(): { command: "start" | "stop"; port: number | undefined } {
  let parsed: { values: { port?: string | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({ options: { port: { type: "string" } }, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [command = "start", ...extra] = parsed.positionals;
  if ((command !== "start" && command !== "stop") || extra.length > 0) {
    throw new UsageError(`unexpected arguments: ${parsed.positionals.join(" ")}`);
  }
  const text = parsed.values.port;
  const port = text === undefined ? undefined : Number(text);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65_535)) {
    throw new UsageError(`--port must be an integer from 1 to 65535, got ${text}`);
  }
  return { command, port };
}

/** Creates the database unless it exists (createdb alone would fail on the second run). */
async function ensureDatabase(bin: string, cluster: PostgresCluster): Promise<string> {
  const args = ["-X", ...cluster.clientArgs(), "-d", "postgres", "-At"];
  const sql = `select 1 from pg_database where datname = '${DATABASE}'`;
  const { stdout } = await run(join(bin, "psql"), [...args, "-c", sql]);
  return stdout.trim() === "1" ? cluster.url(DATABASE) : cluster.createDatabase(DATABASE);
}

async function start(port: number | undefined): Promise<void> {
  const found = postgresBinaries();
  if ("missing" in found) throw new Error(found.missing);
  const running = await runningPostmaster(DIR);
  if (running && port !== undefined && port !== running.port) {
    console.error(`note: already running on port ${running.port}; stop it first to move it to ${port}`);
  }
  const cluster = running
    ? await openPostgresCluster({ dir: DIR })
    : await startPostgresCluster({ dir: DIR, port: port ?? DEFAULT_PORT, keep: true });
  const url = await ensureDatabase(found.bin, cluster);
  const pid = await cluster.postmasterPid();
  console.log(`PostgreSQL ${running ? "is already running" : "started"} in ./.postgres (PID ${pid}):`);
  console.log(`  ${url}`);
  console.log("Try the store on it:");
  console.log(`  npx toystore serve --store ${url}`);
  console.log("Stop it and remove ./.postgres:");
  console.log("  npm run postgres:local -- stop");
}

async function stop(): Promise<void> {
  if (!existsSync(DIR)) {
    console.log("nothing to stop: there is no ./.postgres");
    return;
  }
  await (await openPostgresCluster({ dir: DIR })).stop();
  console.log("stopped PostgreSQL and removed ./.postgres");
}

try {
  const { command, port } = parse();
  await (command === "stop" ? stop() : start(port));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
