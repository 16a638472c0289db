// Starts a server as a child process and waits for its "listening on HOST:PORT"
// line, so a benchmark can run against servers it starts itself.

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** Matches every ready line here: ours ("socket listening on ..."), the baselines, the seed server. */
const READY_LINE = /listening on ([\d.]+|\[[0-9a-f:]+\]):(\d+)/;
const DEFAULT_READY_TIMEOUT_MS = 15_000;
/** After SIGTERM, how long the server may drain before SIGKILL. */
const STOP_GRACE_MS = 5_000;

export interface ServerProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Only ready lines containing this text count (e.g. "grpc" when a server prints several). */
  readonly readyText?: string;
  /** For servers with their own ready line (redis-server): the line to wait for, and the port it was given. */
  readonly readyLine?: { readonly pattern: RegExp; readonly port: number };
  readonly readyTimeoutMs?: number;
}

export interface ServerProcess {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** SIGTERM, then SIGKILL after a grace period; idempotent. */
  stop(): Promise<void>;
}

/** Spawns the server; rejects with its last stderr lines if it exits or stays silent. */
export function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(options.command, options.args, { stdio: ["ignore", "pipe", "pipe"] });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 5) stderrTail.shift();
  });
  const describe = (): string =>
    `${options.command} ${options.args.join(" ")}${stderrTail.length ? `: ${stderrTail.join(" | ")}` : ""}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stopChild(child);
      reject(
        new Error(
          `no "listening on" line within ${options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS} ms from ${describe()}`,
        ),
      );
    }, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${options.command}: ${error.message}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      // Give the stderr reader a moment to collect the reason.
      setTimeout(
        () => reject(new Error(`server exited (${signal ?? code}) before listening: ${describe()}`)),
        50,
      );
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const match = (options.readyLine?.pattern ?? READY_LINE).exec(line);
      if (match === null || (options.readyText !== undefined && !line.includes(options.readyText))) return;
      clearTimeout(timer);
      // Keep draining stdout so a chatty server never blocks on a full pipe.
      lines.removeAllListeners("line");
      lines.on("line", () => undefined);
      let stopping: Promise<void> | undefined;
      resolve({
        pid: child.pid!,
        host: options.readyLine ? "127.0.0.1" : match[1]!.replace(/^\[|\]$/g, ""),
        port: options.readyLine?.port ?? Number(match[2]),
        stop: () => {
          stopping ??= stopChild(child);
          return stopping;
        },
      });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
