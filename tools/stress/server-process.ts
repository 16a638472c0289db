// The server under stress: `toystore serve` in a child process on free
// loopback ports, with a catalog written for the run, its memory read from
// /proc/PID/status, and stopped by its PID.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LISTENING = /^(socket|grpc) listening on [^\s]+:(\d+)$/;

/** How to run the CLI: the source through tsx, or the build. */
export function cliCommand(fromDist: boolean): string[] {
  return fromDist
    ? [path.join(REPO_ROOT, "dist/cli/main.js")]
    : ["--import", "tsx", path.join(REPO_ROOT, "src/cli/main.ts")];
}

/** The `serve` flags this build of the CLI knows (from its --help), so that newer limits are set only when they exist. */
export async function serveFlags(fromDist: boolean): Promise<Set<string>> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...cliCommand(fromDist), "serve", "--help"],
    {
      cwd: REPO_ROOT,
    },
  );
  return new Set(stdout.match(/--[a-z][a-z-]+/g) ?? []);
}

export interface ServerProcess {
  readonly pid: number;
  readonly socketPort: number;
  readonly grpcPort: number;
  /** Lines it printed on stderr (it prints nothing there unless something went wrong). */
  readonly stderr: string[];
  /** Set once it has exited. */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Resident memory now and at its peak (VmRSS, VmHWM), in bytes; undefined once it has exited. */
  memory(): Promise<{ rss: number; hwm: number } | undefined>;
  /** SIGTERM, then waits for the exit; SIGKILL after `graceMs`. Resolves with the exit. */
  stop(graceMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
}

/**
 * Starts the server and resolves once both transports listen. `heapMiB` caps
 * its V8 old space (--max-old-space-size), as a small machine would: a leak
 * then ends in a crash the run sees, rather than in slow growth it might not.
 */
export async function startServerProcess(
  fromDist: boolean,
  flags: string[],
  heapMiB: number,
): Promise<ServerProcess> {
  const nodeFlags = [`--max-old-space-size=${heapMiB}`];
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeFlags, ...cliCommand(fromDist), "serve", ...flags],
    {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  const ports = new Map<string, number>();
  const listening = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      stdout.push(line);
      const match = LISTENING.exec(line);
      if (match) ports.set(match[1]!, Number(match[2]));
      if (ports.size === 2) resolve();
    });
    createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
    void exited.then(() =>
      reject(new Error(`the server exited before listening:\n${[...stdout, ...stderr].join("\n")}`)),
    );
    setTimeout(() => reject(new Error("the server did not listen within 30 s")), 30_000).unref();
  });
  try {
    await listening;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const pid = child.pid!;
  return {
    pid,
    socketPort: ports.get("socket")!,
    grpcPort: ports.get("grpc")!,
    stderr,
    get exit() {
      return exit;
    },
    async memory() {
      try {
        const status = await readFile(`/proc/${pid}/status`, "utf8");
        const kb = (field: string) =>
          Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
        return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 };
      } catch {
        return undefined;
      }
    },
    async stop(graceMs) {
      let killed = false;
      if (exit === undefined) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => {
          killed = true;
          child.kill("SIGKILL");
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      return { ...exit!, killed };
    },
  };
}
