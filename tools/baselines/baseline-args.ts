// Command-line shape shared by the baseline servers: --host, --port, and the ready line.

import { Command } from "commander";
import { parseArgv } from "../../src/cli/flags.js";
import { integer, type Schema, text } from "../../src/options/schema.js";

export interface ListenOptions {
  /** Interface to bind; loopback unless told otherwise. */
  readonly host: string;
  /** TCP port; 0 asks the OS for a free one. */
  readonly port: number;
}

/** A server started by a bench tool, with its bound address and an idempotent close. */
export interface RunningServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const LISTEN_OPTIONS: Schema<ListenOptions> = {
  host: text("--host", "interface to bind", "127.0.0.1", { arg: "<host>" }),
  port: integer("--port", "TCP port (0 picks a free one)", 0, 0, 65535),
};

/**
 * Runs a baseline as a command: starts it, prints the ready line the bench
 * scripts wait for, and closes it on SIGINT/SIGTERM.
 */
export async function runBaselineMain(
  name: string,
  start: (options: ListenOptions) => Promise<RunningServer>,
): Promise<void> {
  const server = await start(parseArgv(new Command(name), LISTEN_OPTIONS));
  process.stdout.write(`${name} listening on ${server.host}:${server.port}\n`);
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** True when the module at `moduleUrl` is the script node was asked to run. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && new URL(moduleUrl).pathname === entry;
}
