// A store server run as a child process for one experiment cell: started on
// free ports (port 0), its ports read from the lines it prints, and stopped
// by PID with SIGTERM (SIGKILL after a grace period).

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Transport } from "../client/store-client.js";
import type { LockKind } from "../concurrency/section-lock.js";
import { type NodeEntry, PACKAGE_ROOT, resolveEntry } from "./entry-point.js";

/** The server settings of one cell. */
export interface ServerSettings {
  readonly transport: Transport;
  readonly lock: LockKind;
  readonly workMs: number;
  readonly socketPoolSize: number;
  readonly grpcMaxConcurrency: number;
}

/** A server child process that is listening. */
export interface RunningServer {
  readonly pid: number;
  /** Port of the cell's transport. */
  readonly port: number;
  /** Sends SIGTERM and waits for the exit; SIGKILL after `graceMs` (default 10 000). Idempotent. */
  stop(graceMs?: number): Promise<void>;
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

/** Matches "socket listening on 127.0.0.1:PORT" (and "[::1]:PORT"). */
const LISTENING = /^(socket|grpc) listening on (?:\[[^\]]*\]|[^\s:]+):(\d+)\s*$/;

/**
 * Starts `toystore serve` for a cell (dist/cli/main.js, or the source through
 * tsx) and resolves once it prints the cell's transport's listening line.
 * Rejects, with the end of its output, if it exits first or takes longer than
 * `startTimeoutMs` (default 30 000).
 */
export async function startServer(
  settings: ServerSettings,
  launch: { entry?: NodeEntry; startTimeoutMs?: number } = {},
): Promise<RunningServer> {
  const entry = launch.entry ?? resolveEntry("cli/main");
  const child = spawn(process.execPath, [...entry.execArgv, entry.file, ...serveArguments(settings)], {
    cwd: PACKAGE_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const output: string[] = [];
  try {
    const port = await waitForPort(child, settings.transport, output, launch.startTimeoutMs ?? 30_000);
    return { pid: child.pid!, port, stop: (graceMs = 10_000) => stopChild(child, exited, graceMs) };
  } catch (error) {
    await stopChild(child, exited, 0);
    throw error;
  }
}

function waitForPort(
  child: ChildProcess,
  transport: Transport,
  output: string[],
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      const tail = output.slice(-10).join("\n");
      reject(new Error(`server ${why}${tail.length > 0 ? `; its output:\n${tail}` : ""}`));
    };
    const timer = setTimeout(
      () => fail(`did not report its ${transport} port within ${timeoutMs} ms`),
      timeoutMs,
    );
    const onLine = (line: string) => {
      output.push(line);
      const match = LISTENING.exec(line);
      if (match?.[1] === transport) {
        clearTimeout(timer);
        resolve(Number(match[2]));
      }
    };
    // Both streams are read to the end so the child never blocks on a full pipe.
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    child.once("exit", (code, signal) => fail(`exited (code ${code}, signal ${signal}) before listening`));
    child.once("error", (error) => fail(`could not start: ${error.message}`));
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(graceMs > 0 ? "SIGTERM" : "SIGKILL");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
