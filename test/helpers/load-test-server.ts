// A stand-in store for the load generator's tests: a TCP server that runs at
// most `parallelism` requests at once (FIFO), each holding its slot for
// `workMs`, the queueing model of prediction.ts in a page. Ops listed in
// `exclusiveOps` run alone, as under a write lock. Lines are
// "<id> <op> <name>"; replies are "<id> <kind>" or "<id> ERR <code>".

import { once } from "node:events";
import net from "node:net";

export interface LoadTestServer {
  readonly port: number;
  /** Requests answered so far. */
  readonly served: () => number;
  /** Most requests seen running at once. */
  readonly peakRunning: () => number;
  /** Closes the listener and every open connection; resolves once they are gone. */
  close(): Promise<void>;
}

export interface LoadTestServerOptions {
  readonly parallelism: number;
  readonly workMs: number;
  /** Ops that run alone (default none): ["buy"] models the read-write lock, both ops the mutex. */
  readonly exclusiveOps?: readonly string[];
}

export async function startLoadTestServer(options: LoadTestServerOptions): Promise<LoadTestServer> {
  const queue: { exclusive: boolean; run: () => void }[] = [];
  let running = 0;
  let exclusiveRunning = false;
  let peak = 0;
  let served = 0;
  const sockets = new Set<net.Socket>();

  // FIFO: the head waits until it fits, and nobody overtakes it.
  const drain = () => {
    for (let head = queue[0]; head !== undefined; head = queue[0]) {
      const fits = head.exclusive ? running === 0 : !exclusiveRunning && running < options.parallelism;
      if (!fits) return;
      queue.shift();
      running++;
      exclusiveRunning = head.exclusive;
      peak = Math.max(peak, running);
      head.run();
    }
  };
  const admit = (exclusive: boolean, run: () => void) => {
    queue.push({ exclusive, run });
    drain();
  };
  const release = () => {
    running--;
    exclusiveRunning = false;
    drain();
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("utf8");
      for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
        const [id, op, name] = buffered.slice(0, end).split(" ");
        buffered = buffered.slice(end + 1);
        if (op === "fail") {
          socket.write(`${id} ERR ${name}\n`);
          continue;
        }
        admit(options.exclusiveOps?.includes(op ?? "") ?? false, () =>
          setTimeout(() => {
            served++;
            release();
            if (!socket.destroyed) socket.write(`${id} ${op === "buy" ? "bought" : "in_stock"}\n`);
          }, options.workMs),
        );
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    served: () => served,
    peakRunning: () => peak,
    async close() {
      const closed = once(server, "close");
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
