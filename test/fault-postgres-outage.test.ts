// Fault: the PostgreSQL server goes away under load, stays away 3 s, and
// comes back; once crashing (SIGKILL of the postmaster), once stopped
// (pg_ctl stop -m fast). A `toystore serve` child keeps running through it.
//
// While the database is away, every buy fails "unavailable" promptly (no call
// runs into its own deadline), the gRPC health service says NOT_SERVING and
// /readyz answers 503; once it is back they say SERVING and 200 and buys
// succeed again. The books balance: every acknowledged buy has its order,
// only buys whose outcome was unknown (they failed) may have one besides, and
// once each failed buy is retried under its own idempotency key, the orders
// are exactly the acknowledged buys and the stock that left.

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { connect } from "../src/client/connect.js";
import type { StoreClient, Transport } from "../src/client/store-client.js";
import { isStoreError } from "../src/errors.js";
import { type PostgresCluster, runningPostmaster } from "../src/study/measure/postgres-cluster.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { waitFor } from "./helpers/grpc-server.js";
import { type HealthClient, healthClient, healthStatus, readyzStatus } from "./helpers/health.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

const TOYS = ["Owl", "Fox", "Elk"];
/** Per toy: more than any run sells, so every buy that runs buys. */
const STOCK = 100_000;
const TRANSPORTS: readonly Transport[] = ["socket", "grpc", "http"];
const CLIENTS_PER_TRANSPORT = 4;
/** A call's own deadline: a call that hangs fails deadline_exceeded, which the test refuses. */
const CALL_TIMEOUT_MS = 3000;
/** Each client's buys at most: bounds the run whatever happens. */
const MAX_BUYS_PER_CLIENT = 3000;
/** A client's pause between buys, and after a failure (as a client backing off would). */
const PACE_MS = 10;
const BACKOFF_MS = 25;
const OUTAGE_MS = 3000;
/** Only so that a broken server fails the test instead of hanging it; never a performance bound. */
const SAFETY_MS = 20_000;

/** What the server says of itself: gRPC health ("SERVING", "NOT_SERVING", or the error) and /readyz's status. */
async function readiness(health: HealthClient, httpPort: number): Promise<{ grpc: string; readyz: number }> {
  const [grpc, readyz] = await Promise.all([healthStatus(health, 1000), readyzStatus(httpPort, 1000)]);
  return { grpc, readyz };
}

interface Failed {
  readonly client: number;
  readonly toy: string;
  readonly key: string;
}

/** What the buy loops saw. */
interface Load {
  acknowledged: number;
  readonly failed: Failed[];
  /** Failures by StoreError code. */
  readonly codes: Map<string, number>;
  /** A failure's message per transport, for the record. */
  readonly messages: Map<Transport, string>;
  longestFailureMs: number;
  /** Once set (performance.now()), the first buy acknowledged after it sets firstAckSince. */
  watchFrom: number | undefined;
  firstAckSince: number | undefined;
  stop: boolean;
}

/** Buys in a loop on each client, each buy under its own key, until `load.stop` (or the bound). */
function runLoad(clients: readonly StoreClient[], tag: string, load: Load): Promise<void> {
  return Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < MAX_BUYS_PER_CLIENT && !load.stop; i++) {
        const toy = TOYS[(c + i) % TOYS.length]!;
        const key = `${tag}-${c}-${i}`;
        const asked = performance.now();
        try {
          const result = await client.buy(toy, { requestKey: key, timeoutMs: CALL_TIMEOUT_MS });
          assert.equal(result.kind, "bought", `buy ${key}`);
          load.acknowledged++;
          if (load.watchFrom !== undefined) load.firstAckSince ??= performance.now();
          await sleep(PACE_MS);
        } catch (error) {
          if (!isStoreError(error)) throw error;
          load.longestFailureMs = Math.max(load.longestFailureMs, performance.now() - asked);
          load.failed.push({ client: c, toy, key });
          load.codes.set(error.code, (load.codes.get(error.code) ?? 0) + 1);
          if (!load.messages.has(client.transport)) load.messages.set(client.transport, error.message);
          await sleep(BACKOFF_MS);
        }
      }
    }),
  ).then(() => {});
}

