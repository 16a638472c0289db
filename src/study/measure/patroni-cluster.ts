// A throwaway PostgreSQL cluster with synchronous standbys and automatic
// failover, for tests, `npm run ha:local` and the demo: three nodes (each
// Patroni plus its PostgreSQL) agreeing through Patroni's built-in Raft store,
// so nothing else (no etcd) is needed. Every node lives in a folder of one
// temporary directory owned by the `postgres` user and runs as that user
// (setpriv execs, so the PID we hold is Patroni's own), on loopback with
// free ports, or on addresses of network namespaces of our own (netns.ts).
// The faults a test needs: the primary's postmaster killed, a whole node
// killed, a switchover through the REST API. stop() kills every process by
// PID and removes the directory. Trust authentication: acceptable only on
// loopback or inside namespaces of our own. The configuration is
// patroni-config.ts; the REST API's view, patroni-rest.ts.

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatHostPort } from "../../net/host-port.js";
import { type NodePorts, patroniConfig, type SynchronousMode } from "./patroni-config.js";
import { type ClusterMember, clusterMembers, isReady, postSwitchover } from "./patroni-rest.js";
import { freePort, isRoot, patroniMissing, postgresBinaries, postgresUser } from "./postgres-binaries.js";
import { childPids, hasExited, processState } from "./proc.js";

export type { SynchronousMode } from "./patroni-config.js";
export type { ClusterMember } from "./patroni-rest.js";

/** Where one node runs: its address, and the argv that runs a command there (`ip netns exec NS`). */
export interface PatroniNodeHost {
  readonly host: string;
  readonly commandPrefix?: readonly string[];
}

export interface PatroniClusterOptions {
  /** Default 3. */
  readonly nodes?: number;
  /** Default "strict": a commit waits for a standby, and with none left writes wait. */
  readonly synchronousMode?: SynchronousMode;
  /** One per node; default loopback with free ports. With hosts, every node uses 5432, 8008 and 5010. */
  readonly hosts?: readonly PatroniNodeHost[];
  /** More PostgreSQL settings (e.g. fsync off for tests). */
  readonly settings?: Readonly<Record<string, string>>;
  /** With hosts: the argv prefix of a host that reaches the nodes' REST APIs (`ip netns exec NS`); default this process. */
  readonly restVia?: readonly string[];
  /** How long start() waits for a leader and a synchronous standby, ms; default 60 s. */
  readonly readyTimeoutMs?: number;
}

/** One node: Patroni and the PostgreSQL it runs. */
export interface PatroniNode extends NodePorts {
  readonly name: string;
  readonly host: string;
  readonly dir: string;
  readonly commandPrefix: readonly string[];
  /** Patroni's PID; undefined while the node is down. */
  pid: number | undefined;
}

/** What another process needs to stop the cluster (ha:local's state file). */
export interface PatroniClusterState {
  readonly dir: string;
  readonly nodes: readonly Omit<PatroniNode, "commandPrefix">[];
}

const EXIT_WAIT_MS = 15_000;

export class PatroniCluster {
  readonly dir: string;
  readonly nodes: readonly PatroniNode[];
  readonly #options: PatroniClusterOptions;

  private constructor(dir: string, nodes: readonly PatroniNode[], options: PatroniClusterOptions) {
    this.dir = dir;
    this.nodes = nodes;
    this.#options = options;
  }

  /** Why Patroni or PostgreSQL is not here to run a cluster (one line); undefined when both are. */
  static missing(): string | undefined {
    return patroniMissing();
  }

