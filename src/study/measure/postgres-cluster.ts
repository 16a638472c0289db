// A throwaway PostgreSQL cluster for tests, benchmarks and trying the store
// locally: initdb into DIR/data, a postmaster on 127.0.0.1 with its socket in
// DIR and its log in DIR/log, stopped and removed by the caller. initdb and
// postgres refuse to run as root, so as root every tool runs as the
// `postgres` OS user (postgres-binaries.ts finds both). Trust authentication:
// acceptable only because the cluster is throwaway and listens on loopback,
// or on an address inside a network namespace of our own (netns.ts) with a
// command prefix that runs it there. Linux only: processes are watched
// through /proc (proc.ts).

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, chown, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { formatHostPort } from "../../net/host-port.js";
import { isRoot, postgresBinaries, postgresUser } from "./postgres-binaries.js";
import { childPids, hasExited, processState } from "./proc.js";

const run = promisify(execFile);
const LOG_TAIL_LINES = 20;
/** How long kill() waits for the processes to exit, and start() for an unreaped old postmaster. */
const EXIT_WAIT_MS = 15_000;
const INITDB_ARGS = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"];

export interface PostgresCluster {
  readonly dir: string;
  readonly port: number;
  /** Where it listens: the `listenAddress` option, default 127.0.0.1. */
  readonly host: string;
  /** postgres://postgres@HOST:PORT/DATABASE; default database "postgres". */
  url(database?: string): string;
  /** Where PostgreSQL's own client tools (psql, createdb, pgbench) connect: -h, -p, -U. */
  clientArgs(): string[];
  /** Runs createdb; returns the new database's url. */
  createDatabase(name: string): Promise<string>;
  /** The first line of DIR/data/postmaster.pid. */
  postmasterPid(): Promise<number>;
  /** pg_ctl -m fast stop (when running), then removes DIR unless `keep`. */
  stop(): Promise<void>;
  /** SIGKILLs the postmaster, as a crash would, and waits for it and its children to exit; data stays. */
  kill(): Promise<void>;
  /** (Re)starts after kill() or a kept stop(), first waiting out a stale postmaster.pid; runs initdb if DIR has no data. */
  start(): Promise<void>;
}

export interface PostgresClusterOptions {
  /** Default: a fresh mkdtemp under os.tmpdir(). An initialised DIR/data is reused. */
  readonly dir?: string;
  /** Default: a free port, picked now. */
  readonly port?: number;
  /** stop() leaves DIR in place. */
  readonly keep?: boolean;
  /** Extra server settings, each passed as -c name=value. */
  readonly settings?: Readonly<Record<string, string>>;
  /** The one address the postmaster listens on, and url() names; default 127.0.0.1. */
  readonly listenAddress?: string;
  /**
   * An argv prepended to the tools that use the network, `pg_ctl start` (so
   * the postmaster runs there) and `createdb`: `ip netns exec NS` runs them in
   * a host's namespace. It must exec its command, so PIDs stay PostgreSQL's.
   * Default none. The others (initdb, pg_ctl stop, kill) need no network and
   * run without it, so stopping works even once the namespace is gone. A
   * picked port is only known free here, not there: give `port` with it.
   */
  readonly commandPrefix?: readonly string[];
  /**
   * Networks (CIDR, e.g. "10.231.7.0/24") whose clients are trusted without a
   * password: a `host all all CIDR trust` line each in pg_hba.conf (initdb's
   * lines trust loopback only). Default none.
   */
  readonly trustedNetworks?: readonly string[];
}

/** Binds 127.0.0.1:0 and closes; the port may be taken before postgres binds it (start retries once). */
async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = net.createServer().once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? done(address.port) : fail(new Error("no port")),
      );
    });
  });
}

