// Command-line shape shared by the baseline servers: --host, --port, and the ready line.

import { parseArgs } from "node:util";

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

/** Parses `--host` and `--port`; throws with the option name on a bad value. */
export function parseListenArgs(argv: readonly string[]): ListenOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "0" },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer in 0..65535, got ${JSON.stringify(values.port)}`);
  }
  return { host: values.host, port };
}

/**
 * Runs a baseline as a command: starts it, prints the ready line the bench
 * scripts wait for, and closes it on SIGINT/SIGTERM.
 */
export async function runBaselineMain(
  name: string,
  start: (options: ListenOptions) => Promise<RunningServer>,
): Promise<void> {
  const server = await start(parseListenArgs(process.argv.slice(2)));
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
