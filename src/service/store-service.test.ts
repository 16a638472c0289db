// Tests for StoreService: the lock policy makes every request atomic (conservation of stock, a
// sequential replay of the completion order, no torn reads), queries share under "rwlock" and not
// under "mutex", and validation and store failures come back as coded errors without leaking the
// lock.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type CatalogStore, InMemoryCatalog } from "../catalog/catalog-store.js";
import type { BuyResult, QueryResult, StoreRequest, StoreResult, Toy } from "../catalog/toy.js";
import { LOCK_KINDS, type LockKind } from "../concurrency/section-lock.js";
import { StoreError } from "../errors.js";
import { type ResultSink, STORE_SERVICE_DEFAULTS, StoreService } from "./store-service.js";

/** Runs every pending microtask (and whatever they queue), then returns. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One lock over the catalog: the policies whose lock also orders list() against buys. */
const LOCKS: readonly LockKind[] = ["mutex", "rwlock"];
/** Every policy: each keeps the in-memory store's requests atomic. */
const ALL_LOCKS: readonly LockKind[] = LOCK_KINDS;
/** The policies that take a lock: they make even a store that is unsafe across awaits atomic. */
const LOCKING: readonly LockKind[] = ["mutex", "rwlock", "per-toy"];
const PRICES: Readonly<Record<string, number>> = { Robot: 1999, Kite: 850, "Yo-yo": 300 };

/** Request names and the toy each one means; spelling variants must reach the same entry. */
const NAMES: readonly { readonly text: string; readonly toy: string | undefined }[] = [
  { text: "Robot", toy: "Robot" },
  { text: "robot", toy: "Robot" },
  { text: "  ROBOT ", toy: "Robot" },
  { text: "Kite", toy: "Kite" },
  { text: "KITE", toy: "Kite" },
  { text: "Yo-yo", toy: "Yo-yo" },
  { text: "yo-yo", toy: "Yo-yo" },
  { text: "Unicorn", toy: undefined },
];

type Op = "query" | "buy" | "list";

interface Scenario {
  readonly lock: LockKind;
  readonly stocks: Readonly<Record<string, number>>;
  readonly requests: readonly { readonly op: Op; readonly name: number }[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  lock: fc.constantFrom(...ALL_LOCKS),
  stocks: fc.record({
    Robot: fc.integer({ min: 0, max: 6 }),
    Kite: fc.integer({ min: 0, max: 6 }),
    "Yo-yo": fc.integer({ min: 0, max: 6 }),
  }),
  requests: fc.array(
    fc.record({
      // Buys weigh most: the interesting runs sell out.
      op: fc.constantFrom<Op>("buy", "buy", "buy", "query", "query", "list"),
      name: fc.integer({ min: 0, max: NAMES.length - 1 }),
    }),
    { maxLength: 30 },
  ),
});

function catalogOf(stocks: Readonly<Record<string, number>>): InMemoryCatalog {
  return new InMemoryCatalog(
    Object.entries(stocks).map(([name, stock]) => ({ name, priceCents: PRICES[name]!, stock })),
  );
}

function stockOf(toys: readonly Toy[]): Record<string, number> {
  return Object.fromEntries(toys.map((toy) => [toy.name, toy.stock]));
}

/** What a request should answer against a sequential catalog; a buy updates `stock` and numbers its order. */
function expectedResult(
  op: "query" | "buy",
  toy: string | undefined,
  stock: Record<string, number>,
  orders: { count: number },
): StoreResult {
  if (toy === undefined) return { kind: "not_found" };
  const left = stock[toy]!;
  if (left === 0) return { kind: "sold_out" };
  if (op === "query") return { kind: "in_stock", priceCents: PRICES[toy]!, stock: left };
  stock[toy] = left - 1;
  return { kind: "bought", stockLeft: left - 1, orderId: String(++orders.count) };
}