  /** Starts every node and resolves once a leader and a synchronous standby serve (or, unsynchronised, every node streams). */
  static async start(options: PatroniClusterOptions = {}): Promise<PatroniCluster> {
    const missing = PatroniCluster.missing();
    if (missing !== undefined) throw new Error(missing);
    const dir = await mkdtemp(join(tmpdir(), "toystore-ha-"));
    const count = options.hosts?.length ?? options.nodes ?? 3;
    const nodes: PatroniNode[] = [];
    for (let i = 0; i < count; i++) {
      const at = options.hosts?.[i];
      const ports: NodePorts = at
        ? { pgPort: 5432, restPort: 8008, raftPort: 5010 }
        : { pgPort: await freePort(), restPort: await freePort(), raftPort: await freePort() };
      const name = `n${i + 1}`;
      const node = { name, host: at?.host ?? "127.0.0.1", dir: join(dir, name), pid: undefined };
      nodes.push({ ...node, ...ports, commandPrefix: at?.commandPrefix ?? [] });
    }
    const cluster = new PatroniCluster(dir, nodes, options);
    try {
      await cluster.#own(dir);
      for (const node of nodes) await cluster.#writeConfig(node);
      for (const node of nodes) cluster.#spawn(node);
      await cluster.waitReady(options.readyTimeoutMs ?? 60_000);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** A handle on a cluster another process started, from its state (to stop it); PIDs no longer Patroni's are dropped. */
  static async open(state: PatroniClusterState): Promise<PatroniCluster> {
    const nodes = await Promise.all(
      state.nodes.map(async (n) => ({
        ...n,
        pid: n.pid !== undefined && (await runsConfig(n.pid, join(n.dir, "patroni.yml"))) ? n.pid : undefined,
        commandPrefix: [],
      })),
    );
    return new PatroniCluster(state.dir, nodes, {});
  }

  get state(): PatroniClusterState {
    return { dir: this.dir, nodes: this.nodes.map(({ commandPrefix: _, ...node }) => ({ ...node })) };
  }

  /** The URL servers use: every node, and only a primary will do. */
  url(database = "postgres"): string {
    const hosts = this.nodes.map((n) => formatHostPort(n.host, n.pgPort)).join(",");
    return `postgres://postgres@${hosts}/${encodeURIComponent(database)}?target_session_attrs=primary`;
  }

  /** One node's own PostgreSQL, whatever its role (to read what a standby holds). */
  nodeUrl(name: string, database = "postgres"): string {
    const node = this.node(name);
    return `postgres://postgres@${formatHostPort(node.host, node.pgPort)}/${encodeURIComponent(database)}`;
  }

  node(name: string): PatroniNode {
    const node = this.nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`no node ${name} in this cluster`);
    return node;
  }

  /** The members as the first node that answers sees them; [] when none answers. */
  async members(): Promise<ClusterMember[]> {
    for (const node of this.nodes) {
      if (node.pid === undefined) continue;
      const members = await clusterMembers({
        host: node.host,
        port: node.restPort,
        via: this.#options.restVia,
      });
      if (members !== undefined) return members;
    }
    return [];
  }

  /** The node that leads and runs, if any. */
  async primary(): Promise<PatroniNode | undefined> {
    const leader = (await this.members()).find((m) => m.role === "leader" && m.state === "running");
    return leader === undefined ? undefined : this.node(leader.name);
  }

  /** Resolves once a leader runs with a synchronous standby and every live node streams from it. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const live = () => this.nodes.filter((n) => n.pid !== undefined).length;
    const synchronous = (this.#options.synchronousMode ?? "strict") !== "off";
    for (const deadline = Date.now() + timeoutMs; ; ) {
      const members = await this.members();
      if (isReady(members, live(), synchronous)) return;
      if (Date.now() > deadline)
        throw new Error(
          `the cluster in ${this.dir} was not ready after ${timeoutMs} ms: ${JSON.stringify(members)}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The postmaster's PID of a node, from its postmaster.pid; undefined when none runs. */
  async postmasterPid(name: string): Promise<number | undefined> {
    const text = await readFile(join(this.node(name).dir, "data", "postmaster.pid"), "utf8").catch(() => "");
    const pid = Number(text.split("\n")[0]);
    // A PID of another name is a reused one: that postmaster is long gone.
    return pid > 0 && (await processState(pid))?.comm === "postgres" && !(await hasExited(pid))
      ? pid
      : undefined;
  }

  /** SIGKILLs a node's postmaster, as a crash would (Patroni lives on, and restarts it). */
  async killPostmaster(name: string): Promise<void> {
    const pid = await this.postmasterPid(name);
    if (pid === undefined) throw new Error(`node ${name} runs no postmaster`);
    await killAll([pid, ...(await childPids(pid))]);
  }

  /** SIGKILLs a node's Patroni and its PostgreSQL at once: the host is lost. */
  async killNode(name: string): Promise<void> {
    const node = this.node(name);
    const postmaster = await this.postmasterPid(name);
    const pids = [node.pid, postmaster, ...(postmaster ? await childPids(postmaster) : [])];
    node.pid = undefined;
    await killAll(pids.filter((p): p is number => p !== undefined));
  }

  /** Starts a node that was killed again: it rejoins as a standby (rewound if it must). */
  startNode(name: string): void {
    const node = this.node(name);
    if (node.pid === undefined) this.#spawn(node);
  }

  /** A planned switchover through the leader's REST API; to `candidate` when given, else Patroni picks. */
  async switchover(candidate?: string): Promise<void> {
    const primary = await this.primary();
    if (primary === undefined) throw new Error("no primary to switch over from");
    const rest = { host: primary.host, port: primary.restPort, via: this.#options.restVia };
    await postSwitchover(rest, primary.name, candidate);
  }

  /** Kills every process of every node by PID and removes the directory. */
  async stop(): Promise<void> {
    for (const node of this.nodes) await this.killNode(node.name).catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }

  async #own(path: string): Promise<void> {
    const user = isRoot() ? postgresUser() : undefined;
    if (user) await chown(path, user.uid, user.gid);
  }

  async #writeConfig(node: PatroniNode): Promise<void> {
    const found = postgresBinaries();
    if ("missing" in found) throw new Error(found.missing);
    await mkdir(node.dir, { mode: 0o700 });
    await this.#own(node.dir);
    const partners = this.nodes.filter((n) => n !== node).map((n) => formatHostPort(n.host, n.raftPort));
    const config = patroniConfig({
      ...node,
      partners,
      bin: found.bin,
      synchronousMode: this.#options.synchronousMode ?? "strict",
      settings: this.#options.settings ?? {},
    });
    // YAML is a superset of JSON.
    const file = join(node.dir, "patroni.yml");
    await writeFile(file, JSON.stringify(config, null, 1));
    await this.#own(file);
  }

