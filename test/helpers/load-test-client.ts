// The client side of load-test-server.ts, exported as `connect` so that the
// load generator's workers can import it in place of the project's factory.
// A toy name starting with "fail:" makes the server answer with that error code.

import net from "node:net";
import type { BuyResult, QueryResult } from "../../src/catalog/toy.js";
import type { StoreClient } from "../../src/client/store-client.js";
import { StoreError } from "../../src/errors.js";

export async function connect(options: { host: string; port: number }): Promise<StoreClient> {
  const socket = net.connect(options.port, options.host);
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", (error) => reject(new StoreError("unavailable", error.message, { cause: error })));
  });
  const pending = new Map<number, { resolve: (kind: string) => void; reject: (error: StoreError) => void }>();
  let nextId = 0;
  let buffered = "";
  socket.on("data", (chunk) => {
    buffered += chunk.toString("utf8");
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      const [id, kind, code] = buffered.slice(0, end).split(" ");
      buffered = buffered.slice(end + 1);
      const call = pending.get(Number(id));
      pending.delete(Number(id));
      if (kind === "ERR")
        call?.reject(new StoreError((code ?? "internal") as StoreError["code"], "test server error"));
      else call?.resolve(kind ?? "");
    }
  });
  const failAll = () => {
    for (const call of pending.values()) call.reject(new StoreError("unavailable", "connection closed"));
    pending.clear();
  };
  socket.on("close", failAll);
  socket.on("error", () => {});

  const call = (op: string, name: string) =>
    new Promise<string>((resolve, reject) => {
      if (socket.destroyed) return reject(new StoreError("unavailable", "connection closed"));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.write(name.startsWith("fail:") ? `${id} fail ${name.slice(5)}\n` : `${id} ${op} ${name}\n`);
    });

  return {
    transport: "socket",
    async query(name) {
      await call("query", name);
      return { kind: "in_stock", priceCents: 100, stock: 1 } satisfies QueryResult;
    },
    async buy(name) {
      await call("buy", name);
      return { kind: "bought", stockLeft: 0 } satisfies BuyResult;
    },
    async order() {
      return undefined;
    },
    async list() {
      return [];
    },
    async close() {
      if (socket.destroyed) return;
      socket.end();
      await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    },
  };
}
