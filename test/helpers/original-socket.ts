// The original socket protocol for tests: a real server on an ephemeral port,
// beside a line-protocol server on the same StoreService, and the original
// design's client written out byte for byte (a connection, one message, one read).

import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { DEFAULT_CATALOG } from "../../src/catalog/default-catalog.js";
import { InMemoryCatalog } from "../../src/catalog/memory-store.js";
import type { Toy } from "../../src/catalog/toy.js";
import { StoreService } from "../../src/service/store-service.js";
import type { StoreServiceOptions } from "../../src/service/store-service-options.js";
import {
  type OriginalSocketServerHandle,
  type OriginalSocketStartOptions,
  startOriginalSocketServer,
} from "../../src/transport/original-socket/original-socket-server.js";
import { type SocketServerHandle, startSocketServer } from "../../src/transport/socket/socket-server.js";

export interface TestOriginalSocketServer {
  /** The original protocol's port. */
  readonly port: number;
  /** The line protocol's port, on the same store. */
  readonly linePort: number;
  readonly service: StoreService;
  readonly server: OriginalSocketServerHandle;
  readonly lineServer: SocketServerHandle;
  /** Closes both servers; fails if connections are still open afterwards (a leak). */
  close(): Promise<void>;
}

export async function startTestOriginalSocketServer(
  options: { toys?: readonly Toy[]; service?: StoreServiceOptions; server?: OriginalSocketStartOptions } = {},
): Promise<TestOriginalSocketServer> {
  const service = new StoreService(new InMemoryCatalog(options.toys ?? DEFAULT_CATALOG), options.service);
  const server = await startOriginalSocketServer(service, { host: "127.0.0.1", port: 0, ...options.server });
  const lineServer = await startSocketServer(service, { host: "127.0.0.1", port: 0 });
  return {
    port: server.address.port,
    linePort: lineServer.address.port,
    service,
    server,
    lineServer,
    async close() {
      await Promise.all([server.close(2000), lineServer.close(2000)]);
      const left = server.connections + lineServer.connections;
      if (left !== 0) throw new Error(`${left} connections still open after close`);
    },
  };
}

/** What the original client does for one request: connect, send the message (no line end), one read, close. */
export async function askOnce(port: number, message: string | Buffer): Promise<string> {
  const socket = connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  try {
    socket.write(message);
    return await readOnce(socket);
  } finally {
    socket.destroy();
  }
}

/** One read of the socket (recv): the first chunk that arrives, as text; "" if the server closed first. */
export function readOnce(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      cleanup();
      resolve(chunk.toString("utf8"));
    };
    const onClose = (): void => {
      cleanup();
      resolve("");
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", onError);
      socket.pause();
    };
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", onError);
    socket.resume();
  });
}
