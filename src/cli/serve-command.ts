// `toystore serve`: builds the catalog, the service and the listeners, prints
// where they listen, and shuts down gracefully on SIGINT/SIGTERM.

import type { Command } from "commander";
import { Option } from "commander";
import { InMemoryCatalog } from "../catalog/catalog-store.js";
import { DEFAULT_CATALOG } from "../catalog/default-catalog.js";
import { CatalogError, loadCatalogFile } from "../catalog/load-catalog.js";
import type { Toy } from "../catalog/toy.js";
import type { LockKind } from "../concurrency/section-lock.js";
import { StoreService } from "../service/store-service.js";
import { GRPC_SERVER_DEFAULTS, startGrpcServer } from "../transport/grpc/grpc-server.js";
import { SOCKET_SERVER_DEFAULTS, startSocketServer } from "../transport/socket/socket-server.js";
import { CliFailure } from "./cli-failure.js";
import { integerIn, nonNegativeNumber, port } from "./parse-options.js";

interface ServeFlags {
  transport: "socket" | "grpc" | "both";
  host: string;
  socketPort: number;
  grpcPort: number;
  grpcMaxConcurrency: number;
  grpcMaxQueued: number;
  grpcMaxMessageBytes: number;
  poolSize: number;
  maxQueued: number;
  lock: LockKind;
  workMs: number;
  catalog?: string;
  maxConnections: number;
  maxLineBytes: number;
  idleTimeoutMs: number;
  graceMs: number;
  maxInFlightPerConnection: number;
  maxAdmittedPerConnection: number;
  lineTimeoutMs: number;
  writeStallTimeoutMs: number;
  grpcMaxConcurrentStreams: number;
  grpcIdleTimeoutMs: number;
}

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve the store over the socket protocol and gRPC until SIGINT or SIGTERM")
    .addOption(
      new Option("--transport <transport>", "which transports to serve")
        .choices(["socket", "grpc", "both"])
        .default("both"),
    )
    .option(
      "--host <host>",
      "interface to listen on (127.0.0.1 keeps the store on this machine)",
      "127.0.0.1",
    )
    .option(
      "--socket-port <port>",
      "socket transport port (0 picks a free one)",
      port,
      SOCKET_SERVER_DEFAULTS.port,
    )
    .option("--grpc-port <port>", "gRPC port (0 picks a free one)", port, GRPC_SERVER_DEFAULTS.port)
    .option("--pool-size <n>", "socket workers running requests at once", integerIn(1, 10_000), 5)
    .option(
      "--max-queued <n>",
      "requests waiting for a worker before new ones get a busy error",
      integerIn(0, 1_000_000),
      SOCKET_SERVER_DEFAULTS.maxQueued,
    )
    .addOption(
      new Option("--lock <kind>", "lock policy: mutex (all exclusive) or rwlock (queries share)")
        .choices(["mutex", "rwlock"])
        .default("rwlock"),
    )
    .option(
      "--work-ms <ms>",
      "simulated processing time per request, held inside the lock",
      nonNegativeNumber,
      0,
    )
    .option("--catalog <file>", "load the catalog from a JSON file instead of the default one")
    .option(
      "--max-connections <n>",
      "open socket connections; more are refused",
      integerIn(1, 1_000_000),
      SOCKET_SERVER_DEFAULTS.maxConnections,
    )
    .option(
      "--max-line-bytes <n>",
      "longest request line; a longer one closes the connection",
      integerIn(16, 1_048_576),
      SOCKET_SERVER_DEFAULTS.maxLineBytes,
    )
    .option(
      "--idle-timeout-ms <ms>",
      "close a socket connection idle this long (0: never)",
      integerIn(0),
      SOCKET_SERVER_DEFAULTS.idleTimeoutMs,
    )
    .option(
      "--max-in-flight-per-connection <n>",
      "socket requests read and not yet answered on one connection before the server stops reading it",
      integerIn(1, 1_000_000),
      SOCKET_SERVER_DEFAULTS.maxInFlightPerConnection,
    )
    .option(
      "--max-admitted-per-connection <n>",
      "socket requests of one connection in the worker pool at once; keep it >= --pool-size",
      integerIn(1, 1_000_000),
      SOCKET_SERVER_DEFAULTS.maxAdmittedPerConnection,
    )
    .option(
      "--line-timeout-ms <ms>",
      "a started socket request line must end within this long, or ERR line timeout and close (0: never)",
      integerIn(0),
      SOCKET_SERVER_DEFAULTS.lineTimeoutMs,
    )
    .option(
      "--write-stall-timeout-ms <ms>",
      "disconnect a socket client that leaves its replies unread this long (0: never)",
      integerIn(0),
      SOCKET_SERVER_DEFAULTS.writeStallTimeoutMs,
    )
    .option(
      "--grpc-max-concurrent-streams <n>",
      "gRPC calls open at once on one connection; a client's extra calls wait",
      integerIn(1, 2_147_483_647),
      GRPC_SERVER_DEFAULTS.maxConcurrentStreams,
    )
    .option(
      "--grpc-idle-timeout-ms <ms>",
      "close a gRPC connection with no call open for this long (0: never)",
      integerIn(0, 2_147_483_647),
      GRPC_SERVER_DEFAULTS.idleConnectionTimeoutMs,
    )
    .option(
      "--grpc-max-concurrency <n>",
      "gRPC calls running at once; the rest wait in FIFO order",
      integerIn(1, 10_000),
      GRPC_SERVER_DEFAULTS.maxConcurrency,
    )
    .option(
      "--grpc-max-queued <n>",
      "gRPC calls waiting for a handler before new ones get RESOURCE_EXHAUSTED",
      integerIn(0, 1_000_000),
      GRPC_SERVER_DEFAULTS.maxQueued,
    )
    .option(
      "--grpc-max-message-bytes <n>",
      "largest gRPC request message accepted",
      integerIn(64, 4_194_304),
      GRPC_SERVER_DEFAULTS.maxMessageBytes,
    )
    .option("--grace-ms <ms>", "on shutdown, force-close connections after this long", integerIn(0), 10_000)
    .action(async (flags: ServeFlags) => {
      const toys = await readCatalog(flags.catalog);
      const service = new StoreService(new InMemoryCatalog(toys), { lock: flags.lock, workMs: flags.workMs });
      // One service for both transports: a buy over gRPC is seen by a query over the socket.
      const closers: ((graceMs: number) => Promise<void>)[] = [];
      const stopAll = (): Promise<unknown> => Promise.all(closers.map((close) => close(flags.graceMs)));
      try {
        if (flags.transport !== "grpc") {
          const socket = await listen("socket", flags.host, flags.socketPort, () =>
            startSocketServer(service, {
              host: flags.host,
              port: flags.socketPort,
              poolSize: flags.poolSize,
              maxQueued: flags.maxQueued,
              maxConnections: flags.maxConnections,
              maxLineBytes: flags.maxLineBytes,
              idleTimeoutMs: flags.idleTimeoutMs,
              maxInFlightPerConnection: flags.maxInFlightPerConnection,
              maxAdmittedPerConnection: flags.maxAdmittedPerConnection,
              lineTimeoutMs: flags.lineTimeoutMs,
              writeStallTimeoutMs: flags.writeStallTimeoutMs,
            }),
          );
          closers.push((graceMs) => socket.close(graceMs));
          console.log(`socket listening on ${formatAddress(socket.address.host, socket.address.port)}`);
        }
        if (flags.transport !== "socket") {
          const grpc = await listen("grpc", flags.host, flags.grpcPort, () =>
            startGrpcServer({
              service,
              host: flags.host,
              port: flags.grpcPort,
              maxConcurrency: flags.grpcMaxConcurrency,
              maxQueued: flags.grpcMaxQueued,
              maxMessageBytes: flags.grpcMaxMessageBytes,
              maxConcurrentStreams: flags.grpcMaxConcurrentStreams,
              idleConnectionTimeoutMs: flags.grpcIdleTimeoutMs,
            }),
          );
          closers.push((graceMs) => grpc.close(graceMs));
          console.log(`grpc listening on ${formatAddress(grpc.address.host, grpc.address.port)}`);
        }
      } catch (error) {
        await stopAll();
        throw error;
      }
      await waitForSignal();
      console.log("shutting down: finishing requests in flight");
      await stopAll();
    });
}

async function listen<T>(what: string, host: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    throw new CliFailure(`cannot serve ${what} on ${formatAddress(host, port)}: ${(error as Error).message}`);
  }
}

async function readCatalog(file: string | undefined): Promise<readonly Toy[]> {
  if (file === undefined) return DEFAULT_CATALOG;
  try {
    return await loadCatalogFile(file);
  } catch (error) {
    if (error instanceof CatalogError) throw new CliFailure(`bad catalog: ${error.message}`);
    throw error;
  }
}

function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Resolves on the first SIGINT or SIGTERM. */
function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
