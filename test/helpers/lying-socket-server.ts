// A store that lies, for the session check's test: a tiny socket-protocol
// server (Query, Buy*<n>, Order) that sells whatever is asked, then answers
// `Order:` with one unit more than was sold. Binds 127.0.0.1 on a free port.

import { once } from "node:events";
import net from "node:net";

export interface LyingSocketServer {
  readonly port: number;
  /** Closes the listener and every connection; resolves once they are gone. */
  close(): Promise<void>;
}

const TIME = "2026-12-07T21:00:00.000Z";

export async function startLyingSocketServer(): Promise<LyingSocketServer> {
  const orders = new Map<string, { toy: string; quantity: number }>();
  const sockets = new Set<net.Socket>();
  const answer = (line: string): string => {
    const query = /^Query: (.+)$/i.exec(line);
    if (query !== null) return "19.99 100";
    const buy = /^Buy\*(\d+)(?: \S+)?: (.+)$/i.exec(line);
    if (buy !== null) {
      const id = String(orders.size + 1);
      orders.set(id, { toy: buy[2]!.trim(), quantity: Number(buy[1]) });
      return `1 ${id} 19.99 100`;
    }
    const order = /^Order: (\S+)$/i.exec(line);
    if (order !== null) {
      const sold = orders.get(order[1]!);
      // The lie: one unit more than was sold.
      return sold === undefined ? "-1" : `${order[1]} ${sold.quantity + 1} 19.99 ${TIME} ${sold.toy}`;
    }
    return "ERR unknown method";
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      // Bounded: a line longer than this is no client of ours.
      if (buffered.length > 4096) socket.destroy();
      for (const line of lines) socket.write(`${answer(line.replace(/\r$/, ""))}\n`);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
