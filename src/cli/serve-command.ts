// `toystore serve`: builds the catalog, the service and the listeners from
// the components' own options, prints where they listen, and shuts down
// gracefully on SIGINT/SIGTERM.

import type { Command } from "commander";
import { DEFAULT_CATALOG } from "../catalog/default-catalog.js";
import { CatalogError, loadCatalogFile } from "../catalog/load-catalog.js";
import type { Toy } from "../catalog/toy.js";
import { choice, integer, resolveOptions, type Schema, text } from "../options/schema.js";
import { STORE_SERVICE_OPTIONS, StoreService } from "../service/store-service.js";
import { openStore } from "../stores/open-store.js";
import { StoreOpenError } from "../stores/store-errors.js";
import { STORE_OPTION, type StoreSpec } from "../stores/store-spec.js";
import { GRPC_SERVER_OPTIONS } from "../transport/grpc/grpc-options.js";
import { startGrpcServer } from "../transport/grpc/grpc-server.js";
import { SOCKET_SERVER_OPTIONS } from "../transport/socket/socket-options.js";
import { startSocketServer } from "../transport/socket/socket-server.js";
import { CliFailure } from "./cli-failure.js";
import { addFlags, readFlags } from "./flags.js";

interface ServeSettings {
  readonly transport: "socket" | "grpc" | "both";
  readonly store: StoreSpec;
  /** A JSON catalog file; null = the default catalog. */
  readonly catalog: string | null;
  readonly graceMs: number;
}

const SERVE_OPTIONS: Schema<ServeSettings> = {
  transport: choice<ServeSettings["transport"]>("--transport", "which transports to serve", "both", [
    "socket",
    "grpc",
    "both",
  ]),
  store: STORE_OPTION,
  catalog: text(
    "--catalog",
    "a JSON catalog file to fill a new store with, instead of the default one",
    null,
    {
      arg: "<file>",
    },
  ),
  graceMs: integer(
    "--grace-ms",
    "on shutdown, force-close connections after this long",
    10_000,
    0,
    2 ** 31 - 1,
  ),
};

type Closer = (graceMs: number) => Promise<void>;

export function registerServeCommand(program: Command): void {
  const command = program
    .command("serve")
    .description("serve the store over the socket protocol and gRPC until SIGINT or SIGTERM");
  addFlags(command, SERVE_OPTIONS, STORE_SERVICE_OPTIONS, SOCKET_SERVER_OPTIONS, GRPC_SERVER_OPTIONS);
  command.action(async (given: Record<string, unknown>) => {
    const serve = resolveOptions(SERVE_OPTIONS, readFlags(SERVE_OPTIONS, given));
    const socketOptions = readFlags(SOCKET_SERVER_OPTIONS, given);
    const grpcOptions = readFlags(GRPC_SERVER_OPTIONS, given);
    const serviceOptions = readFlags(STORE_SERVICE_OPTIONS, given);
    const toys = await readCatalog(serve.catalog);
    const opened = await openStore(serve.store, { toys, given: serve.catalog !== null }).catch(
      (error: unknown) => {
        throw error instanceof StoreOpenError ? new CliFailure(error.message) : error;
      },
    );
    // One service for both transports: a buy over gRPC is seen by a query over the socket.
    let service: StoreService;
    try {
      service = new StoreService(opened.store, serviceOptions);
    } catch (error) {
      await opened.store.close?.();
      throw error;
    }
    console.log(opened.summary);
    const closers: Closer[] = [];
    // Transports first, so the requests in flight finish; then the store, which stores what is pending.
    const stopAll = async (): Promise<void> => {
      await Promise.all(closers.map((close) => close(serve.graceMs)));
      await service.close();
    };
    try {
      if (serve.transport !== "grpc") {
        const socket = await listen("socket", () => startSocketServer(service, socketOptions));
        closers.push((graceMs) => socket.close(graceMs));
        console.log(`socket listening on ${formatAddress(socket.address.host, socket.address.port)}`);
      }
      if (serve.transport !== "socket") {
        const grpc = await listen("grpc", () => startGrpcServer({ ...grpcOptions, service }));
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

async function listen<T extends { address: { host: string; port: number } }>(
  what: string,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    throw new CliFailure(`cannot serve ${what}: ${(error as Error).message}`);
  }
}

async function readCatalog(file: string | null): Promise<readonly Toy[]> {
  if (file === null) return DEFAULT_CATALOG;
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
