// The store server of one experiment cell: `toystore serve` with the cell's
// settings on free ports (port 0), started and stopped by the harness's
// server-process (ports read from the lines it prints, stopped by PID).

import type { Transport } from "../client/store-client.js";
import type { LockKind } from "../concurrency/section-lock.js";
import { type NodeEntry, PACKAGE_ROOT, resolveEntry } from "../measure/entry-point.js";
import { type ServerProcess, startServerProcess } from "../measure/server-process.js";

/** The server settings of one cell. */
export interface ServerSettings {
  readonly transport: Transport;
  readonly lock: LockKind;
  readonly workMs: number;
  readonly socketPoolSize: number;
  readonly grpcMaxConcurrency: number;
}

/** The `toystore serve` arguments for a cell: every port 0, so the OS picks free ones. */
export function serveArguments(settings: ServerSettings): string[] {
  return [
    "serve",
    "--transport",
    settings.transport,
    "--socket-port",
    "0",
    "--grpc-port",
    "0",
    "--lock",
    settings.lock,
    "--work-ms",
    String(settings.workMs),
    "--pool-size",
    String(settings.socketPoolSize),
    "--grpc-max-concurrency",
    String(settings.grpcMaxConcurrency),
  ];
}

/** Time for the server to print its port: tsx, when running from source, takes a while to start. */
const START_TIMEOUT_MS = 30_000;

/**
 * Starts `toystore serve` for a cell (dist/cli/main.js, or the source through
 * tsx) and resolves once it prints the cell's transport's listening line; the
 * port is that transport's. Rejects, with the end of its output, if it exits
 * first or takes longer than `startTimeoutMs` (default 30 000).
 */
export function startServer(
  settings: ServerSettings,
  launch: { entry?: NodeEntry; startTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  const entry = launch.entry ?? resolveEntry("cli/main");
  return startServerProcess({
    command: process.execPath,
    args: [...entry.execArgv, entry.file, ...serveArguments(settings)],
    cwd: PACKAGE_ROOT,
    readyText: `${settings.transport} listening on`,
    readyTimeoutMs: launch.startTimeoutMs ?? START_TIMEOUT_MS,
  });
}
