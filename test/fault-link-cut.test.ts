// Fault: the network cable of a server host is pulled (`ip link set down` in
// its namespace) while clients buy through both servers of a deployment. A
// cut link answers nothing (no reset, no close), so the clients on it hear
// only silence: after --failover-ms they send the request to the other
// server, under the same idempotency key. The cable goes back after a while.
// The books must balance, and every buy must have been made at most once.
//
// Runs only where network namespaces can be made (root, `ip`), unless
// TOYSTORE_REQUIRE_NETNS=1 makes their absence a failure; needs PostgreSQL.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { formatHostPort } from "../src/net/host-port.js";
import { type Deployment, startDeployment } from "../src/study/measure/cluster-deployment.js";
import { namespaceSupport } from "../src/study/measure/netns.js";
import { postgresOrSkip } from "./helpers/postgres.js";

const support = await namespaceSupport();
if (!support.ok && process.env.TOYSTORE_REQUIRE_NETNS === "1")
  throw new Error(`TOYSTORE_REQUIRE_NETNS=1, but ${support.reason}`);
const skip = (support.ok ? false : support.reason) || postgresOrSkip().skip;

const CLIENTS = 6;
/** The load runs this long, bounded in time, then stops by itself. */
const LOAD_SECONDS = 12;
const STOCK = 100_000; // per toy: more than any run sells
const FAILOVER_MS = 1000;
/** The cable is pulled once this many orders are stored (the load is under way), and put back after CUT_FOR_MS. */
const CUT_AFTER_ORDERS = 100;
const CUT_FOR_MS = 4000;

interface LoadJson {
  readonly outcomes: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly failovers: number;
  readonly latency: { readonly max: number; readonly p50: number };
}

describe("fault: a server host's link cut under load", { skip, timeout: 180_000 }, () => {
  let deployment: Deployment | undefined;
  before(async () => {
    deployment = await startDeployment({
      catalog: [
        { name: "Tux", price: "19.99", stock: STOCK },
        { name: "Fox", price: "15.75", stock: STOCK },
      ],
      postgresSettings: { fsync: "off" },
    });
  });
  after(async () => {
    await deployment?.stop();
  });

  it("fails the cut server's clients over to the other within --failover-ms; keyed buys are made once", async (t) => {
    assert.ok(deployment);
    const servers = deployment.servers.map((s) => formatHostPort(s.address, s.ports.socket)).join(",");
    const args = ["load", "--servers", servers, "--failover-ms", String(FAILOVER_MS)];
    args.push("-c", String(CLIENTS), "--duration", String(LOAD_SECONDS), "--op", "buy", "--toys", "Tux,Fox");
    args.push("--timeout-ms", "20000", "--json");
    const loading = deployment.toystoreOnClient(args, { timeoutMs: 150_000 });
    let done = false;
    void loading.finally(() => {
      done = true;
    });
    // Pull the cable once buys are being stored: the clients are past connecting.
    while (!done && (await deployment.readBooks()).orders < CUT_AFTER_ORDERS) await sleep(100);
    assert.equal(done, false, "the load was still running when the link was cut");
    const cutAt = performance.now();
    await deployment.hosts.cutLink("server1");
    try {
      await sleep(CUT_FOR_MS);
    } finally {
      await deployment.hosts.restoreLink("server1");
    }
    const cutMs = performance.now() - cutAt;
    const run = await loading;
    assert.equal(run.code, 0, run.stderr);
    const results = JSON.parse(run.stdout) as LoadJson;
    const books = await deployment.readBooks();
    const bought = results.outcomes.bought ?? 0;
    const failed = Object.values(results.errors).reduce((a, b) => a + b, 0);
    t.diagnostic(
      `acknowledged ${bought}, sold out ${results.outcomes.sold_out ?? 0}, failed ${JSON.stringify(results.errors)}, ` +
        `stored ${books.orders}, failovers ${results.failovers}, longest request ${results.latency.max.toFixed(0)} ms ` +
        `(median ${results.latency.p50.toFixed(1)} ms), cut for ${Math.round(cutMs)} ms`,
    );
    assert.equal(books.balanced, true, "units sold = orders stored");
    assert.ok(results.failovers >= 1, "the cut server's clients moved");
    // Every acknowledged buy is stored; a buy stored but not acknowledged can only be one that failed.
    assert.ok(books.orders >= bought, `${books.orders} stored >= ${bought} acknowledged`);
    assert.ok(books.orders <= bought + failed, `${books.orders} stored <= ${bought} + ${failed} failed`);
  });
});
