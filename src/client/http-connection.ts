// The HTTP client's connection: one TCP connection opened before the first
// call (so an unreachable server fails at connect time, as a socket client
// does, and the first timed call does not pay for the handshake), handed to
// undici for its first request; later ones are undici's own.

import net from "node:net";
import type { buildConnector } from "undici";
import { StoreError } from "../errors.js";
import { formatHostPort } from "../net/host-port.js";

/**
 * Hands undici the connection opened by `openSocket` for its first request;
 * later connections (after the server closed an idle one) are undici's own.
 */
export class FirstSocketConnector {
  #first: net.Socket | undefined;
  readonly #reconnect: buildConnector.connector;

  constructor(first: net.Socket, reconnect: buildConnector.connector) {
    this.#first = first;
    this.#reconnect = reconnect;
  }

  readonly connect: buildConnector.connector = (options, callback) => {
    const socket = this.#first;
    this.#first = undefined;
    // Called back on a later tick, as undici's own connector does: undici
    // does not expect the callback inside the call (the request would stall).
    if (socket !== undefined && !socket.destroyed) process.nextTick(callback, null, socket);
    else this.#reconnect(options, callback);
  };

  /** Closes the first connection if no request ever used it. */
  dropUnused(): void {
    this.#first?.destroy();
    this.#first = undefined;
  }
}

/** One TCP connection, connected; rejects with code "unavailable" if it cannot be made in time. */
export function openSocket(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true, keepAlive: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new StoreError(
          "unavailable",
          `connect to ${formatHostPort(host, port)} timed out after ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(
        new StoreError("unavailable", `cannot connect to ${formatHostPort(host, port)}: ${error.message}`),
      );
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      // Until undici takes the socket (at the first request) nobody else
      // listens: a reset of the idle connection must not be an uncaught error.
      socket.on("error", () => {});
      resolve(socket);
    });
  });
}
