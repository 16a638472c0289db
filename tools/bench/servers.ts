// Starts a suite's servers once, before its rounds: ours (`toystore serve`
// through the toolkit's launcher), the baselines, the Python grpcio reference
// server, Redis, and the run's throwaway PostgreSQL cluster. A server that
// cannot start (a prerequisite missing) is left out with the reason, and the
// rows that need it are reported as not measured.

import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type NodeEntry,
  PACKAGE_ROOT,
  resolveEntry,
  tsxExecArgv,
} from "../../src/study/measure/entry-point.js";
import { postgresBinaries } from "../../src/study/measure/postgres-binaries.js";
import { type PostgresCluster, startPostgresCluster } from "../../src/study/measure/postgres-cluster.js";
import { type ServerProcess, startServerProcess } from "../../src/study/measure/server.js";
import { serveArguments, startToystore, unlimitedCatalog } from "../../src/study/measure/toystore-launch.js";
import { CALLGRIND_READY_TIMEOUT_MS, callgrindPrefix } from "./callgrind.js";
import { findExecutable } from "./command-generators.js";
import type { ServerSpec, Suite } from "./suite.js";

/** Whose CPU a server's figure counts: a server process (tree), or the PostgreSQL cluster pgbench loads. */
export type CpuScope = "server" | "database";

/** A server of the suite, listening. */
export interface RunningServer {
  readonly id: string;
  /** The command line, for the report. */
  readonly command: string;
  readonly host: string;
  readonly port: number;
  /** The root of the process tree whose CPU is read (/proc). */
  readonly pid: number;
  readonly cpuScope: CpuScope;
  /** Runs under callgrind (--callgrind): its instructions are counted. */
  readonly callgrind: boolean;
  /** PostgreSQL's client arguments (-h, -p, -U) and the database, for pgbench. */
  readonly postgres?: { readonly clientArgs: readonly string[]; readonly database: string };
}

/** How the suite's servers are started. */
export interface ServerOptions {
  /** The python3 with grpcio for the reference server. */
  readonly python: string;
  /**
   * Runs ours and the Node baselines under callgrind, writing its profiles to
   * the scratch folder; the other servers are then left out (their figures
   * would sit next to servers slowed fifty times).
   */
  readonly callgrind?: boolean;
}

