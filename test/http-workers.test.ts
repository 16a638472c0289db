// The HTTP transport under `serve --workers 2` on PostgreSQL: whichever
// worker answers, a toy's price and a sale's unit price are the ones the store
// holds and recorded. A restock through one worker's admin API is seen by
// every worker's next query and sale, since no worker keeps a price of its own.
//
// Each request goes on a connection of its own, so node:cluster's round robin
// spreads them over both workers.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

const TOKEN = "a-staff-token-for-the-workers-test";

/** One request on a new connection (closed after it), its status and JSON body. */
function exchange(
  port: number,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, agent: false, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("HTTP under serve --workers on PostgreSQL", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster;
  let server: ServerProcess | undefined;
  let dir = "";
  before(async () => {
    cluster = await startTestCluster();
    dir = await mkdtemp(join(tmpdir(), "toystore-http-workers-"));
    const tokenFile = join(dir, "admin-token");
    await writeFile(tokenFile, TOKEN);
    server = await startToystore({
      transports: ["http"],
      flags: { store: await freshDatabase(cluster), workers: 2, adminTokenFile: tokenFile },
      catalog: [
        { name: "Owl", price: "5.00", stock: 0 },
        { name: "Kite", price: "3.00", stock: 40 },
      ],
    });
  });
  after(async () => {
    try {
      await server?.stop();
    } finally {
      await cluster?.stop();
      if (dir !== "") await rm(dir, { recursive: true, force: true });
    }
  });

  it("answers every sale with the unit price its order holds, after a restock through another worker", async () => {
    const port = server!.ports.http!;
    // Every worker answers first with the catalog's price (a sold-out toy too).
    for (let i = 0; i < 4; i++) {
      const owl = await exchange(port, "GET", "/api/toys/Owl");
      assert.deepEqual(owl.json, { name: "Owl", price: "5.00", priceCents: 500, stock: 0 });
    }
    const restocked = await exchange(port, "PUT", "/api/toys/owl", '{"stock":12,"price":"7.25"}', {
      authorization: `Bearer ${TOKEN}`,
    });
    assert.equal(restocked.status, 200);
    assert.deepEqual(restocked.json, { name: "Owl", price: "7.25", priceCents: 725, stock: 12 });

    for (let i = 0; i < 4; i++) {
      const owl = await exchange(port, "GET", "/api/toys/OWL");
      assert.equal(owl.json.priceCents, 725, `query ${i}`);
      const quantity = 1 + (i % 2);
      const sale = await exchange(port, "POST", "/api/toys/Owl/buy", JSON.stringify({ quantity }), {
        "content-type": "application/json",
      });
      assert.equal(sale.status, 200);
      assert.deepEqual(
        [sale.json.toy, sale.json.price, sale.json.priceCents, sale.json.unitPriceCents, sale.json.quantity],
        ["Owl", "7.25", 725, 725, quantity],
        `sale ${i}`,
      );
      const order = await exchange(port, "GET", `/api/orders/${String(sale.json.orderId)}`);
      assert.deepEqual(
        [order.json.toy, order.json.quantity, order.json.unitPriceCents, order.json.priceCents],
        ["Owl", quantity, 725, 725],
        `the order of sale ${i}`,
      );
    }
    const owl = await exchange(port, "GET", "/api/toys/Owl");
    assert.equal(owl.json.stock, 12 - 6, "every unit sold once");
  });
});
