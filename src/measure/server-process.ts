// Starts a server as a child process, waits for the line it prints once it
// listens ("... listening on HOST:PORT"), and stops it by PID: SIGTERM, then
// SIGKILL after a grace period. Serves every server the tools start: ours
// (`toystore serve`), the baselines, the seed's Python server, Redis.

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** Matches every ready line here: ours ("socket listening on ..."), the baselines, the seed server. */
const READY_LINE = /listening on (\[[^\]]*\]|[^\s:[\]]+):(\d+)/;
const DEFAULT_READY_TIMEOUT_MS = 15_000;
/** After SIGTERM, how long the server may drain before SIGKILL: `toystore serve`'s own --grace-ms default. */
const DEFAULT_STOP_GRACE_MS = 10_000;
/** Lines of the server's output quoted when it fails to start. */
const TAIL_LINES = 10;

export interface ServerProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Working directory of the server; default ours. */
  readonly cwd?: string;
  /** Only ready lines containing this text count (e.g. "grpc" when a server prints several). */
  readonly readyText?: string;
  /** For servers with their own ready line (redis-server): the line to wait for, and the port it was given. */
  readonly readyLine?: { readonly pattern: RegExp; readonly port: number };
  /** Default 15 000. */
  readonly readyTimeoutMs?: number;
}

/** A server child process that is listening. */
export interface ServerProcess {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** Sends SIGTERM and waits for the exit; SIGKILL after `graceMs` (default 10 000; 0 kills at once). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns the server and resolves once it prints its ready line (on stdout or
 * stderr). Rejects, quoting the end of its output, if it exits first or stays
 * silent past the timeout; it is then killed and gone before the rejection.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(options.command, options.args, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const { host, port } = await waitForReadyLine(child, options);
    return {
      pid: child.pid!,
      host,
      port,
      stop: (graceMs = DEFAULT_STOP_GRACE_MS) => stopChild(child, exited, graceMs),
    };
  } catch (error) {
    await stopChild(child, exited, 0);
    throw error;
  }
}

function waitForReadyLine(
  child: ChildProcess,
  options: ServerProcessOptions,
): Promise<{ host: string; port: number }> {
  const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const tail: string[] = [];
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const output = tail.length > 0 ? `; its output:\n${tail.join("\n")}` : "";
      reject(new Error(`server ${why} (${options.command} ${options.args.join(" ")})${output}`));
    };
    const timer = setTimeout(() => fail(`printed no "listening on" line within ${timeoutMs} ms`), timeoutMs);
    const onLine = (line: string) => {
      // Lines after the ready one are still read (and dropped), so a chatty
      // server never blocks on a full pipe.
      if (settled) return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      const address = readyAddress(line, options);
      if (address === null) return;
      settled = true;
      clearTimeout(timer);
      resolve(address);
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    // "close" comes after "exit" once both streams are read to the end, so the tail holds the reason.
    child.once("close", (code, signal) => fail(`exited (code ${code}, signal ${signal}) before listening`));
    child.on("error", (error) => fail(`could not start: ${error.message}`));
  });
}

function readyAddress(line: string, options: ServerProcessOptions): { host: string; port: number } | null {
  if (options.readyText !== undefined && !line.includes(options.readyText)) return null;
  if (options.readyLine !== undefined) {
    return options.readyLine.pattern.test(line) ? { host: "127.0.0.1", port: options.readyLine.port } : null;
  }
  const match = READY_LINE.exec(line);
  if (match === null) return null;
  return { host: match[1]!.replace(/^\[|\]$/g, ""), port: Number(match[2]) };
}

async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  // Never started (spawn failed), or already gone: nothing to stop.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill(graceMs > 0 ? "SIGTERM" : "SIGKILL");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