/** A suite's servers once started: those that run, those left out and why, and one close for all. */
export interface SuiteServers {
  readonly running: ReadonlyMap<string, RunningServer>;
  readonly unavailable: ReadonlyMap<string, string>;
  /** The scratch folder (SQLite files, pgbench scripts, callgrind output), removed by close(). */
  readonly scratch: string;
  /** Our CLI: compiled (dist/) when fresh, else the source through tsx. */
  readonly oursEntry: NodeEntry;
  /** Stops every server by its PID, then the cluster, then removes the scratch folder. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the suite's servers in their order (a pgbench server after the
 * server of ours that fills its database). `register` gets the close
 * function before anything starts, so an interrupt mid-start stops what did.
 */
export async function startSuiteServers(
  suite: Suite,
  options: ServerOptions,
  register: (close: () => Promise<void>) => void,
): Promise<SuiteServers> {
  const scratch = await mkdtemp(join(tmpdir(), `toystore-bench-${suite.name}-`));
  const oursEntry = resolveEntry("cli/main");
  const running = new Map<string, RunningServer>();
  const unavailable = new Map<string, string>();
  const processes: ServerProcess[] = [];
  // The start, not the cluster: an interrupt while it starts must still stop it.
  let clusterStart: Promise<PostgresCluster> | undefined;
  const databases = new Map<string, string>();
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await Promise.all(processes.map((server) => server.stop()));
      await (await clusterStart?.catch(() => undefined))?.stop();
      await rm(scratch, { recursive: true, force: true });
    })();
    return closing;
  };
  register(close);

  const started = (server: ServerProcess): ServerProcess => {
    processes.push(server);
    return server;
  };
  const database = async (name: string): Promise<string> => {
    const binaries = postgresBinaries();
    if ("missing" in binaries) throw new Error(binaries.missing);
    clusterStart ??= startPostgresCluster();
    const cluster = await clusterStart;
    const known = databases.get(name);
    if (known !== undefined) return known;
    const url = await cluster.createDatabase(name);
    databases.set(name, url);
    return url;
  };

  const prefix = options.callgrind === true ? { commandPrefix: callgrindPrefix(scratch) } : {};
  const readyTimeout = options.callgrind === true ? { readyTimeoutMs: CALLGRIND_READY_TIMEOUT_MS } : {};
  const start = async (id: string, spec: ServerSpec): Promise<RunningServer> => {
    if (options.callgrind === true && spec.kind !== "toystore" && spec.kind !== "baseline")
      throw new Error("not run under --callgrind, which runs our servers and the Node baselines only");
    switch (spec.kind) {
      case "toystore": {
        const flags: Record<string, string | number> = { ...spec.flags };
        if (spec.store !== undefined)
          flags.store =
            spec.store.kind === "sqlite"
              ? `sqlite:${join(scratch, spec.store.file)}`
              : await database(spec.store.database);
        const switches = spec.switches ?? [];
        const server = started(
          await startToystore({
            transports: [spec.transport],
            flags,
            switches,
            catalog: unlimitedCatalog(spec.toys),
            entry: oursEntry,
            ...prefix,
            ...readyTimeout,
          }),
        );
        const args = serveArguments({ transports: [spec.transport], flags, switches }).join(" ");
        return listening(id, server, `toystore ${args} (${oursEntry.runtime})`, options);
      }
      case "baseline": {
        const file = join(PACKAGE_ROOT, "tools", "baselines", `${spec.name}.ts`);
        const server = started(
          await startServerProcess({
            command: process.execPath,
            args: [...tsxExecArgv(), file, "--port", "0"],
            ...prefix,
            ...readyTimeout,
          }),
        );
        return listening(id, server, `tools/baselines/${spec.name}.ts`, options);
      }
      case "python-grpc-reference": {
        // Without grpcio the script exits at once, saying so: the server is then left out with that reason.
        const file = join(PACKAGE_ROOT, "tools", "baselines", "python-grpc-reference.py");
        const server = started(
          await startServerProcess({ command: options.python, args: [file, "--port", "0"] }),
        );
        return listening(id, server, `${options.python} tools/baselines/python-grpc-reference.py`, options);
      }
      case "redis": {
        const server = started(await startRedis(spec.aof ? scratch : undefined));
        return listening(
          id,
          server,
          `redis-server${spec.aof ? " --appendonly yes --appendfsync always" : ""}`,
          options,
        );
      }
      case "postgres": {
        await database(spec.database);
        const cluster = await clusterStart!;
        const pid = await cluster.postmasterPid();
        return {
          id,
          command: `PostgreSQL (throwaway cluster), database ${spec.database}`,
          host: cluster.host,
          port: cluster.port,
          pid,
          cpuScope: "database",
          callgrind: false,
          postgres: { clientArgs: cluster.clientArgs(), database: spec.database },
        };
      }
    }
  };

  for (const [id, spec] of Object.entries(suite.servers)) {
    try {
      running.set(id, await start(id, spec));
    } catch (error) {
      unavailable.set(id, firstLine((error as Error).message));
    }
  }
  return { running, unavailable, scratch, oursEntry, close };
}

function listening(
  id: string,
  server: ServerProcess,
  command: string,
  options: ServerOptions,
): RunningServer {
  return {
    id,
    command: options.callgrind === true ? `valgrind --tool=callgrind ${command}` : command,
    host: server.host,
    port: server.port,
    pid: server.pid,
    cpuScope: "server",
    callgrind: options.callgrind === true,
  };
}

/**
 * A launcher message (it quotes the server's last lines) in one line for the
 * table's notes: its first line and the server's last two, where the server
 * says what was wrong (e.g. "error: unknown option '--metrics'").
 */
function firstLine(message: string): string {
  const lines = message.split("\n").filter((line) => line.trim() !== "");
  return lines.length <= 1
    ? message
    : `${lines[0]} ... ${lines
        .slice(-2)
        .map((line) => line.trim())
        .join(" / ")}`;
}

/**
 * Redis has no port 0: reserve a free port, then wait for its own ready line.
 * With `aofDir`, every write is appended to a file there and synced before its
 * reply (appendfsync always): the durable anchor.
 */
async function startRedis(aofDir?: string): Promise<ServerProcess> {
  if (findExecutable("redis-server") === undefined)
    throw new Error("redis-server is not installed: apt-get install redis-server");
  const port = await new Promise<number>((resolve, reject) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.once("error", reject);
  });
  return startServerProcess({
    command: "redis-server",
    args: [
      ...["--port", String(port), "--bind", "127.0.0.1", "--save", ""],
      ...(aofDir === undefined
        ? ["--appendonly", "no"]
        : ["--appendonly", "yes", "--appendfsync", "always", "--dir", aofDir]),
    ],
    readyLine: { pattern: /Ready to accept connections/, port },
  });
}
