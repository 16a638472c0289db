// Where a client connects, named the same way by every command: the
// transport, the host, and each transport's port (--socket-port, --grpc-port,
// --http-port, with the servers' own defaults), of which the transport picks one.

import { choice, integer, resolveOptions, type Schema, text } from "../options/schema.js";
import { GRPC_SERVER_OPTIONS } from "../transport/grpc/grpc-options.js";
import { HTTP_SERVER_OPTIONS } from "../transport/http/http-options.js";
import { SOCKET_SERVER_OPTIONS } from "../transport/socket/socket-options.js";
import { TRANSPORTS, type Transport } from "./store-client.js";

/** One server address: what a client, a load run or a benchmark connects to. */
export interface Target {
  readonly transport: Transport;
  readonly host: string;
  readonly port: number;
}

/** The target as the command line names it: both ports, the transport picks one. */
export interface TargetFlags {
  readonly transport: Transport;
  readonly host: string;
  readonly socketPort: number;
  readonly grpcPort: number;
  readonly httpPort: number;
}

const port = (server: typeof SOCKET_SERVER_OPTIONS.port, what: string) =>
  integer(server.flag, `${what} port of the server`, server.default, 1, 65535);

export const TARGET_OPTIONS: Schema<TargetFlags> = {
  transport: choice<Transport>("--transport", "transport to use", "socket", [...TRANSPORTS]),
  host: text("--host", "server address", "127.0.0.1", { arg: "<host>" }),
  socketPort: port(SOCKET_SERVER_OPTIONS.port, "socket"),
  grpcPort: port(GRPC_SERVER_OPTIONS.port, "gRPC"),
  httpPort: port(HTTP_SERVER_OPTIONS.port, "HTTP"),
};

/** Which of the flags holds each transport's port. */
const PORT_KEY = {
  socket: "socketPort",
  grpc: "grpcPort",
  http: "httpPort",
} as const satisfies Record<Transport, keyof TargetFlags>;

/** The port flags, e.g. to tell whether any was given (`bench` starts a server when none was). */
export const PORT_KEYS: readonly (keyof TargetFlags)[] = Object.values(PORT_KEY);

/** The target the flags name: the port of the chosen transport. Throws an OptionError on a bad value. */
export function resolveTarget(flags: Partial<TargetFlags>): Target {
  const t = resolveOptions(TARGET_OPTIONS, flags);
  return { transport: t.transport, host: t.host, port: t[PORT_KEY[t.transport]] };
}

/** Checks a target given in code; throws an OptionError naming the flag of the bad value. */
export function checkTarget(target: Target): Target {
  // An unknown transport is refused by --transport's own check, before any port.
  const portKey = PORT_KEY[target.transport] ?? "socketPort";
  resolveOptions(TARGET_OPTIONS, { transport: target.transport, host: target.host, [portKey]: target.port });
  return target;
}
