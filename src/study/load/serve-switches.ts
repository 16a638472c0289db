// How the experiment and the benchmark runner start `toystore serve` with
// switches: flags that take no value, such as `--query-cache`, which the
// toolkit's launcher (measure/toystore-launch.ts) cannot pass, since it
// writes every flag as a `--flag value` pair. Without switches it is the
// launcher itself, so every other server starts exactly as it always did.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveEntry } from "../measure/entry-point.js";
import { type ServerProcess, startServerProcess } from "../measure/server.js";
import { serveArguments, startToystore, type ToystoreLaunch } from "../measure/toystore-launch.js";

/** A launch, and the flags without a value to add after its others (e.g. ["--query-cache"]). */
export interface SwitchedLaunch extends ToystoreLaunch {
  readonly switches?: readonly string[];
}

/**
 * Starts the server; with switches, runs the command the launcher would
 * (its catalog in a temporary file removed once the server is gone),
 * followed by them. Resolves once every asked transport listens.
 */
export async function startToystoreWithSwitches(launch: SwitchedLaunch): Promise<ServerProcess> {
  const { switches = [], catalog, ...rest } = launch;
  if (switches.length === 0) return startToystore(launch);
  const entry = rest.entry ?? resolveEntry("cli/main");
  const flags = { ...rest.flags };
  let cleanup: (() => Promise<void>) | undefined;
  if (catalog !== undefined) {
    const dir = await mkdtemp(join(tmpdir(), "toystore-catalog-"));
    cleanup = () => rm(dir, { recursive: true, force: true });
    flags.catalog = join(dir, "catalog.json");
    await writeFile(flags.catalog, JSON.stringify(catalog));
  }
  return startServerProcess({
    command: process.execPath,
    args: [
      ...(rest.nodeArgs ?? []),
      ...entry.execArgv,
      entry.file,
      ...serveArguments({ ...rest, flags }),
      ...switches,
    ],
    ready: rest.transports ?? ["socket", "grpc"],
    ...(rest.commandPrefix === undefined ? {} : { commandPrefix: rest.commandPrefix }),
    ...(rest.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: rest.readyTimeoutMs }),
    ...(cleanup === undefined ? {} : { cleanup }),
  });
}
