// Runs a command to its end and keeps what it printed: how the deployment
// runs the CLI and psql on its hosts (under `ip netns exec`). A non-zero exit
// is a result to look at, not an error; only a command that cannot start is.

import { execFile } from "node:child_process";
import { PACKAGE_ROOT } from "./entry-point.js";

/** How long a command may run before it is interrupted (SIGINT). */
const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;
/** A load run's JSON (with its histogram) is far below this. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** How a command ended and what it printed; a non-zero exit is a result, not an error. */
export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  /** Default 120 000; the command is then sent SIGINT (a load run stops and reports). */
  readonly timeoutMs?: number;
  /** Aborting sends the command SIGINT. */
  readonly signal?: AbortSignal;
}

/** Runs an argv in this package's root; resolves with how it ended, whatever the exit code. */
export function runCommand(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const [command, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: PACKAGE_ROOT,
        encoding: "utf8",
        maxBuffer: MAX_OUTPUT_BYTES,
        timeout: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
        killSignal: "SIGINT",
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (error, stdout, stderr) => {
        const failed = error as (NodeJS.ErrnoException & { code?: unknown; signal?: unknown }) | null;
        // A string code is a spawn failure (ENOENT); a number is an exit code.
        if (failed && typeof failed.code === "string" && failed.code !== "ABORT_ERR") return reject(failed);
        resolve({
          code: failed ? (typeof failed.code === "number" ? failed.code : null) : 0,
          signal: failed ? ((failed.signal as NodeJS.Signals | null | undefined) ?? null) : null,
          stdout,
          stderr,
        });
      },
    );
  });
}
