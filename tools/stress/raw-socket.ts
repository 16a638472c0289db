// A raw TCP connection for hostile sessions: writes whatever it is given,
// collects what comes back, and never throws on a reset.

import { once } from "node:events";
import { connect, type Socket } from "node:net";

export class RawSocket {
  readonly socket: Socket;
  #received = "";
  #waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      this.#received += text;
      this.#wake();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.#wake();
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<RawSocket> {
    const socket = connect({ host: "127.0.0.1", port });
    socket.on("error", () => {});
    await once(socket, "connect");
    return new RawSocket(socket);
  }

  get received(): string {
    return this.#received;
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Writes and resolves once the bytes are handed to the kernel; resolves false if the connection broke. */
  write(data: string | Buffer): Promise<boolean> {
    if (this.socket.destroyed || this.socket.writableEnded) return Promise.resolve(false);
    return new Promise((resolve) => this.socket.write(data, (error) => resolve(!error)));
  }

  /** The complete reply lines so far. */
  lines(): string[] {
    const all = this.#received.split("\n");
    all.pop();
    return all;
  }

  /** Waits until `count` reply lines arrived, the connection closed, or `timeoutMs` passed; returns the lines. */
  async waitForLines(count: number, timeoutMs: number): Promise<string[]> {
    const giveUpAt = performance.now() + timeoutMs;
    while (this.lines().length < count && !this.socket.destroyed && performance.now() < giveUpAt) {
      await this.#wait(giveUpAt - performance.now());
    }
    return this.lines();
  }

  /** Waits until the connection closed or `timeoutMs` passed; true if it closed. */
  async waitForClose(timeoutMs: number): Promise<boolean> {
    const giveUpAt = performance.now() + timeoutMs;
    while (!this.socket.destroyed && performance.now() < giveUpAt) {
      await this.#wait(giveUpAt - performance.now());
    }
    return this.socket.destroyed;
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, Math.min(ms, 250)));
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
