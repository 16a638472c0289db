// Command-line shape shared by the baseline servers: --host, --port, and the ready line.

import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import { Command } from "commander";
import { parseArgv } from "../../src/cli/flags.js";
import { formatHostPort } from "../../src/net/host-port.js";
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

/**
 * Listens, keeping every connection so that close() can end them (a baseline
 * under load has connections open), and resolves with the bound address.
 */
export function listenTracked(server: NetServer, options: ListenOptions): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      const address = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> => {
        closing ??= new Promise((done) => {
          server.close(() => done());
          for (const socket of sockets) socket.destroy();
        });
        return closing;
      };
      resolve({ host: address.address, port: address.port, close });
    });
  });
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
  process.stdout.write(`${name} listening on ${formatHostPort(server.host, server.port)}\n`);
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
