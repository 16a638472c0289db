// The store deployed with a replicated database tier, on six hosts of one
// machine (network namespaces, netns.ts): a "client" host, `toystore serve`
// on "server1" and "server2", and a PostgreSQL cluster with synchronous
// standbys and automatic failover (Patroni, patroni-cluster.ts) on "db1",
// "db2" and "db3", every node on 5432 at its own address. The servers are
// given the multi-host URL and follow whichever node is the primary. Built
// for the cluster demo; stop() takes it all down again.

import { join } from "node:path";
import {
  DEFAULT_DATABASE,
  DEFAULT_PORTS,
  type DeployedServer,
  defaultCatalogEntries,
  deploymentStop,
  type ServerPorts,
  startServersOnHosts,
} from "./cluster-deployment.js";
import { type Books, readBooks } from "./deployment-books.js";
import { type NodeEntry, resolveEntry } from "./entry-point.js";
import { createHosts, type Hosts } from "./netns.js";
import { PatroniCluster } from "./patroni-cluster.js";
import { postgresBinaries } from "./postgres-binaries.js";
import { type CommandOptions, type CommandResult, runCommand } from "./run-command.js";
import type { CatalogEntry } from "./toystore-launch.js";

export const HA_DEPLOYMENT_HOSTS = ["client", "server1", "server2", "db1", "db2", "db3"] as const;
const DB_HOSTS = ["db1", "db2", "db3"] as const;

export interface HaDeploymentOptions {
  /** The catalog server1 fills the new database with; default the built-in one. */
  readonly catalog?: readonly CatalogEntry[];
  /** Default 7070, 50051, 8080. */
  readonly ports?: Partial<ServerPorts>;
  readonly entry?: NodeEntry;
  /** Aborting it during start-up takes down what was made and rejects. */
  readonly signal?: AbortSignal;
}

export interface HaDeployment {
  readonly hosts: Hosts;
  readonly servers: readonly [DeployedServer, DeployedServer];
  readonly patroni: PatroniCluster;
  /** The multi-host URL both servers were given as --store. */
  readonly databaseUrl: string;
  readonly catalog: readonly CatalogEntry[];
  readonly entry: NodeEntry;
  /** The db host ("db1".."db3") whose node is the primary now, if any. */
  primaryHost(): Promise<string | undefined>;
  /** Kills every process of that db host's node (Patroni and PostgreSQL) at once: the host is lost. */
  killDbHost(host: string): Promise<void>;
  /** Runs a command on the client host. */
  runOnClient(command: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult>;
  /** Runs the toystore CLI on the client host. */
  toystoreOnClient(args: readonly string[], options?: CommandOptions): Promise<CommandResult>;
  /** Reads the books on the primary (psql on its host). */
  readBooks(): Promise<Books>;
  /** Stops the servers, then every node, then removes the namespaces; idempotent. */
  stop(): Promise<{ readonly removedNamespaces: number }>;
}

/** The db host of a node: node n<i> runs on db<i>. */
const dbHostOf = (node: string): string => `db${node.slice(1)}`;
const nodeOf = (host: string): string => `n${host.slice(2)}`;

/** Creates the hosts, starts the cluster on db1-db3, a database on its primary, then both servers. */
export async function startHaDeployment(options: HaDeploymentOptions = {}): Promise<HaDeployment> {
  const found = postgresBinaries();
  if ("missing" in found) throw new Error(found.missing);
  const ports: ServerPorts = { ...DEFAULT_PORTS, ...options.ports };
  const catalog = options.catalog ?? defaultCatalogEntries();
  const entry = options.entry ?? resolveEntry("cli/main");
  const hosts = await createHosts(HA_DEPLOYMENT_HOSTS);
  const clientPrefix = hosts.exec("client");
  let patroni: PatroniCluster | undefined;
  const servers: DeployedServer[] = [];
  const stop = deploymentStop(servers, () => patroni, hosts);
  const psqlOnPrimary = async (sql: string[]): Promise<CommandResult> => {
    const primary = await patroni?.primary();
    if (primary === undefined) throw new Error("the database cluster has no primary");
    const psql = [...hosts.exec(dbHostOf(primary.name)), join(found.bin, "psql"), "-X"];
    return runCommand([...psql, "-h", primary.host, "-p", String(primary.pgPort), "-U", "postgres", ...sql]);
  };
  try {
    options.signal?.throwIfAborted();
    patroni = await PatroniCluster.start({
      hosts: DB_HOSTS.map((name) => ({ host: hosts.host(name).address, commandPrefix: hosts.exec(name) })),
      restVia: clientPrefix,
    });
    const created = await psqlOnPrimary(["-d", "postgres", "-c", `CREATE DATABASE ${DEFAULT_DATABASE}`]);
    if (created.code !== 0) throw new Error(`createdb on the primary failed: ${created.stderr.trim()}`);
    const databaseUrl = patroni.url(DEFAULT_DATABASE);
    // The first server creates the schema on the primary, the second finds it.
    await startServersOnHosts(hosts, servers, {
      databaseUrl,
      ports,
      catalog,
      entry,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const cluster = patroni;
    return {
      hosts,
      servers: servers as [DeployedServer, DeployedServer],
      patroni: cluster,
      databaseUrl,
      catalog,
      entry,
      primaryHost: async () => {
        const primary = await cluster.primary();
        return primary === undefined ? undefined : dbHostOf(primary.name);
      },
      killDbHost: (host) => cluster.killNode(nodeOf(host)),
      runOnClient: (command, args, commandOptions) =>
        runCommand([...clientPrefix, command, ...args], commandOptions),
      toystoreOnClient: (args, commandOptions) =>
        runCommand(
          [...clientPrefix, process.execPath, ...entry.execArgv, entry.file, ...args],
          commandOptions,
        ),
      readBooks: async () => {
        const primary = await cluster.primary();
        if (primary === undefined) throw new Error("the database cluster has no primary");
        const psql = [...hosts.exec(dbHostOf(primary.name)), join(found.bin, "psql")];
        const connection = [
          "-h",
          primary.host,
          "-p",
          String(primary.pgPort),
          "-U",
          "postgres",
          "-d",
          DEFAULT_DATABASE,
        ];
        return readBooks(psql, connection, catalog);
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined); // the start-up error is the one worth reporting
    throw error;
  }
}
