// Where a client connects, named the same way by every command: the
// transport, the host, and each transport's port (--socket-port, --grpc-port,
// --http-port, --original-socket-port, with the servers' own defaults), of
// which the transport picks one.

import {
  choice,
  type Field,
  integer,
  MAX_INT32,
  OptionError,
  resolveOptions,
  type Schema,
  text,
} from "../options/schema.js";
import { GRPC_SERVER_OPTIONS } from "../transport/grpc/grpc-options.js";
import { HTTP_SERVER_OPTIONS } from "../transport/http/http-options.js";
import { ORIGINAL_SOCKET_OPTIONS } from "../transport/original-socket/original-socket-options.js";
import { SOCKET_SERVER_OPTIONS } from "../transport/socket/socket-options.js";
import { TRANSPORTS, type Transport } from "./store-client.js";

/** Where one server listens. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** One server address: what a client, a load run or a benchmark connects to. */
export interface Target extends Endpoint {
  readonly transport: Transport;
  /**
   * The servers of one store (`--servers`), when there are several to use:
   * clients spread over them and fail over from one to the next. `host` and
   * `port` are then the first of them. Absent: the one server at host:port.
   */
  readonly servers?: readonly Endpoint[];
  /** With `servers`: a request that hears nothing for this long is sent to the next server, ms. */
  readonly failoverMs?: number;
}

/** The target as the command line names it: both ports, the transport picks one. */
export interface TargetFlags {
  readonly transport: Transport;
  readonly host: string;
  readonly socketPort: number;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly originalSocketPort: number;
  readonly servers: readonly string[] | null;
  readonly failoverMs: number;
}

/** How long a failover client waits for an answer before trying the next server, by default. */
export const DEFAULT_FAILOVER_MS = 3000;

/** "host", "host:port", "[v6]" or "[v6]:port"; the port is checked when the target is resolved. */
const SERVER_ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:,[\]]+))(?::(\d{1,5}))?$/;

/** `--servers a:7070,b:7070`: one or more server addresses, distinct. */
const SERVERS: Field<readonly string[] | null> = {
  flag: "--servers",
  arg: "<list>",
  help: "servers of one store, host[:port],...: clients spread over them and fail over to the next (the port defaults to the transport's port flag; replaces --host)",
  default: null,
  expected: "a comma-separated list of distinct addresses, each host or host:port ([v6]:port for IPv6)",
  valid: (value) =>
    value === null ||
    (Array.isArray(value) &&
      value.length > 0 &&
      value.every((entry) => SERVER_ADDRESS.test(entry)) &&
      new Set(value).size === value.length),
  parse: (text) => {
    const entries = text.split(",").map((entry) => entry.trim());
    return entries.every((entry) => SERVER_ADDRESS.test(entry)) && new Set(entries).size === entries.length
      ? entries
      : undefined;
  },
};

const port = (server: typeof SOCKET_SERVER_OPTIONS.port, what: string) =>
  integer(server.flag, `${what} port of the server`, server.default, 1, 65535);

export const TARGET_OPTIONS: Schema<TargetFlags> = {
  transport: choice<Transport>("--transport", "transport to use", "socket", [...TRANSPORTS]),
  host: text("--host", "server address", "127.0.0.1", { arg: "<host>" }),
  socketPort: port(SOCKET_SERVER_OPTIONS.port, "socket"),
  grpcPort: port(GRPC_SERVER_OPTIONS.port, "gRPC"),
  httpPort: port(HTTP_SERVER_OPTIONS.port, "HTTP"),
  originalSocketPort: port(ORIGINAL_SOCKET_OPTIONS.port, "original-socket"),
  servers: SERVERS,
  failoverMs: integer(
    "--failover-ms",
    "with --servers: a request that hears nothing for this long is sent to the next server",
    DEFAULT_FAILOVER_MS,
    1,
    MAX_INT32,
  ),
};

/** Which of the flags holds each transport's port. */
const PORT_KEY = {
  socket: "socketPort",
  grpc: "grpcPort",
  http: "httpPort",
  "original-socket": "originalSocketPort",
} as const satisfies Record<Transport, keyof TargetFlags>;

/** The port flags, e.g. to tell whether any was given (`bench` starts a server when none was). */
export const PORT_KEYS: readonly (keyof TargetFlags)[] = Object.values(PORT_KEY);

/** The target the flags name: the port of the chosen transport. Throws an OptionError on a bad value. */
export function resolveTarget(flags: Partial<TargetFlags>): Target {
  const t = resolveOptions(TARGET_OPTIONS, flags);
  const port = t[PORT_KEY[t.transport]];
  if (t.servers === null) return { transport: t.transport, host: t.host, port };
  if (flags.host !== undefined) throw new OptionError("give --host or --servers, not both");
  checkFailover(t.transport);
  const servers = t.servers.map((entry) => endpointOf(entry, port));
  return { transport: t.transport, ...servers[0]!, servers, failoverMs: t.failoverMs };
}

/** One --servers entry, with the transport's port where it names none. */
function endpointOf(entry: string, fallbackPort: number): Endpoint {
  const [, v6, name, digits] = SERVER_ADDRESS.exec(entry) ?? [];
  const port = digits === undefined ? fallbackPort : Number(digits);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new OptionError(`--servers: the port of ${entry} must be from 1 to 65535`);
  }
  return { host: v6 ?? name ?? entry, port };
}

/** Checks a target given in code; throws an OptionError naming the flag of the bad value. */
export function checkTarget(target: Target): Target {
  // An unknown transport is refused by --transport's own check, before any port.
  const portKey = PORT_KEY[target.transport] ?? "socketPort";
  resolveOptions(TARGET_OPTIONS, { transport: target.transport, host: target.host, [portKey]: target.port });
  for (const server of target.servers ?? []) {
    resolveOptions(TARGET_OPTIONS, {
      transport: target.transport,
      host: server.host,
      [portKey]: server.port,
    });
  }
  if (target.failoverMs !== undefined) resolveOptions(TARGET_OPTIONS, { failoverMs: target.failoverMs });
  if (target.servers !== undefined) checkFailover(target.transport);
  return target;
}

/**
 * Failing over resends a buy under its idempotency key, and the original
 * socket protocol carries none: a buy sent again could sell twice.
 */
function checkFailover(transport: Transport): void {
  if (transport === "original-socket") {
    throw new OptionError(
      "--servers cannot be used with --transport original-socket: its buys carry no idempotency key, so none may be resent to another server",
    );
  }
}
