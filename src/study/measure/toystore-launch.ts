// `toystore serve` as the tools start it: on free ports, with the flags given
// as option names (`{ workMs: 0 }` is `--work-ms 0`) and, when asked, a
// catalog written for the run to a temporary file. Ready once every asked
// transport prints its listening line; a ServerProcess (server.ts) like any
// other server.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Transport } from "../../client/store-client.js";
import { type NodeEntry, resolveEntry } from "./entry-point.js";
import { type ServerProcess, startServerProcess } from "./server.js";

/** A catalog entry as `serve --catalog` reads it. */
export interface CatalogEntry {
  readonly name: string;
  /** Decimal price, e.g. "19.99". */
  readonly price: string;
  readonly stock: number;
}

/** A catalog whose stock no run can exhaust, so Buy never sells out (default: Tux alone). */
export function unlimitedCatalog(names: readonly string[] = ["Tux"]): CatalogEntry[] {
  return names.map((name) => ({ name, price: "19.99", stock: 1e15 }));
}

/** `toystore serve` flag values by option name: `{ workMs: 0 }` is `--work-ms 0`. */
export type ServeFlagValues = Readonly<Record<string, string | number>>;

/** The transports `toystore serve` serves (every one a client speaks); each prints "<name> listening on HOST:PORT". */
export type ServedTransport = Transport;

export interface ToystoreLaunch {
  /** Transports to serve and wait for; default socket and gRPC. */
  readonly transports?: readonly ServedTransport[];
  /** More `serve` flags; the ports default to 0 (free ones). */
  readonly flags?: ServeFlagValues;
  /** `serve` flags that take no value, e.g. ["--query-cache"], after the others. */
  readonly switches?: readonly string[];
  /** A catalog to serve, written to a temporary file that `stop` removes. */
  readonly catalog?: readonly CatalogEntry[];
  /** Node flags for the server process (e.g. --max-old-space-size=64). */
  readonly nodeArgs?: readonly string[];
  /** Which CLI to run: default `cli/main`, compiled when dist/ is fresh, else the source through tsx. */
  readonly entry?: NodeEntry;
  readonly readyTimeoutMs?: number;
  /**
   * Runs the server under this argv, e.g. `ip netns exec NS` for a host of
   * netns.ts (see ServerCommand.commandPrefix); give it `flags.host`, the
   * host's address, to listen there. Default none.
   */
  readonly commandPrefix?: readonly string[];
}

/** `serve --transport`'s value: one name, "both" for socket and gRPC, else a comma-separated list. */
export function transportArgument(transports: readonly ServedTransport[]): string {
  const set = new Set(transports);
  if (set.size === 1) return transports[0]!;
  if (set.size === 2 && set.has("socket") && set.has("grpc")) return "both";
  return [...set].join(",");
}

/**
 * The `serve` arguments for a launch: `--transport`, free ports, then each
 * flag as `--kebab-name value`. `--http-port 0` and `--original-socket-port 0`
 * only when that transport is served, so the arguments of the other launches
 * stay what they were.
 */
export function serveArguments(launch: Pick<ToystoreLaunch, "transports" | "flags" | "switches">): string[] {
  const transports = launch.transports ?? ["socket", "grpc"];
  const flags: ServeFlagValues = {
    transport: transportArgument(transports),
    socketPort: 0,
    grpcPort: 0,
    ...(transports.includes("http") ? { httpPort: 0 } : {}),
    ...(transports.includes("original-socket") ? { originalSocketPort: 0 } : {}),
    ...launch.flags,
  };
  return [
    "serve",
    ...Object.entries(flags).flatMap(([name, value]) => [
      `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      String(value),
    ]),
    ...(launch.switches ?? []),
  ];
}

/** Starts `toystore serve` and resolves once every asked transport listens (`ports.socket`, `ports.grpc`, `ports.http`, `ports["original-socket"]`). */
export async function startToystore(launch: ToystoreLaunch = {}): Promise<ServerProcess> {
  const entry = launch.entry ?? resolveEntry("cli/main");
  const flags = { ...launch.flags };
  let cleanup: (() => Promise<void>) | undefined;
  if (launch.catalog !== undefined) {
    const dir = await mkdtemp(join(tmpdir(), "toystore-catalog-"));
    cleanup = () => rm(dir, { recursive: true, force: true });
    flags.catalog = join(dir, "catalog.json");
    await writeFile(flags.catalog, JSON.stringify(launch.catalog));
  }
  return startServerProcess({
    command: process.execPath,
    args: [
      ...(launch.nodeArgs ?? []),
      ...entry.execArgv,
      entry.file,
      ...serveArguments({ ...launch, flags }),
    ],
    ready: launch.transports ?? ["socket", "grpc"],
    ...(launch.commandPrefix === undefined ? {} : { commandPrefix: launch.commandPrefix }),
    ...(launch.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: launch.readyTimeoutMs }),
    ...(cleanup === undefined ? {} : { cleanup }),
  });
}
