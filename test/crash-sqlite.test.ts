// A server on a sqlite store is killed with SIGKILL in the middle of a buy
// load, then started again on the same file. Nothing acknowledged is lost:
// units sold >= buys acknowledged, <= acknowledged + unanswered, and every
// acknowledged order is found in the file.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { connectGrpcClient, type GrpcStoreClient } from "../src/client/grpc-client.js";
import { SqliteStore } from "../src/stores/sqlite/sqlite-store.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";

const STOCK = 1_000_000;
const CLIENTS = 8;
/** Buys acknowledged before the kill: enough for many batches to be in flight and stored. */
const ACKED_BEFORE_KILL = 400;
/** Each client's bound on calls, so the loop stops by itself even if the kill never came. */
const MAX_CALLS_PER_CLIENT = 20_000;

describe("crash: SIGKILL under buy load on a sqlite store", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("loses no acknowledged buy, and oversells nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toystore-crash-"));
    dirs.push(dir);
    const store = `sqlite:${join(dir, "shop.db")}`;
    const server = await startToystore({
      transports: ["grpc"],
      flags: { store },
      catalog: [{ name: "Tux", price: "19.99", stock: STOCK }],
    });
    const acked: string[] = [];
    let unanswered = 0;
    let killed = false;
    const clients: GrpcStoreClient[] = await Promise.all(
      Array.from({ length: CLIENTS }, () =>
        connectGrpcClient({ port: server.ports.grpc!, ownConnection: true, defaultTimeoutMs: 10_000 }),
      ),
    );
    const kill = (): void => {
      if (killed) return;
      killed = true;
      server.signal("SIGKILL");
    };
    // Each client buys, one call at a time, until its call fails (the server is gone) or its bound is reached.
    const loops = clients.map(async (client) => {
      for (let i = 0; i < MAX_CALLS_PER_CLIENT; i++) {
        try {
          const result = await client.buy("Tux");
          assert.equal(result.kind, "bought");
          if (result.kind === "bought" && result.orderId !== undefined) acked.push(result.orderId);
          if (acked.length >= ACKED_BEFORE_KILL) kill();
        } catch {
          unanswered++;
          return;
        }
      }
    });
    await Promise.all(loops);
    kill();
    const exit = await server.exited;
    assert.equal(exit.signal, "SIGKILL");
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();

    const restarted = await startToystore({ transports: ["grpc"], flags: { store } });
    let stock: number;
    try {
      assert.ok(
        restarted.output.some((line) => /serving what it holds/.test(line)),
        restarted.output.join("\n"),
      );
      const client = await connectGrpcClient({ port: restarted.ports.grpc! });
      const answer = await client.query("Tux");
      await client.close();
      assert.equal(answer.kind, "in_stock");
      stock = answer.kind === "in_stock" ? answer.stock : Number.NaN;
    } finally {
      await restarted.stop();
    }

    const sold = STOCK - stock;
    console.log(`crash test: acknowledged ${acked.length}, sold ${sold}, unanswered ${unanswered}`);
    assert.ok(
      sold >= acked.length,
      `sold ${sold} < acknowledged ${acked.length}: an acknowledged buy was lost`,
    );
    assert.ok(sold <= acked.length + unanswered, `sold ${sold} > acknowledged + unanswered`);
    assert.equal(new Set(acked).size, acked.length, "order ids are unique");
    const { store: file, orders } = await SqliteStore.open(join(dir, "shop.db"), { toys: [], given: false });
    try {
      assert.equal(orders, sold, "one order per unit sold");
      const found = await Promise.all(acked.map((id) => file.order(id)));
      const missing = acked.filter((_, i) => found[i] === undefined);
      assert.deepEqual(missing, [], "every acknowledged order is in the file");
    } finally {
      await file.close();
    }
  });
});