/** A live PID of another name in postmaster.pid is a reused PID: the file is stale (say, from before a reboot). */
const livePostgres = async (pid: number): Promise<boolean> =>
  (await processState(pid))?.comm === "postgres" && !(await hasExited(pid));

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + EXIT_WAIT_MS; !(await condition()); ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${EXIT_WAIT_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** postmaster.pid's lines: PID, data directory, start time, port, ...; none when absent. */
const pidFile = async (dir: string): Promise<string[]> =>
  (await readFile(join(dir, "data", "postmaster.pid"), "utf8").catch(() => "")).split("\n");

/** The PID and port in DIR/data/postmaster.pid when that postmaster is alive. */
export async function runningPostmaster(dir: string): Promise<{ pid: number; port: number } | undefined> {
  const lines = await pidFile(dir);
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return pid > 0 && port > 0 && (await livePostgres(pid)) ? { pid, port } : undefined;
}

/** pg_ctl hands -o to /bin/sh, so every word is quoted. */
const shellQuote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

class Cluster implements PostgresCluster {
  readonly host: string;
  readonly #data: string;
  readonly #log: string;

  constructor(
    readonly dir: string,
    private readonly bin: string,
    private currentPort: number,
    private readonly portPicked: boolean,
    private readonly options: PostgresClusterOptions,
  ) {
    this.#data = join(dir, "data");
    this.#log = join(dir, "log");
    this.host = options.listenAddress ?? "127.0.0.1";
  }

  get port(): number {
    return this.currentPort;
  }

  url(database = "postgres"): string {
    return `postgres://postgres@${formatHostPort(this.host, this.port)}/${encodeURIComponent(database)}`;
  }

  clientArgs(): string[] {
    return ["-h", this.host, "-p", String(this.port), "-U", "postgres"];
  }

  async createDatabase(name: string): Promise<string> {
    await this.#tool("createdb", [...this.clientArgs(), "--", name], { networked: true });
    return this.url(name);
  }

  async postmasterPid(): Promise<number> {
    const pid = Number((await pidFile(this.dir))[0]);
    if (!(pid > 0)) throw await this.#fail(`no postmaster.pid in ${this.#data}: the cluster is not running`);
    return pid;
  }

  async start(): Promise<void> {
    if (!existsSync(join(this.#data, "PG_VERSION"))) {
      await mkdir(this.dir, { recursive: true });
      const user = isRoot() ? postgresUser() : undefined;
      if (user) await chown(this.dir, user.uid, user.gid); // initdb and postgres write here as that user
      await this.#tool("initdb", ["-D", this.#data, ...INITDB_ARGS]);
    }
    await this.#trustNetworks();
    // postgres refuses while the PID in a stale postmaster.pid exists, even as an unreaped zombie.
    const stale = Number((await pidFile(this.dir))[0]);
    if (stale > 0 && (await livePostgres(stale))) throw await this.#fail(`already running (PID ${stale})`);
    if (stale > 0 && !(await hasExited(stale))) await rm(join(this.#data, "postmaster.pid"));
    else if (stale > 0)
      await waitFor(async () => !(await processState(stale)), `old postmaster ${stale} reaped`);
    for (let attempt = 1; ; attempt++) {
      const logStart = (await stat(this.#log).catch(() => undefined))?.size ?? 0;
      const server = ["-k", this.dir, "-c", `listen_addresses=${this.host}`, "-p", String(this.port)];
      for (const [name, value] of Object.entries(this.options.settings ?? {}))
        server.push("-c", `${name}=${value}`);
      try {
        const options = server.map(shellQuote).join(" ");
        const args = ["-D", this.#data, "-l", this.#log, "-w", "-o", options, "start"];
        await this.#tool("pg_ctl", args, { networked: true });
        return;
      } catch (error) {
        const log = (await readFile(this.#log, "utf8").catch(() => "")).slice(logStart);
        if (attempt > 1 || !this.portPicked || !log.includes("could not bind"))
          throw await this.#fail("pg_ctl start failed", error);
        this.currentPort = await freePort(); // lost the race for the picked port
      }
    }
  }

  async stop(): Promise<void> {
    if (await runningPostmaster(this.dir)) {
      try {
        await this.#tool("pg_ctl", ["-D", this.#data, "-m", "fast", "-w", "stop"]);
      } catch (error) {
        // It may have been stopping already (a Ctrl-C reaches its process group too): gone is stopped.
        if (await runningPostmaster(this.dir)) throw error;
      }
    }
    if (!this.options.keep) await rm(this.dir, { recursive: true, force: true });
  }

  async kill(): Promise<void> {
    const pid = await this.postmasterPid();
    // Listed first: once the postmaster dies they are reparented and no longer findable by it.
    const pids = [pid, ...(await childPids(pid))];
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone: wait for the children all the same.
    }
    await waitFor(
      async () => (await Promise.all(pids.map(hasExited))).every(Boolean),
      `PIDs ${pids.join(" ")} to exit`,
    );
  }

  /** Appends the missing `host all all CIDR trust` lines; pg_hba.conf stays the postgres user's (appending keeps its owner). */
  async #trustNetworks(): Promise<void> {
    const networks = this.options.trustedNetworks ?? [];
    if (networks.length === 0) return;
    const file = join(this.#data, "pg_hba.conf");
    const text = await readFile(file, "utf8");
    const lines = networks.map((cidr) => `host all all ${cidr} trust`).filter((line) => !text.includes(line));
    if (lines.length > 0) await appendFile(file, `${text.endsWith("\n") ? "" : "\n"}${lines.join("\n")}\n`);
  }

  /**
   * Runs a bin-dir tool as the postgres user when root, under the command
   * prefix when `networked`; errors carry the log's tail.
   */
  async #tool(name: string, args: readonly string[], how: { networked?: boolean } = {}): Promise<string> {
    const file = join(this.bin, name);
    const asUser = isRoot() ? ["runuser", "-u", "postgres", "--", file, ...args] : [file, ...args];
    const [command, ...argv] = [...(how.networked ? (this.options.commandPrefix ?? []) : []), ...asUser] as [
      string,
      ...string[],
    ];
    try {
      return (await run(command, argv, { cwd: this.dir, encoding: "utf8" })).stdout;
    } catch (error) {
      throw await this.#fail(`${name} failed`, error);
    }
  }

  async #fail(what: string, cause?: unknown): Promise<Error> {
    if (cause instanceof Error && cause.message.includes(`--- ${this.#log}`)) return cause; // already has the tail
    const tail = (await readFile(this.#log, "utf8").catch(() => "(no log)"))
      .trimEnd()
      .split("\n")
      .slice(-LOG_TAIL_LINES);
    const detail = cause instanceof Error ? `: ${cause.message.trim()}` : "";
    return new Error(`${what}${detail}\n--- ${this.#log}, last lines ---\n${tail.join("\n")}`, { cause });
  }
}

/** A handle on DIR without starting anything: for a cluster another process started (stop it, read its port). */
export async function openPostgresCluster(
  options: PostgresClusterOptions & { readonly dir: string },
): Promise<PostgresCluster> {
  const found = postgresBinaries();
  if ("missing" in found) throw new Error(found.missing);
  const port = options.port ?? (await runningPostmaster(options.dir))?.port;
  return new Cluster(
    resolve(options.dir),
    found.bin,
    port ?? (await freePort()),
    port === undefined,
    options,
  );
}

export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "toystore-pg-")));
  try {
    const cluster = await openPostgresCluster({ ...options, dir });
    await cluster.start();
    return cluster;
  } catch (error) {
    if (options.dir === undefined) await rm(dir, { recursive: true, force: true }); // only what was made here
    throw error;
  }
}
