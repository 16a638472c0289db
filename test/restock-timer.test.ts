// The restock timer end to end: on every store, a reader of the HTTP server's
// event stream sees a toy sold out and then back at the next round, like a
// sale; and two servers of one PostgreSQL database, each with its timer, make
// one round per period between them, never two, while buyers on both take
// what each round puts back (no sale lost, nothing oversold).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import type { Toy } from "../src/catalog/toy.js";
import type { RefillOutcome } from "../src/service/operations/index.js";
import { startRestockTimer } from "../src/service/restock-timer.js";
import { StoreService } from "../src/service/store-service.js";
import { openStore } from "../src/stores/open-store.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import { startHttpServer } from "../src/transport/http/http-server.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";
import { describeStore, STORE_KINDS } from "./helpers/stores.js";

/** Reads an event stream until `wanted` matches what came (bounded by `timeoutMs`), and says what came. */
async function readEventsUntil(url: string, wanted: RegExp, started: () => Promise<void>): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  let text = "";
  try {
    const response = await fetch(url, { signal: controller.signal });
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    await started();
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk);
      if (wanted.test(text)) break;
    }
  } catch {
    // aborted: the assertion on what came says what was missing
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return text;
}

const TOYS: readonly Toy[] = [
  { name: "Robot", priceCents: 1999, stock: 3 },
  { name: "Owl", priceCents: 500, stock: 1 },
];

for (const kind of STORE_KINDS) {
  describeStore(kind, "the restock timer and the event stream", (fixture) => {
    it("shows a toy that sold out come back at the next round, as it shows a sale", async () => {
      const { store } = await fixture.open(TOYS);
      const service = new StoreService(store);
      const http = await startHttpServer({ service, port: 0 });
      const errors: unknown[] = [];
      const timer = startRestockTimer(
        service,
        { restockEveryMs: 50, restockTo: 6 },
        { onError: (error) => errors.push(error) },
      );
      const base = `http://127.0.0.1:${http.address.port}`;
      try {
        const text = await readEventsUntil(`${base}/api/events`, /"name":"Owl","stock":6/, async () => {
          const bought = await fetch(`${base}/api/toys/owl/buy`, { method: "POST" });
          assert.equal(bought.status, 200);
        });
        const sold = text.indexOf('data: {"name":"Owl","stock":0}');
        const back = text.indexOf('event: stock\ndata: {"name":"Owl","stock":6}');
        assert.ok(sold >= 0 && back > sold, `the sale, then the round, in the stream:\n${text}`);
        assert.deepEqual(errors, []);
        const robot = await (await fetch(`${base}/api/toys/robot`)).json();
        assert.equal((robot as { stock: number }).stock, 3, "a toy in stock is left alone");
      } finally {
        await timer.stop();
        await http.close(1000);
        await service.close();
      }
    });
  });
}

describe("the restock timer on two servers of one PostgreSQL database", {
  skip: postgresOrSkip().skip,
}, () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(() => cluster?.stop());

  it("makes one round per period between them, never two, and the books balance", async () => {
    const PERIOD_MS = 200;
    const ROUNDS = 5;
    const url = await freshDatabase(cluster);
    const spec = { kind: "postgres", url } as const;
    const first = await openStore(spec, {
      toys: [{ name: "Kite", priceCents: 850, stock: 0 }],
      given: false,
    });
    const second = await openStore(spec, { toys: [], given: false });
    const services = [new StoreService(first.store), new StoreService(second.store)];
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const dbNow = async (): Promise<number> =>
      Number(
        (await sql<{ ms: string }[]>`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::text AS ms`)[0]
          ?.ms,
      );
    const rounds = async (): Promise<number> =>
      Number((await sql<{ n: string }[]>`SELECT rounds::text AS n FROM refill_rounds`)[0]?.n);
    const outcomes: RefillOutcome[][] = [[], []];
    const errors: unknown[] = [];
    let sold = 0;
    const startedAt = await dbNow();
    const timers = services.map((service, i) =>
      startRestockTimer(
        service,
        { restockEveryMs: PERIOD_MS, restockTo: 5 },
        { onRound: (outcome) => outcomes[i]!.push(outcome), onError: (error) => errors.push(error) },
      ),
    );
    try {
      // Buyers on both servers take Kite back to sold out, so every round finds it so; bounded in count.
      for (let i = 0; i < 1000 && (await rounds()) < ROUNDS; i++) {
        const sale = await services[i % 2]!.run({ op: "buy", name: "Kite", quantity: 5 });
        if (sale.kind === "bought") sold += sale.quantity;
        await sleep(10);
      }
    } finally {
      await Promise.all(timers.map((timer) => timer.stop()));
    }
    const endedAt = await dbNow();
    try {
      const ran = await rounds();
      assert.ok(ran >= ROUNDS, `the rounds went on: ${ran}`);
      assert.deepEqual(errors, []);
      const refilled = outcomes.flat().filter((outcome) => outcome.kind === "refilled");
      assert.equal(refilled.length, ran, "each round is one server's, counted once in the database");
      // Rounds are a period apart by the database's clock: at most one per period of the run, plus the first.
      const bound = Math.floor((endedAt - startedAt) / PERIOD_MS) + 1;
      assert.ok(ran <= bound, `${ran} rounds in ${endedAt - startedAt} ms: at most ${bound}`);
      assert.ok(
        outcomes.flat().some((outcome) => outcome.kind === "not_due"),
        "a server's tick found the period's round done by the other",
      );
      const putBack = refilled.reduce(
        (n, round) => n + (round.kind === "refilled" ? round.toys.length * 5 : 0),
        0,
      );
      const [kite] = await services[0]!.list();
      assert.equal(kite?.stock, putBack - sold, "every unit put back was sold once or is still there");
    } finally {
      await sql.end();
      await Promise.all(services.map((service) => service.close()));
    }
  });
});