/**
 * Issues the scenario's requests (each when `gate(i)` resolves), waits for all, and checks:
 * - replaying queries and buys in completion order against a sequential catalog gives the same
 *   answers: each request acted atomically, in the order it held the lock (the service completes a
 *   request right after releasing, so completion order is lock order for conflicting requests);
 * - every list() snapshot equals the catalog between two buys of that replay;
 * - of M buys of a toy with K units, exactly min(K, M) succeed; stock never goes negative; and
 *   acknowledged buys plus stock left equal the initial stock.
 */
async function checkScenario(
  scenario: Scenario,
  workMs: number,
  gate: (index: number) => Promise<unknown>,
  settle: (all: Promise<unknown>) => Promise<unknown>,
): Promise<void> {
  const catalog = catalogOf(scenario.stocks);
  const service = new StoreService(catalog, { lock: scenario.lock, workMs });
  const completed: { op: "query" | "buy"; toy: string | undefined; result: StoreResult }[] = [];
  const snapshots: Record<string, number>[] = [];
  const pending = scenario.requests.map(({ op, name }, i) =>
    gate(i).then(() => {
      const { text, toy } = NAMES[name]!;
      if (op === "list") {
        return service.list().then((toys) => {
          snapshots.push(stockOf(toys));
        });
      }
      const answer: Promise<StoreResult> = op === "query" ? service.query(text) : service.buy(text);
      return answer.then((result) => {
        completed.push({ op, toy, result });
      });
    }),
  );
  await settle(Promise.all(pending));

  const stock = { ...scenario.stocks };
  const orders = { count: 0 };
  const states = [JSON.stringify(stock)];
  for (const { op, toy, result } of completed) {
    assert.deepEqual(result, expectedResult(op, toy, stock, orders), `${op} ${toy} out of sequence`);
    if (op === "buy") states.push(JSON.stringify(stock));
  }
  for (const snapshot of snapshots) {
    assert.ok(states.includes(JSON.stringify(snapshot)), `torn snapshot ${JSON.stringify(snapshot)}`);
  }
  const finalStock = stockOf(await service.list());
  for (const [toy, initial] of Object.entries(scenario.stocks)) {
    const buys = completed.filter((c) => c.op === "buy" && c.toy === toy);
    const bought = buys.filter((c) => c.result.kind === "bought").length;
    assert.equal(
      bought,
      Math.min(initial, buys.length),
      `${toy}: ${bought} of ${buys.length} buys succeeded`,
    );
    assert.ok(finalStock[toy]! >= 0);
    assert.equal(bought + finalStock[toy]!, initial, `${toy}: stock not conserved`);
  }
  assert.equal(completed.length + snapshots.length, scenario.requests.length);
}

/**
 * A store whose operations take several steps with a pause between each: unsafe unless the caller
 * serializes it. A buy takes a unit off `stock`, pauses, then adds it to `sold`; a query reads both
 * with a pause in between, so it notices a buy that is half done (stock + sold != initial) or one
 * that happens while it reads. It also counts overlapping calls.
 */
class TornStore implements CatalogStore {
  readonly #initial: number;
  #stock: number;
  #sold = 0;
  #queries = 0;
  #buys = 0;
  maxQueries = 0;
  maxCalls = 0;
  readonly faults: string[] = [];

  constructor(
    initial: number,
    readonly pause: () => Promise<unknown>,
  ) {
    this.#initial = initial;
    this.#stock = initial;
  }

  get stock(): number {
    return this.#stock;
  }

