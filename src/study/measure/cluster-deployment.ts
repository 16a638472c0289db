// A store deployed over four hosts on one machine (network namespaces, see
// netns.ts): PostgreSQL on "db", `toystore serve` on "server1" and "server2"
// (the same ports on each: they are different hosts) sharing one database,
// and a "client" host to send requests from. Built for the cluster demo and
// the tests; stop() takes it all down again: servers, PostgreSQL, namespaces
// and temporary directories. Commands on the hosts run through
// run-command.ts; the database's books are read by deployment-books.ts.
//
//   const deployment = await startDeployment({ catalog });
//   try { await deployment.toystoreOnClient(["query", "Tux", "--host", deployment.servers[0].address]); }
//   finally { await deployment.stop(); }

import { join } from "node:path";
import { DEFAULT_CATALOG } from "../../catalog/default-catalog.js";
import { formatPrice } from "../../catalog/toy.js";
import { type Books, readBooks } from "./deployment-books.js";
import { type NodeEntry, resolveEntry } from "./entry-point.js";
import { createHosts, type Hosts, namespaceSupport } from "./netns.js";
import { postgresBinaries } from "./postgres-binaries.js";
import { type PostgresCluster, startPostgresCluster } from "./postgres-cluster.js";
import { type CommandOptions, type CommandResult, runCommand } from "./run-command.js";
import type { ServerProcess } from "./server.js";
import { type CatalogEntry, type ServeFlagValues, startToystore } from "./toystore-launch.js";

/** The hosts, in the order createHosts numbers their addresses. */
export const DEPLOYMENT_HOSTS = ["client", "server1", "server2", "db"] as const;
export type DeploymentHost = (typeof DEPLOYMENT_HOSTS)[number];

/** Each server's ports: `toystore serve`'s own defaults, free on a fresh host. */
export interface ServerPorts {
  readonly socket: number;
  readonly grpc: number;
  readonly http: number;
}

/** `toystore serve`'s own ports, the same on every server host. */
export const DEFAULT_PORTS: ServerPorts = { socket: 7070, grpc: 50051, http: 8080 };
const POSTGRES_PORT = 5432;
/** The database the deployments create and serve. */
export const DEFAULT_DATABASE = "toystore";
export interface DeploymentOptions {
  /** The catalog server1 fills the new database with (a --catalog file); default the built-in one. */
  readonly catalog?: readonly CatalogEntry[];
  /** More `serve` flags for both servers, e.g. `{ lock: "mutex", workMs: 1 }`. */
  readonly serveFlags?: ServeFlagValues;
  /** Default 7070, 50051, 8080. */
  readonly ports?: Partial<ServerPorts>;
  /** PostgreSQL server settings (-c name=value), e.g. `{ fsync: "off" }` for tests. */
  readonly postgresSettings?: Readonly<Record<string, string>>;
  /** Which CLI the servers and client commands run; default `cli/main` (dist/ when fresh, else tsx). */
  readonly entry?: NodeEntry;
  /** Namespace name prefix and subnet (createHosts' options); defaults unique to this process. */
  readonly prefix?: string;
  readonly subnet?: string;
  readonly readyTimeoutMs?: number;
  /** Aborting it during start-up takes down what was made and rejects. */
  readonly signal?: AbortSignal;
}

/** One `toystore serve` of the deployment. */
export interface DeployedServer {
  readonly host: DeploymentHost;
  readonly address: string;
  readonly ports: ServerPorts;
  readonly process: ServerProcess;
}