describe("fault: PostgreSQL away for 3 s under load", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster;
  before(async () => {
    // Kept on stop, so that it can start again on the same data; removed in after().
    cluster = await startTestCluster({ keep: true });
  });
  after(async () => {
    await cluster?.stop();
    if (cluster !== undefined) await rm(cluster.dir, { recursive: true, force: true });
  });

  for (const outage of ["killed", "stopped"] as const) {
    it(`${outage}: requests fail unavailable at once, health NOT_SERVING and /readyz 503, then all recover and the books balance`, async (t) => {
      const url = await freshDatabase(cluster);
      const server: ServerProcess = await startToystore({
        transports: TRANSPORTS,
        flags: { store: url },
        catalog: TOYS.map((name) => ({ name, price: "1.00", stock: STOCK })),
      });
      const clients: StoreClient[] = [];
      const health = healthClient(server.ports.grpc!);
      let sql: postgres.Sql | undefined;
      const load: Load = {
        acknowledged: 0,
        failed: [],
        codes: new Map(),
        messages: new Map(),
        longestFailureMs: 0,
        watchFrom: undefined,
        firstAckSince: undefined,
        stop: false,
      };
      let running: Promise<void> | undefined;
      try {
        for (const transport of TRANSPORTS)
          for (let i = 0; i < CLIENTS_PER_TRANSPORT; i++)
            clients.push(await connect({ transport, port: server.ports[transport]! }));
        assert.deepEqual(await readiness(health, server.ports.http!), { grpc: "SERVING", readyz: 200 });

        running = runLoad(clients, outage, load);
        await waitFor(() => load.acknowledged >= 100, "100 buys acknowledged before the outage", SAFETY_MS);

        // Down.
        if (outage === "killed") await cluster.kill();
        else await cluster.stop();
        const downAt = performance.now();
        const ackedBefore = load.acknowledged;
        const seenDown: { grpc: string; readyz: number }[] = [];
        while (performance.now() - downAt < OUTAGE_MS) {
          seenDown.push(await readiness(health, server.ports.http!));
          await sleep(100);
        }
        const failedDuring = load.failed.length;
        // A buy or two may have been answered as the database went.
        assert.ok(
          load.acknowledged - ackedBefore <= clients.length,
          "no buys acknowledged while it was away",
        );
        assert.ok(failedDuring > 0, "buys failed while it was away");
        assert.ok(
          seenDown.some((s) => s.grpc === "NOT_SERVING" && s.readyz === 503),
          `NOT_SERVING and 503 while away: ${JSON.stringify(seenDown)}\n${server.output.slice(-30).join("\n")}`,
        );
        // From its first report of the outage to the restart, it says so every time.
        const firstDown = seenDown.findIndex((s) => s.grpc === "NOT_SERVING");
        assert.ok(
          seenDown.slice(firstDown + 1).every((s) => s.grpc === "NOT_SERVING" && s.readyz === 503),
          JSON.stringify(seenDown),
        );

        // /readyz says why.
        const problem = await fetch(`http://127.0.0.1:${server.ports.http}/readyz`).then(async (res) => ({
          status: res.status,
          body: (await res.json()) as { type: string; detail: string },
        }));
        assert.equal(problem.status, 503);
        assert.equal(problem.body.type, "urn:toystore:problem:unavailable");
        assert.match(problem.body.detail, /^store unavailable: cannot reach the database: /);

        // Up again.
        await cluster.start();
        const upAt = performance.now();
        load.watchFrom = upAt;
        let healthBackMs: number | undefined;
        let readyBackMs: number | undefined;
        while (healthBackMs === undefined || readyBackMs === undefined || load.firstAckSince === undefined) {
          if (performance.now() - upAt > SAFETY_MS)
            assert.fail(
              `not back ${SAFETY_MS} ms after the restart (health ${healthBackMs}, /readyz ${readyBackMs}, buys ${load.firstAckSince}):\n${server.output.slice(-20).join("\n")}`,
            );
          const now = await readiness(health, server.ports.http!);
          if (now.grpc === "SERVING") healthBackMs ??= performance.now() - upAt;
          if (now.readyz === 200) readyBackMs ??= performance.now() - upAt;
          await sleep(20);
        }
        const buysBackMs = load.firstAckSince - upAt;
        const recoveryMs = Math.max(healthBackMs, readyBackMs, buysBackMs);
        await sleep(500);
        load.stop = true;
        await running;
        running = undefined;

        assert.equal(server.exit, undefined, "the server stayed up");
        const codes = Object.fromEntries(load.codes);
        assert.deepEqual(
          Object.keys(codes),
          ["unavailable"],
          `every failure is unavailable: ${JSON.stringify(codes)}`,
        );
        for (const transport of ["grpc", "http"] as const)
          assert.match(load.messages.get(transport) ?? "", /store unavailable: cannot reach the database/);
        assert.equal(load.messages.get("socket"), "unavailable");
        assert.ok(server.output.some((line) => line.includes("database unreachable")));
        assert.ok(server.output.some((line) => line.includes("database reachable again: serving")));

        // The books, as the outage left them.
        sql = postgres(url, { max: 1, onnotice: () => {} });
        const books = async (): Promise<{ stock: number; orders: number; keys: number }> => {
          const [row] = await sql!<{ stock: string; orders: string; keys: string }[]>`
            SELECT (SELECT sum(stock) FROM toys) AS stock, (SELECT count(*) FROM orders) AS orders,
                   (SELECT count(*) FROM request_keys) AS keys`;
          return { stock: Number(row!.stock), orders: Number(row!.orders), keys: Number(row!.keys) };
        };
        const initial = STOCK * TOYS.length;
        const left = await books();
        assert.equal(left.stock + left.orders, initial, "every unit that left is an order");
        assert.ok(load.acknowledged <= left.orders, "every acknowledged buy has its order");
        const unknownStored = left.orders - load.acknowledged;
        assert.ok(unknownStored <= load.failed.length, "orders beyond the acknowledged ones are failed buys");

        // Each failed buy again, under its key: it answers its first outcome if that was stored, else buys now.
        const retried = await Promise.all(
          clients.map(async (client, c) => {
            let bought = 0;
            for (const f of load.failed.filter((x) => x.client === c)) {
              const result = await client.buy(f.toy, { requestKey: f.key, timeoutMs: CALL_TIMEOUT_MS });
              if (result.kind === "bought") bought++;
            }
            return bought;
          }),
        );
        const retriedBought = retried.reduce((a, b) => a + b, 0);
        assert.equal(retriedBought, load.failed.length, "every retried buy bought");
        const settled = await books();
        assert.equal(settled.orders, load.acknowledged + load.failed.length, "one order per key, no more");
        assert.equal(settled.keys, settled.orders);
        assert.equal(settled.stock + settled.orders, initial);

        const figures = {
          outage,
          acknowledged: load.acknowledged,
          stored: left.orders,
          failed: load.failed.length,
          failedWhileAway: failedDuring,
          storedOfFailed: unknownStored,
          longestFailureMs: Math.round(load.longestFailureMs),
          healthBackMs: Math.round(healthBackMs),
          readyzBackMs: Math.round(readyBackMs),
          buysBackMs: Math.round(buysBackMs),
          recoveryMs: Math.round(recoveryMs),
        };
        t.diagnostic(JSON.stringify(figures));
        console.log(`fault-postgres-outage ${JSON.stringify(figures)}`);
      } finally {
        load.stop = true;
        await running?.catch(() => {});
        health.close();
        await Promise.all(clients.map((c) => c.close()));
        await sql?.end();
        const stopped = await server.stop();
        assert.equal(stopped.killed, false, "stopped by SIGTERM");
        // The next case starts with the database up.
        if ((await runningPostmaster(cluster.dir)) === undefined) await cluster.start();
      }
    });
  }
});