  async query(name: string): Promise<QueryResult> {
    this.#enter("query");
    const stock = this.#stock;
    await this.pause();
    const sold = this.#sold;
    if (stock + sold !== this.#initial) this.faults.push(`a query saw stock ${stock} and sold ${sold}`);
    this.#queries--;
    if (name !== "Robot") return { kind: "not_found" };
    return stock === 0 ? { kind: "sold_out" } : { kind: "in_stock", priceCents: 1999, stock };
  }

  async buy(name: string): Promise<BuyResult> {
    this.#enter("buy");
    const stock = this.#stock;
    await this.pause();
    if (name !== "Robot" || stock === 0) {
      this.#buys--;
      return name !== "Robot" ? { kind: "not_found" } : { kind: "sold_out" };
    }
    this.#stock = stock - 1;
    await this.pause();
    this.#sold++;
    this.#buys--;
    return { kind: "bought", stockLeft: stock - 1 };
  }

  order(): undefined {
    return undefined;
  }

  list(): readonly Toy[] {
    return [{ name: "Robot", priceCents: 1999, stock: this.#stock }];
  }

  #enter(op: "query" | "buy"): void {
    if (this.#buys > 0) this.faults.push(`a ${op} started while a buy was in progress`);
    if (op === "buy" && this.#queries > 0) this.faults.push("a buy started while a query was in progress");
    if (op === "query") this.#queries++;
    else this.#buys++;
    this.maxQueries = Math.max(this.maxQueries, this.#queries);
    this.maxCalls = Math.max(this.maxCalls, this.#queries + this.#buys);
  }
}

/**
 * A service under "rwlock" over a TornStore of 5 Robots whose every pause waits: `openGate()`
 * ends the pause begun last.
 */
function gatedRwLockService(): { store: TornStore; service: StoreService; openGate: () => void } {
  let openLast: () => void = () => {};
  const store = new TornStore(
    5,
    () =>
      new Promise<void>((resolve) => {
        openLast = resolve;
      }),
  );
  return { store, service: new StoreService(store, { lock: "rwlock" }), openGate: () => openLast() };
}

/** A sink that records what the service reported, and whether it did so inside execute(). */
class RecordingSink implements ResultSink {
  result: StoreResult | undefined;
  error: StoreError | undefined;
  calls = 0;

  complete(result: StoreResult): void {
    this.calls++;
    this.result = result;
  }

  fail(error: StoreError): void {
    this.calls++;
    this.error = error;
  }
}

function execute(service: StoreService, request: StoreRequest): RecordingSink {
  const sink = new RecordingSink();
  service.execute(request, sink);
  return sink;
}

describe("StoreService", () => {
  describe("atomicity with the in-memory catalog", () => {
    it("conserves stock and answers as some sequential order would, for any interleaving (no work)", async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, fc.scheduler(), (scenario, s) =>
          checkScenario(
            scenario,
            0,
            (i) => s.schedule(Promise.resolve(i)),
            (all) => s.waitFor(all),
          ),
        ),
        { numRuns: 200 },
      );
    });

    it("conserves stock and answers as some sequential order would, with a millisecond or two of work", async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, fc.constantFrom(1, 2), async (scenario, workMs) => {
          // Three waves, a macrotask turn apart, so requests arrive while others hold the lock.
          const waves = [Promise.resolve(), flush(), flush().then(flush)];
          await checkScenario(
            scenario,
            workMs,
            (i) => waves[i % 3]!,
            (all) => all,
          );
        }),
        { numRuns: 6 },
      );
    });

    it("sells exactly the stock when many more buys than units arrive at once", async () => {
      for (const lock of ALL_LOCKS) {
        for (const workMs of [0, 1]) {
          const service = new StoreService(catalogOf({ Robot: 5, Kite: 0, "Yo-yo": 1 }), { lock, workMs });
          const results = await Promise.all(Array.from({ length: 12 }, () => service.buy("robot")));
          const stockLeft = results.filter((r) => r.kind === "bought").map((r) => r.stockLeft);
          assert.deepEqual(stockLeft, [4, 3, 2, 1, 0], `${lock}, workMs ${workMs}`);
          assert.equal(results.filter((r) => r.kind === "sold_out").length, 7);
          assert.deepEqual(await service.query("Robot"), { kind: "sold_out" });
        }
      }
    });
  });

  describe("atomicity with a store that is unsafe across awaits", () => {
    it("needs the lock: called directly, two buys of the last unit both succeed and a query sees a torn state", async () => {
      const store = new TornStore(1, flush);
      const [first, second, query] = await Promise.all([
        store.buy("Robot"),
        store.buy("Robot"),
        store.query("Robot"),
      ]);
      assert.equal(first.kind, "bought");
      assert.equal(second.kind, "bought", "the control: without a lock the store oversells");
      assert.equal(query.kind, "in_stock");
      assert.ok(store.faults.length > 0);
    });

    it("never oversells and never lets a query see a half-done buy, for any interleaving", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...LOCKING),
          fc.integer({ min: 0, max: 5 }),
          fc.array(fc.constantFrom<"query" | "buy">("query", "buy"), { minLength: 1, maxLength: 20 }),
          fc.scheduler(),
          async (lock, initial, ops, s) => {
            const store = new TornStore(initial, () => s.schedule(Promise.resolve()));
            const service = new StoreService(store, { lock });
            const answers = ops.map((op) =>
              s
                .schedule(Promise.resolve())
                .then(
                  (): Promise<StoreResult> =>
                    op === "query" ? service.query("Robot") : service.buy("Robot"),
                ),
            );
            const results = await s.waitFor(Promise.all(answers));
            assert.deepEqual(store.faults, []);
            const buys = ops.filter((op) => op === "buy").length;
            const bought = results.filter((r) => r.kind === "bought").length;
            assert.equal(bought, Math.min(initial, buys));
            assert.equal(store.stock, initial - bought);
            if (lock === "mutex") assert.ok(store.maxCalls <= 1, `${store.maxCalls} store calls overlapped`);
          },
        ),
        { numRuns: 200 },
      );
    });

    it("under rwlock, makes a query that arrives during a buy see the state after it", async () => {
      const { store, service, openGate } = gatedRwLockService();
      const buy = service.buy("Robot"); // paused between taking the unit and recording the sale
      const query = service.query("Robot");
      await flush();
      openGate();
      await flush();
      assert.equal(store.stock, 4, "the buy is half done");
      assert.equal(store.maxCalls, 1, "the query has not entered the store");
      openGate();
      assert.deepEqual(await buy, { kind: "bought", stockLeft: 4 });
      await flush();
      openGate();
      assert.deepEqual(await query, { kind: "in_stock", priceCents: 1999, stock: 4 });
      assert.deepEqual(store.faults, []);
    });

    it("under rwlock, makes a buy that arrives during a query wait, so the query sees the state before it", async () => {
      const { store, service, openGate } = gatedRwLockService();
      const query = service.query("Robot"); // paused between reading stock and reading sold
      const buy = service.buy("Robot");
      await flush();
      assert.equal(store.stock, 5, "the buy has not started");
      openGate();
      assert.deepEqual(await query, { kind: "in_stock", priceCents: 1999, stock: 5 });
      await flush();
      openGate();
      await flush();
      openGate();
      assert.deepEqual(await buy, { kind: "bought", stockLeft: 4 });
      assert.deepEqual(store.faults, []);
    });
  });

  describe("lock policy", () => {
    for (const [lock, expected] of [
      ["mutex", 1],
      ["rwlock", 6],
    ] as const) {
      it(`under ${lock}, lets ${expected} of 6 concurrent queries into the store at once`, async () => {
        const store = new TornStore(3, flush);
        const service = new StoreService(store, { lock });
        const results = await Promise.all(Array.from({ length: 6 }, () => service.query("Robot")));
        assert.equal(store.maxQueries, expected);
        assert.ok(results.every((r) => r.kind === "in_stock" && r.stock === 3));
      });
    }

    for (const [lock, expected] of [
      ["mutex", 1],
      ["rwlock", 5],
    ] as const) {
      it(`under ${lock}, lets ${expected} of 5 concurrent queries with simulated work be inside at once`, async () => {
        const catalog = catalogOf({ Robot: 1, Kite: 1, "Yo-yo": 1 });
        const log: string[] = [];
        let inside = 0;
        let maxInside = 0;
        // Each query stays in the store until all five are inside, or a thousand macrotask turns have
        // passed: a bound in turns, not time, so a lock that serializes them costs a few ms, not a hang.
        const store: CatalogStore = {
          query: async (name) => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            log.push("in");
            for (let turn = 0; turn < 1000 && maxInside < 5; turn++) await flush();
            inside--;
            return catalog.query(name);
          },
          buy: (name) => catalog.buy(name),
          list: () => catalog.list(),
          order: (id) => catalog.order(id),
        };
        const service = new StoreService(store, { lock, workMs: 1 });
        const results = await Promise.all(
          Array.from({ length: 5 }, () =>
            service.query("Kite").then((result) => {
              log.push("out");
              return result;
            }),
          ),
        );
        assert.equal(maxInside, expected);
        assert.ok(results.every((r) => r.kind === "in_stock"));
        // Under the mutex the next query's work starts only after the previous one has answered.
        if (lock === "mutex")
          assert.deepEqual(log, ["in", "out", "in", "out", "in", "out", "in", "out", "in", "out"]);
      });
    }

    it("runs buys with simulated work one at a time under rwlock, and the queries queued behind them after", async () => {
      const service = new StoreService(catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 1 }), { workMs: 1 });
      assert.equal(service.lockKind, "rwlock");
      const log: string[] = [];
      const track = (name: string, answer: Promise<StoreResult>): Promise<void> =>
        answer.then((result) => {
          const detail =
            "stock" in result ? result.stock : "stockLeft" in result ? result.stockLeft : result.kind;
          log.push(`${name}:${detail}`);
        });
      await Promise.all([
        track("query0", service.query("Robot")),
        track("buy1", service.buy("Robot")),
        track("buy2", service.buy("Robot")),
        track("query1", service.query("Robot")),
        track("query2", service.query("Robot")),
      ]);
      assert.deepEqual(log.slice(0, 3), ["query0:3", "buy1:2", "buy2:1"]);
      assert.deepEqual(log.slice(3).sort(), ["query1:1", "query2:1"]);
    });

    for (const lock of LOCKS) {
      it(`holds the lock through the simulated work under ${lock}: a list() during a buy's work sees the buy`, async () => {
        const service = new StoreService(catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 1 }), { lock, workMs: 2 });
        const log: string[] = [];
        const buy = service.buy("Robot").then(() => log.push("buy"));
        // list() does no simulated work: if the buy slept outside the lock, list() would overtake it.
        const list = service.list().then((toys) => log.push(`list:${stockOf(toys).Robot}`));
        await Promise.all([buy, list]);
        assert.deepEqual(log, ["buy", "list:2"]);
      });
    }

    /** How many buys are inside their simulated work at once, for buys of the given toys started together. */
    async function buysInsideAtOnce(lock: LockKind, toys: readonly string[]): Promise<number> {
      const catalog = catalogOf({ Robot: 9, Kite: 9, "Yo-yo": 9 });
      let inside = 0;
      let maxInside = 0;
      const store: CatalogStore = {
        query: (name) => catalog.query(name),
        // Stays inside until every buy is in, or a hundred turns passed (a bound in turns, not time).
        buy: async (name) => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          for (let turn = 0; turn < 100 && maxInside < toys.length; turn++) await flush();
          inside--;
          return catalog.buy(name);
        },
        list: () => catalog.list(),
        order: (id) => catalog.order(id),
      };
      const service = new StoreService(store, { lock, workMs: 1 });
      const results = await Promise.all(toys.map((toy) => service.buy(toy)));
      assert.ok(results.every((r) => r.kind === "bought"));
      return maxInside;
    }

    it("under per-toy, lets buys of different toys run side by side and buys of one toy one at a time", async () => {
      assert.equal(await buysInsideAtOnce("per-toy", ["Robot", "Kite", "Yo-yo"]), 3);
      assert.equal(await buysInsideAtOnce("per-toy", ["Robot", "robot", " ROBOT"]), 1);
      assert.equal(await buysInsideAtOnce("rwlock", ["Robot", "Kite", "Yo-yo"]), 1);
    });

    it("under atomic, holds no lock: buys of one toy run side by side, and still never oversell", async () => {
      assert.equal(await buysInsideAtOnce("atomic", ["Robot", "Robot", "Robot"]), 3);
      const service = new StoreService(catalogOf({ Robot: 2, Kite: 0, "Yo-yo": 0 }), {
        lock: "atomic",
        workMs: 2,
      });
      const results = await Promise.all(Array.from({ length: 6 }, () => service.buy("Robot")));
      assert.deepEqual(
        results.map((r) => r.kind),
        ["bought", "bought", "sold_out", "sold_out", "sold_out", "sold_out"],
      );
    });

    it("answers synchronously inside execute when there is no work, the lock is free and the store is synchronous", () => {
      for (const lock of ALL_LOCKS) {
        const service = new StoreService(catalogOf({ Robot: 2, Kite: 1, "Yo-yo": 1 }), { lock });
        assert.deepEqual(execute(service, { op: "buy", name: "Robot" }).result, {
          kind: "bought",
          stockLeft: 1,
          orderId: "1",
        });
        assert.deepEqual(execute(service, { op: "query", name: "robot" }).result, {
          kind: "in_stock",
          priceCents: 1999,
          stock: 1,
        });
      }
    });
  });

  describe("validation", () => {
    const refusingStore = (): CatalogStore & { calls: number } => {
      const store = {
        calls: 0,
        query: (): QueryResult => {
          store.calls++;
          return { kind: "not_found" };
        },
        buy: (): BuyResult => {
          store.calls++;
          return { kind: "not_found" };
        },
        list: (): readonly Toy[] => [],
        order: () => undefined,
      };
      return store;
    };

    for (const lock of ALL_LOCKS) {
      for (const op of ["query", "buy"] as const) {
        it(`refuses an empty, blank or over-long name in a ${op} under ${lock} with bad_request, synchronously`, () => {
          const store = refusingStore();
          const service = new StoreService(store, { lock });
          for (const [name, message] of [
            ["", "empty name"],
            ["   ", "empty name"],
            ["\t\r\n", "empty name"],
            ["x".repeat(257), "name too long (more than 256 characters)"],
          ] as const) {
            const sink = execute(service, { op, name });
            assert.equal(sink.calls, 1, "reported at once, inside execute");
            assert.ok(sink.error instanceof StoreError);
            assert.equal(sink.error.code, "bad_request");
            assert.equal(sink.error.message, message);
          }
          assert.equal(store.calls, 0, "the store was never consulted");
          // The lock was not taken: the next request still takes the synchronous fast path.
          assert.equal(execute(service, { op, name: "x".repeat(256) }).calls, 1);
          assert.equal(store.calls, 1);
        });
      }
    }

    it("changes no stock when a buy is refused", async () => {
      const service = new StoreService(catalogOf({ Robot: 2, Kite: 1, "Yo-yo": 1 }), { maxNameLength: 5 });
      await assert.rejects(service.buy(""), { code: "bad_request" });
      await assert.rejects(service.buy("Robots"), { code: "bad_request", message: /more than 5 characters/ });
      await assert.rejects(service.buy(" "), { code: "bad_request" });
      assert.deepEqual(stockOf(await service.list()), { Robot: 2, Kite: 1, "Yo-yo": 1 });
      assert.deepEqual(await service.buy("Kite"), { kind: "bought", stockLeft: 0, orderId: "1" });
    });
  });

  describe("store failures", () => {
    /** A store whose next call fails as told, then answers normally. */
    const failingOnce = (how: "throws" | "rejects") => {
      const catalog = catalogOf({ Robot: 2, Kite: 1, "Yo-yo": 1 });
      const cause = new Error("database down");
      let failNext = true;
      const call = <T>(answer: () => T): T | Promise<T> => {
        if (!failNext) return answer();
        failNext = false;
        if (how === "throws") throw cause;
        return Promise.reject(cause);
      };
      const store: CatalogStore = {
        query: (name) => call(() => catalog.query(name)),
        buy: (name) => call(() => catalog.buy(name)),
        list: () => catalog.list(),
        order: (id) => catalog.order(id),
      };
      return { store, cause };
    };

    for (const lock of ALL_LOCKS) {
      for (const how of ["throws", "rejects"] as const) {
        for (const workMs of [0, 1]) {
          it(`reports internal when the store ${how} (${lock}, workMs ${workMs}), and releases the lock`, async () => {
            for (const op of ["query", "buy"] as const) {
              const { store, cause } = failingOnce(how);
              const service = new StoreService(store, { lock, workMs });
              const failed = service[op]("Robot");
              // Queued behind the failing request: it runs only if the lock is released.
              const next = service.buy("Robot");
              await assert.rejects(failed, (error: unknown) => {
                assert.ok(error instanceof StoreError);
                assert.equal(error.code, "internal");
                assert.equal(error.message, "internal error", "the cause is not in the message");
                assert.equal(error.cause, cause);
                return true;
              });
              assert.deepEqual(await next, { kind: "bought", stockLeft: 1, orderId: "1" });
            }
          });
        }
      }
    }

    it("releases the lock when the store fails while other requests wait for it", async () => {
      for (const lock of ALL_LOCKS) {
        const { store } = failingOnce("rejects");
        const service = new StoreService(store, { lock });
        const failed = service.buy("Robot");
        const waiting = [service.query("Robot"), service.buy("Robot"), service.query("Robot")];
        await assert.rejects(failed, { code: "internal" });
        assert.deepEqual(await Promise.all(waiting), [
          { kind: "in_stock", priceCents: 1999, stock: 2 },
          { kind: "bought", stockLeft: 1, orderId: "1" },
          { kind: "in_stock", priceCents: 1999, stock: 1 },
        ]);
      }
    });
  });

  describe("orders", () => {
    for (const lock of ALL_LOCKS) {
      it(`records each sale as an order, read back by id, under ${lock}`, async () => {
        const service = new StoreService(catalogOf({ Robot: 3, Kite: 0, "Yo-yo": 1 }), { lock, workMs: 1 });
        const results = await Promise.all([service.buy("robot"), service.buy("Robot"), service.buy("Kite")]);
        const ids = results.flatMap((r) =>
          r.kind === "bought" && r.orderId !== undefined ? [r.orderId] : [],
        );
        assert.equal(new Set(ids).size, 2, "one distinct order per sale, none for the sold-out buy");
        for (const id of ids) {
          const order = await service.order(id);
          assert.deepEqual([order?.id, order?.toy, order?.unitPriceCents], [id, "Robot", 1999]);
        }
        assert.equal(await service.order("no such order"), undefined);
      });
    }
  });

  describe("options", () => {
    it("defaults to rwlock and no simulated work", () => {
      const service = new StoreService(catalogOf({ Robot: 1, Kite: 1, "Yo-yo": 1 }));
      assert.equal(service.lockKind, "rwlock");
      assert.equal(service.workMs, 0);
      assert.deepEqual(STORE_SERVICE_DEFAULTS, { lock: "rwlock", workMs: 0, maxNameLength: 256 });
    });

    it("rejects a bad lock, workMs or maxNameLength, naming the flag and the value", () => {
      const catalog = catalogOf({ Robot: 1, Kite: 1, "Yo-yo": 1 });
      assert.throws(() => new StoreService(catalog, { lock: "spinlock" as LockKind }), {
        name: "OptionError",
        message: '--lock must be one of mutex, rwlock, per-toy, atomic, got "spinlock"',
      });
      for (const workMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => new StoreService(catalog, { workMs }), {
          name: "OptionError",
          message: `--work-ms must be a number >= 0, got ${workMs}`,
        });
      }
      for (const maxNameLength of [0, 1.5, -3]) {
        assert.throws(() => new StoreService(catalog, { maxNameLength }), {
          name: "OptionError",
          message: `--max-name-length must be an integer from 1 to 1000000, got ${maxNameLength}`,
        });
      }
    });
  });
});
