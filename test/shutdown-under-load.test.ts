// Graceful shutdown while clients are mid-load over both transports: requests
// in flight finish or get a clear error, new connections are refused, and the
// books balance: every acknowledged buy is in the final stock, and no buy that
// was refused is. First in-process (the same calls the CLI makes on SIGTERM,
// with the catalog readable afterwards), then SIGTERM to a real `serve` child.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InMemoryCatalog } from "../src/catalog/memory-store.js";
import { connect } from "../src/client/connect.js";
import { GrpcStoreClient } from "../src/client/grpc-client.js";
import { SocketStoreClient } from "../src/client/socket-client.js";
import type { StoreClient } from "../src/client/store-client.js";
import { isStoreError } from "../src/errors.js";
import { StoreService } from "../src/service/store-service.js";
import { startGrpcServer } from "../src/transport/grpc/grpc-server.js";
import { startSocketServer } from "../src/transport/socket/socket-server.js";
import { newTally, runBuyLoops, startServeChild, totalAcked } from "./helpers/abuse-load.js";
import { waitFor } from "./helpers/grpc-server.js";

const TOYS = ["Tux", "Fox", "Whale"];
const STOCK = 1_000_000;
/** How a loop may end when the server shuts down under it: told so, or its connection went away. */
const CLEAR_ENDINGS = new Set(["unavailable", "shutting_down"]);

function assertClearEndings(endings: Map<string, number>): void {
  for (const [ending, count] of endings) {
    assert.ok(CLEAR_ENDINGS.has(ending), `${count} loop(s) ended with ${ending}`);
  }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isStoreError(error) ? error.code : String(error);
  }
  return "accepted";
}

describe("graceful shutdown under load", () => {
  test("in-process: acknowledged buys are exactly what left the stock; new connections are refused", async () => {
    const service = new StoreService(
      new InMemoryCatalog(TOYS.map((name) => ({ name, priceCents: 100, stock: STOCK }))),
      { workMs: 1 },
    );
    const socket = await startSocketServer(service, { port: 0 });
    const grpc = await startGrpcServer({ service, port: 0 });
    const clients: StoreClient[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        clients.push(await connect({ transport: "socket", port: socket.address.port }));
        clients.push(await connect({ transport: "grpc", port: grpc.address.port }));
      }
      const tally = newTally();
      let stopped = false;
      const load = Promise.all(clients.map((c) => runBuyLoops(c, TOYS, 4, tally, () => stopped)));
      await waitFor(() => totalAcked(tally) >= 300, "the load to get going");

      // What the CLI does on SIGTERM.
      const closing = Promise.all([socket.close(5000), grpc.close(5000)]);
      assert.equal(
        await refusal(SocketStoreClient.connect({ port: socket.address.port, connectTimeoutMs: 1000 })),
        "unavailable",
        "a new socket connection is refused",
      );
      const late = new GrpcStoreClient({ port: grpc.address.port, ownConnection: true });
      assert.ok(
        ["unavailable", "shutting_down"].includes(await refusal(late.query("Tux"))),
        "a new gRPC call is refused",
      );
      await late.close();
      await closing;
      stopped = true; // a safety net: every loop should already have ended with an error
      await load;

      assert.equal(tally.endings.get("done"), undefined, "every loop was ended by the shutdown");
      assertClearEndings(tally.endings);
      const left = new Map((await service.list()).map((toy) => [toy.name, toy.stock]));
      for (const toy of TOYS) {
        assert.equal(STOCK - left.get(toy)!, tally.acked.get(toy) ?? 0, `${toy}: sold = acknowledged`);
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all([socket.close(0), grpc.close(0)]);
    }
  });

  test("SIGTERM to `toystore serve` mid-load: clear errors, new connections refused, exit 0", async () => {
    const child = await startServeChild(Object.fromEntries(TOYS.map((name) => [name, STOCK])), {
      workMs: 1,
      graceMs: 5000,
    });
    const clients: StoreClient[] = [];
    // A hang is a failure, not a stuck suite: past the grace period and then some, kill it.
    const killer = setTimeout(() => child.signal("SIGKILL"), 20_000);
    try {
      for (let i = 0; i < 3; i++) {
        clients.push(await connect({ transport: "socket", port: child.ports.socket! }));
        clients.push(await connect({ transport: "grpc", port: child.ports.grpc! }));
      }
      const tally = newTally();
      let stopped = false;
      const load = Promise.all(clients.map((c) => runBuyLoops(c, TOYS, 4, tally, () => stopped)));
      await waitFor(() => totalAcked(tally) >= 200, "the load to get going");

      child.signal("SIGTERM");
      await waitFor(
        () => child.output.some((line) => line.includes("shutting down")),
        "the server to begin its shutdown",
      );
      const lateSocket = await refusal(
        SocketStoreClient.connect({ port: child.ports.socket!, connectTimeoutMs: 1000 }),
      );
      assert.equal(lateSocket, "unavailable", "a new socket connection is refused");

      const exit = await child.exited;
      clearTimeout(killer);
      assert.deepEqual(exit, { code: 0, signal: null }, child.output.join("\n"));
      stopped = true;
      await load;
      assert.equal(tally.endings.get("done"), undefined, "every loop was ended by the shutdown");
      assertClearEndings(tally.endings);
      assert.ok(totalAcked(tally) >= 200);
    } finally {
      clearTimeout(killer);
      await Promise.all(clients.map((c) => c.close()));
      await child.stop(0);
    }
  });
});
