// The one way the tools start a server: a child process, ready once it prints
// its listening lines ("<what> listening on HOST:PORT"), stopped by its PID
// (SIGTERM, then SIGKILL after a grace period). `startServerProcess` runs any
// server (the baselines, the Python reference server, Redis);
// toystore-launch.ts builds on it to run `toystore serve`. Used by the
// experiment, the benchmark, the benchmark runner (tools/bench), the memory probe, the stress run
// and the tests.

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { PACKAGE_ROOT } from "./entry-point.js";
import { readMemory } from "./proc.js";

/**
 * Matches every ready line here: ours ("socket listening on ...", "grpc ...",
 * "http ...", "original-socket ..."), the baselines, the reference server. A
 * name may hold hyphens ("original-socket", "python-grpc-reference").
 */
const READY_LINE = /(?:^|[\s"])([\w-]*)\s*listening on (\[[^\]]*\]|[^\s:[\]"]+):(\d+)/;
/** tsx, when running from source, takes a while to start. */
const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** After SIGTERM, how long the server may drain before SIGKILL: `toystore serve`'s own --grace-ms default. */
const DEFAULT_STOP_GRACE_MS = 10_000;
/** Lines of the server's output quoted when it fails to start. */
const TAIL_LINES = 10;

export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
  /**
   * An argv run first, with the command and its arguments after it: `ip netns
   * exec NS` runs the server in a host's network namespace (netns.ts). It must
   * exec the command (as `ip netns exec` does), so the child's PID is the
   * server's and stop() signals the server itself. Default none.
   */
  readonly commandPrefix?: readonly string[];
  /** Working directory of the server; default this package's root. */
  readonly cwd?: string;
  /**
   * Names whose ready lines must all appear ("socket", "grpc", "http", "original-socket"): the server
   * is ready once each has printed "<name> listening on ...". Default: the
   * first ready line of any kind.
   */
  readonly ready?: readonly string[];
  /** For servers with their own ready line (redis-server): the line to wait for, and the port it was given. */
  readonly readyLine?: { readonly pattern: RegExp; readonly port: number };
  /** Default 30 000. */
  readonly readyTimeoutMs?: number;
  /** Runs once the server is gone (after a stop, or a failed start): removes what was made for it. */
  readonly cleanup?: () => Promise<void>;
}

/** How a server process ended. */
export interface ServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A server child process that is listening. */
export interface ServerProcess {
  readonly pid: number;
  readonly host: string;
  /** The port of the first ready line (of `ready[0]` when names were given). */
  readonly port: number;
  /** Ports by ready-line name ("socket", "grpc", "http", "original-socket"). */
  readonly ports: Readonly<Record<string, number>>;
  /** The last lines it printed (stdout and stderr), at most 1 000. */
  readonly output: readonly string[];
  /** The last lines it printed on stderr, at most 1 000. */
  readonly stderr: readonly string[];
  /** Set once it has exited. */
  readonly exit: ServerExit | undefined;
  /** Resolves when it exits. */
  readonly exited: Promise<ServerExit>;
  /** Resident memory now and at its peak (VmRSS, VmHWM from /proc), bytes; undefined once gone or off Linux. */
  memory(): Promise<{ rss: number; hwm: number } | undefined>;
  /** Sends a signal to its PID (while it runs). */
  signal(signal: NodeJS.Signals): void;
  /**
   * SIGTERM and waits for the exit; SIGKILL after `graceMs` (default 10 000;
   * 0 kills at once). Idempotent. `killed` says whether SIGKILL was needed.
   */
  stop(graceMs?: number): Promise<ServerExit & { readonly killed: boolean }>;
}

/**
 * Spawns the server and resolves once it prints its ready line(s) (on stdout
 * or stderr). Rejects, quoting the end of its output, if it exits first or
 * stays silent past the timeout; it is then killed and gone before the rejection.
 */
export async function startServerProcess(options: ServerCommand): Promise<ServerProcess> {
  const [command, ...args] = [...(options.commandPrefix ?? []), options.command, ...options.args] as [
    string,
    ...string[],
  ];
  const child = spawn(command, args, {
    cwd: options.cwd ?? PACKAGE_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let exit: ServerExit | undefined;
  const exited = new Promise<ServerExit>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    }),
  );
  const output: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => keep(output, line));
  createInterface({ input: child.stderr! }).on("line", (line) => {
    keep(output, line);
    keep(stderr, line);
  });
  let killed = false;
  const stop = async (graceMs = DEFAULT_STOP_GRACE_MS) => {
    // Never started (spawn failed), or already gone: nothing to stop.
    if (child.pid !== undefined && exit === undefined) {
      child.kill(graceMs > 0 ? "SIGTERM" : "SIGKILL");
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    await options.cleanup?.();
    return { ...(exit ?? { code: null, signal: null }), killed };
  };
  try {
    const { host, ports } = await waitForReady(child, options);
    const pid = child.pid!;
    return {
      pid,
      host,
      port: ports[options.ready?.[0] ?? Object.keys(ports)[0]!]!,
      ports,
      output,
      stderr,
      get exit() {
        return exit;
      },
      exited,
      memory: () => readMemory(pid),
      signal: (signal) => {
        if (exit === undefined) child.kill(signal);
      },
      stop,
    };
  } catch (error) {
    await stop(0);
    throw error;
  }
}

function waitForReady(
  child: ChildProcess,
  options: ServerCommand,
): Promise<{ host: string; ports: Record<string, number> }> {
  const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const wanted = options.ready ?? [];
  return new Promise((resolve, reject) => {
    const tail: string[] = [];
    const ports: Record<string, number> = {};
    let host = "127.0.0.1";
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const output = tail.length > 0 ? `; its output:\n${tail.join("\n")}` : "";
      const argv = [...(options.commandPrefix ?? []), options.command, ...options.args];
      reject(new Error(`server ${why} (${argv.join(" ")})${output}`));
    };
    const timer = setTimeout(() => fail(`printed no "listening on" line within ${timeoutMs} ms`), timeoutMs);
    const onLine = (line: string) => {
      // Lines after the ready ones are still read (and dropped), so a chatty
      // server never blocks on a full pipe.
      if (settled) return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (options.readyLine !== undefined) {
        if (options.readyLine.pattern.test(line)) ports.server = options.readyLine.port;
      } else {
        const match = READY_LINE.exec(line);
        if (match === null) return;
        host = match[2]!.replace(/^\[|\]$/g, "");
        ports[match[1] || "server"] = Number(match[3]);
      }
      const count = Object.keys(ports).length;
      if (count === 0 || !wanted.every((name) => name in ports)) return;
      settled = true;
      clearTimeout(timer);
      resolve({ host, ports });
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    // "close" comes after "exit" once both streams are read to the end, so the tail holds the reason.
    child.once("close", (code, signal) => fail(`exited (code ${code}, signal ${signal}) before listening`));
    child.on("error", (error) => fail(`could not start: ${error.message}`));
  });
}

/** Appends a line, keeping the last 1 000: a chatty server must not grow the tool's memory. */
function keep(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > 1000) lines.shift();
}

/**
 * Stops every server `servers()` lists (by PID) and exits 130 on the first
 * SIGINT or SIGTERM, so that a tool interrupted mid-run leaves none behind.
 */
export function stopOnInterrupt(servers: () => Iterable<ServerProcess>): void {
  const onSignal = (): void => {
    void Promise.all([...servers()].map((server) => server.stop())).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}