export interface Deployment {
  readonly hosts: Hosts;
  readonly servers: readonly [DeployedServer, DeployedServer];
  readonly postgres: PostgresCluster;
  /** postgres://postgres@<db address>:5432/toystore: what both servers were given as --store. */
  readonly databaseUrl: string;
  /** The catalog the database was filled with. */
  readonly catalog: readonly CatalogEntry[];
  /** The CLI the servers run and `toystoreOnClient` runs (dist/ or the source through tsx). */
  readonly entry: NodeEntry;
  /** The argv prefix that runs a command on the client host (`ip netns exec <client namespace>`). */
  readonly clientPrefix: readonly string[];
  /** Runs `command args` on the client host. */
  runOnClient(command: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult>;
  /** Runs the toystore CLI (the servers' entry) on the client host: `toystoreOnClient(["query", "Tux", ...])`. */
  toystoreOnClient(args: readonly string[], options?: CommandOptions): Promise<CommandResult>;
  /** Reads the books from the database (psql on the db host). */
  readBooks(): Promise<Books>;
  /**
   * Stops both servers (SIGTERM by PID, SIGKILL after their grace period),
   * then PostgreSQL, then removes the namespaces and temporary directories.
   * Every step runs even if one before failed (the failures are then thrown
   * together). Idempotent: later calls return the first call's promise, so a
   * signal handler may call it while the main path does too.
   */
  stop(): Promise<{ readonly removedNamespaces: number }>;
}

/** startDeployment's rejection when its signal aborted it: what was made is gone again. */
export class DeploymentAbortedError extends Error {
  readonly code = "ABORTED";
  constructor(
    /** How many namespaces the clean-up removed. */
    readonly removedNamespaces: number,
    cause: unknown,
  ) {
    super("the deployment's start-up was aborted; what it had made is removed", { cause });
  }
}

/** Why this machine cannot build a deployment (root, `ip netns`, PostgreSQL), or undefined when it can. */
export async function deploymentRefusal(): Promise<string | undefined> {
  if (process.platform !== "linux") return "needs Linux (network namespaces)";
  if (process.getuid?.() !== 0) return "needs root: it creates network namespaces with ip netns";
  const support = await namespaceSupport();
  if (!support.ok) return support.reason;
  const postgres = postgresBinaries();
  return "missing" in postgres ? postgres.missing : undefined;
}

/**
 * A throwaway PostgreSQL cluster on one of the hosts, on port 5432 of its
 * address, trusting every host of the subnet (and nothing else).
 */
export function startPostgresOnHost(
  hosts: Hosts,
  host: string,
  settings?: Readonly<Record<string, string>>,
): Promise<PostgresCluster> {
  return startPostgresCluster({
    port: POSTGRES_PORT,
    listenAddress: hosts.host(host).address,
    commandPrefix: hosts.exec(host),
    trustedNetworks: [hosts.subnet],
    ...(settings === undefined ? {} : { settings }),
  });
}

/** The built-in catalog as `serve --catalog` reads it. */
export function defaultCatalogEntries(): CatalogEntry[] {
  return DEFAULT_CATALOG.map((toy) => ({
    name: toy.name,
    price: formatPrice(toy.priceCents),
    stock: toy.stock,
  }));
}

/**
 * Creates the hosts, starts PostgreSQL on "db" (listening on db's address,
 * trusting the subnet) with a fresh database, then `toystore serve` on
 * server1 (which fills the database from the catalog) and on server2 (which
 * serves what it holds), each on its host's address. On any failure, or an
 * abort, stops what it started before rejecting.
 */
/** How servers are started on a deployment's server hosts. */
export interface ServersOnHosts {
  readonly databaseUrl: string;
  readonly ports: ServerPorts;
  readonly catalog: readonly CatalogEntry[];
  readonly entry: NodeEntry;
  readonly flags?: ServeFlagValues;
  readonly readyTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * `toystore serve` on server1 and server2, every transport, on the store at
 * `databaseUrl`, each pushed to `servers` once ready. One after the other:
 * the first creates the schema and fills it with `catalog`, the second finds
 * it (a catalog would be refused).
 */
export async function startServersOnHosts(
  hosts: Pick<Hosts, "host" | "exec">,
  servers: DeployedServer[],
  how: ServersOnHosts,
): Promise<void> {
  for (const name of ["server1", "server2"] as const) {
    how.signal?.throwIfAborted();
    const host = hosts.host(name);
    const server = await startToystore({
      transports: ["socket", "grpc", "http"],
      flags: {
        store: how.databaseUrl,
        host: host.address,
        socketPort: how.ports.socket,
        grpcPort: how.ports.grpc,
        httpPort: how.ports.http,
        ...how.flags,
      },
      ...(name === "server1" ? { catalog: how.catalog } : {}),
      entry: how.entry,
      commandPrefix: hosts.exec(name),
      ...(how.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: how.readyTimeoutMs }),
    });
    servers.push({ host: name, address: host.address, ports: how.ports, process: server });
  }
}

/**
 * The idempotent stop of a deployment: its servers, then its database, then
 * its hosts, each attempted whatever the others did; every error gathered.
 */
export function deploymentStop(
  servers: readonly DeployedServer[],
  database: () => { stop(): Promise<unknown> } | undefined,
  hosts: Pick<Hosts, "remove">,
): () => Promise<{ removedNamespaces: number }> {
  let stopping: Promise<{ removedNamespaces: number }> | undefined;
  return () => {
    stopping ??= (async () => {
      const errors: unknown[] = [];
      await Promise.all(servers.map((server) => server.process.stop().catch((error) => errors.push(error))));
      await database()
        ?.stop()
        .catch((error) => errors.push(error));
      const removedNamespaces = await hosts.remove().catch((error) => {
        errors.push(error);
        return 0;
      });
      if (errors.length > 0) throw new AggregateError(errors, "stopping the deployment failed");
      return { removedNamespaces };
    })();
    return stopping;
  };
}

export async function startDeployment(options: DeploymentOptions = {}): Promise<Deployment> {
  const found = postgresBinaries();
  if ("missing" in found) throw new Error(found.missing);
  const ports: ServerPorts = { ...DEFAULT_PORTS, ...options.ports };
  const catalog = options.catalog ?? defaultCatalogEntries();
  const entry = options.entry ?? resolveEntry("cli/main");
  const hosts = await createHosts(DEPLOYMENT_HOSTS, {
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.subnet === undefined ? {} : { subnet: options.subnet }),
  });
  let postgres: PostgresCluster | undefined;
  const servers: DeployedServer[] = [];
  const stop = deploymentStop(servers, () => postgres, hosts);
  try {
    options.signal?.throwIfAborted();
    postgres = await startPostgresOnHost(hosts, "db", options.postgresSettings);
    options.signal?.throwIfAborted();
    const databaseUrl = await postgres.createDatabase(DEFAULT_DATABASE);
    await startServersOnHosts(hosts, servers, {
      databaseUrl,
      ports,
      catalog,
      entry,
      ...(options.serveFlags === undefined ? {} : { flags: options.serveFlags }),
      ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    options.signal?.throwIfAborted();
    const clientPrefix = hosts.exec("client");
    const started = postgres;
    const psql = join(found.bin, "psql");
    return {
      hosts,
      servers: servers as [DeployedServer, DeployedServer],
      postgres: started,
      databaseUrl,
      catalog,
      entry,
      clientPrefix,
      runOnClient: (command, args, commandOptions) =>
        runCommand([...clientPrefix, command, ...args], commandOptions),
      toystoreOnClient: (args, commandOptions) =>
        runCommand(
          [...clientPrefix, process.execPath, ...entry.execArgv, entry.file, ...args],
          commandOptions,
        ),
      readBooks: () =>
        readBooks([...hosts.exec("db"), psql], [...started.clientArgs(), "-d", DEFAULT_DATABASE], catalog),
      stop,
    };
  } catch (error) {
    const stopped = await stop().catch(() => undefined); // the start-up error is the one worth reporting
    if (options.signal?.aborted) throw new DeploymentAbortedError(stopped?.removedNamespaces ?? 0, error);
    throw error;
  }
}
