// A raw TCP connection for hostile sessions: writes whatever it is given,
// counts what it sends, collects what comes back, and never throws on a reset.

import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { setTimeout as pause } from "node:timers/promises";

export class RawSocket {
  /** Everything received so far. */
  received = "";
  #lineCount = 0;
  readonly #closed: Promise<void>;

  private constructor(
    readonly socket: Socket,
    readonly onSent: (bytes: number) => void,
  ) {
    this.#closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      this.received += text;
      for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) this.#lineCount++;
    });
  }

  /** Connects to 127.0.0.1:`port`; `onSent` counts the bytes each write hands over. */
  static async open(port: number, onSent: (bytes: number) => void = () => {}): Promise<RawSocket> {
    const socket = connect({ host: "127.0.0.1", port });
    socket.on("error", () => {});
    await once(socket, "connect");
    return new RawSocket(socket, onSent);
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Writes and resolves once the bytes are handed to the kernel; resolves false if the connection broke. */
  write(data: string | Buffer): Promise<boolean> {
    if (this.socket.destroyed || this.socket.writableEnded) return Promise.resolve(false);
    this.onSent(typeof data === "string" ? Buffer.byteLength(data) : data.length);
    return new Promise((resolve) => this.socket.write(data, (error) => resolve(!error)));
  }

  /** The complete reply lines so far. */
  lines(): string[] {
    return this.received.split("\n").slice(0, this.#lineCount);
  }

  /** Waits until `count` reply lines arrived, the connection closed, or `timeoutMs` passed; returns the lines. */
  async waitForLines(count: number, timeoutMs: number): Promise<string[]> {
    await this.#waitUntil(() => this.#lineCount >= count, timeoutMs);
    return this.lines();
  }

  /** Waits until the connection closed or `timeoutMs` passed; true if it closed. */
  async waitForClose(timeoutMs: number): Promise<boolean> {
    await this.#waitUntil(() => false, timeoutMs);
    return this.isClosed;
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.#closed;
  }

  // Polls: a hostile session waits for seconds, so 10 ms more or less does not matter.
  async #waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
    const giveUpAt = performance.now() + timeoutMs;
    while (!done() && !this.isClosed && performance.now() < giveUpAt) await pause(10);
  }
}

/** Opens a raw connection, runs `use` on it, and destroys it whatever happens. */
export async function withRawSocket<T>(
  port: number,
  use: (c: RawSocket) => Promise<T>,
  onSent?: (bytes: number) => void,
): Promise<T> {
  const c = await RawSocket.open(port, onSent);
  try {
    return await use(c);
  } finally {
    await c.destroy();
  }
}
