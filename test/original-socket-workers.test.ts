// `toystore serve --workers 2 --transport original-socket` on PostgreSQL: the
// workers share the original protocol's port as they share the others, the
// primary prints its ready line once, and the original clients' buys are sold
// exactly once across the workers. Skipped without PostgreSQL's binaries
// (TOYSTORE_REQUIRE_POSTGRES=1 makes that a failure, as in CI).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect } from "../src/client/connect.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { askOnce } from "./helpers/original-socket.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

describe("serve --workers 2 with the original socket protocol", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("shares its port between the workers, announces it once, and sells each unit once", async () => {
    const url = await freshDatabase(cluster);
    const server = await startToystore({
      transports: ["socket", "original-socket"],
      flags: { store: url, workers: 2 },
      catalog: [{ name: "Owl", price: "5.00", stock: 10 }],
    });
    try {
      const port = server.ports["original-socket"]!;
      const ready = server.output.filter((line) => line.includes("original-socket listening on"));
      assert.equal(ready.length, 1);
      assert.match(
        ready[0]!,
        new RegExp(`"pid":${server.pid},.*original-socket listening on 127\\.0\\.0\\.1:${port}`),
      );
      // 16 buys of 10 units, a connection each, spread by the primary over both workers.
      const answers = await Promise.all(Array.from({ length: 16 }, () => askOnce(port, "buy: Owl")));
      assert.deepEqual(
        [answers.filter((a) => a === "1").length, answers.filter((a) => a === "0").length],
        [10, 6],
      );
      assert.equal(await askOnce(port, "query: Owl"), "0");
      const client = await connect({ transport: "socket", port: server.ports.socket! });
      assert.deepEqual(await client.query("Owl"), { kind: "sold_out" });
      await client.close();
    } finally {
      await server.stop();
    }
  });
});