  #spawn(node: PatroniNode): void {
    const patroni = ["/usr/bin/patroni", join(node.dir, "patroni.yml")];
    const asUser = isRoot()
      ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", ...patroni]
      : patroni;
    const [command, ...args] = [...node.commandPrefix, ...asUser] as [string, ...string[]];
    const log = openSync(join(node.dir, "log"), "a");
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: node.dir,
        detached: true,
        stdio: ["ignore", log, log],
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          LANG: "C.UTF-8",
          LC_ALL: "C.UTF-8",
          HOME: node.dir,
        },
      });
    } finally {
      closeSync(log);
    }
    child.on("error", () => {}); // a missing binary: waitReady says the cluster never got ready
    child.unref();
    node.pid = child.pid;
  }
}

/** Whether `pid` is alive and runs the configuration `file` (a PID from a state file may have been reused). */
async function runsConfig(pid: number, file: string): Promise<boolean> {
  const argv = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return argv.split("\0").includes(file) && !(await hasExited(pid));
}

/** SIGKILLs every PID (gone already is fine) and waits until each has exited. */
async function killAll(pids: readonly number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  for (const deadline = Date.now() + EXIT_WAIT_MS; ; ) {
    if ((await Promise.all(pids.map(hasExited))).every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`PIDs ${pids.join(" ")} still running after SIGKILL`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
