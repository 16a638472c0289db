// Starts a real socket server on an ephemeral port for a test, and a way to
// talk to it byte by byte.

import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { DEFAULT_CATALOG } from "../../src/catalog/default-catalog.js";
import { InMemoryCatalog } from "../../src/catalog/memory-store.js";
import type { Toy } from "../../src/catalog/toy.js";
import { StoreService } from "../../src/service/store-service.js";
import type { StoreServiceOptions } from "../../src/service/store-service-options.js";
import {
  type SocketServerHandle,
  type SocketServerStartOptions,
  startSocketServer,
} from "../../src/transport/socket/socket-server.js";

export interface TestSocketServer {
  readonly port: number;
  readonly service: StoreService;
  readonly server: SocketServerHandle;
  /** Closes the server; fails if connections are still open afterwards (a leak). */
  close(): Promise<void>;
}

export async function startTestSocketServer(
  // server: the limits, and `metrics` to record what it serves.
  options: { toys?: readonly Toy[]; service?: StoreServiceOptions; server?: SocketServerStartOptions } = {},
): Promise<TestSocketServer> {
  const service = new StoreService(new InMemoryCatalog(options.toys ?? DEFAULT_CATALOG), options.service);
  const server = await startSocketServer(service, { host: "127.0.0.1", port: 0, ...options.server });
  return {
    port: server.address.port,
    service,
    server,
    async close() {
      await server.close(2000);
      if (server.connections !== 0)
        throw new Error(`${server.connections} connections still open after close`);
    },
  };
}

/** A raw TCP connection that collects what the server sends. */
export class RawConnection {
  readonly socket: Socket;
  #received = "";
  #waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      this.#received += text;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    socket.on("error", () => {});
    this.closed = once(socket, "close").then(() => {
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = connect({ host: "127.0.0.1", port });
    await once(socket, "connect");
    return new RawConnection(socket);
  }

  get received(): string {
    return this.#received;
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (e) => (e ? reject(e) : resolve())));
  }

  /** Resolves with the first `count` reply lines once they have arrived (or the connection closed). */
  async lines(count: number): Promise<string[]> {
    while (
      this.#received.split("\n").length - 1 < count &&
      !this.socket.destroyed &&
      !this.socket.readableEnded
    ) {
      await new Promise<void>((wake) => this.#waiters.push(wake));
    }
    return this.#received.split("\n").slice(0, count);
  }

  async close(): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }
}
