// Tests for StoreService: the lock policy makes every request atomic (conservation of stock, a
// sequential replay of the completion order, no torn reads), for buys of one unit or many (all or
// nothing); queries share under "rwlock" and not under "mutex"; validation and store failures come
// back as coded errors without leaking the lock; keyed buys sell once; order, list and restock run
// the same path; watchers and hooks hear what they should.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type CatalogStore,
  Committing,
  type Restock,
  type Section,
  type SharedStore,
} from "../catalog/catalog-store.js";
import { InMemoryCatalog } from "../catalog/memory-store.js";
import {
  type BuyResult,
  MAX_QUANTITY,
  type Order,
  type QueryResult,
  type Sale,
  type SaleResult,
  type StockReport,
  type Toy,
} from "../catalog/toy.js";
import { LOCK_KINDS, type LockKind } from "../concurrency/section-lock.js";
import { StoreError } from "../errors.js";
import type { StoreRequest, StoreResult } from "./operations/index.js";
import { type ResultSink, type ServiceHooks, StoreService } from "./store-service.js";
import { STORE_SERVICE_DEFAULTS } from "./store-service-options.js";

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
  /** `quantity` is what a buy asks for (queries and lists ignore it). */
  readonly requests: readonly { readonly op: Op; readonly name: number; readonly quantity: number }[];
}

/** Scenarios whose buys ask for 1 to `maxQuantity` units (1: the original design's buys). */
function scenarioArb(maxQuantity: number, maxRequests = 30): fc.Arbitrary<Scenario> {
  return fc.record({
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
        quantity: fc.integer({ min: 1, max: maxQuantity }),
      }),
      { maxLength: maxRequests },
    ),
  });
}

function catalogOf(stocks: Readonly<Record<string, number>>): InMemoryCatalog {
  return new InMemoryCatalog(
    Object.entries(stocks).map(([name, stock]) => ({ name, priceCents: PRICES[name]!, stock })),
  );
}

function stockOf(toys: readonly Toy[]): Record<string, number> {
  return Object.fromEntries(toys.map((toy) => [toy.name, toy.stock]));
}

/** A sale of a toy from the catalog above, at its price. */
function sale(toy: string, stockLeft: number, orderId: string, quantity = 1): Sale {
  return { kind: "bought", toy, stockLeft, orderId, unitPriceCents: PRICES[toy]!, quantity };
}

/** What a query of a toy from the catalog above answers, with `stock` left. */
function report(toy: string, stock: number): StockReport {
  const priceCents = PRICES[toy]!;
  return stock === 0
    ? { kind: "sold_out", name: toy, priceCents }
    : { kind: "in_stock", name: toy, priceCents, stock };
}

/** An order without its time (checked apart: it is the clock's). */
function withoutTime(order: Order | undefined): Omit<Order, "time"> | undefined {
  if (order === undefined) return undefined;
  assert.match(order.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const { time: _time, ...rest } = order;
  return rest;
}

/**
 * What a request should answer against a sequential catalog; a buy that finds
 * `quantity` units takes them all from `stock` and numbers its order, one that
 * finds fewer takes nothing.
 */
function expectedResult(
  op: "query" | "buy",
  toy: string | undefined,
  quantity: number,
  stock: Record<string, number>,
  orders: { count: number },
): StoreResult {
  if (toy === undefined) return { kind: "not_found" };
  const left = stock[toy]!;
  if (op === "query") return report(toy, left);
  if (left < quantity) return { kind: "sold_out" };
  stock[toy] = left - quantity;
  return sale(toy, left - quantity, String(++orders.count), quantity);
}

/**
 * Runs one request through execute; the sink itself calls `onResult`, so a
 * log it keeps is in the exact order the service completed requests.
 */
function runLogged(
  service: StoreService,
  request: StoreRequest,
  onResult: (result: StoreResult) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    service.execute(request, {
      complete(result) {
        onResult(result);
        resolve();
      },
      fail: reject,
    });
  });
}

/** When a run's requests arrive: request i when `gate(i)` resolves; `settle` waits for them all. */
interface Arrivals {
  gate(index: number): Promise<unknown>;
  settle(all: Promise<unknown>): Promise<unknown>;
}

/** Arrivals in the order fast-check's scheduler picks: every interleaving it tries. */
function scheduled(s: fc.Scheduler): Arrivals {
  return { gate: (i) => s.schedule(Promise.resolve(i)), settle: (all) => s.waitFor(all) };
}

/** Three waves, a macrotask turn apart, so requests arrive while others hold the lock. */
function inWaves(): Arrivals {
  const waves = [Promise.resolve(), flush(), flush().then(flush)];
  return { gate: (i) => waves[i % 3]!, settle: (all) => all };
}

/**
 * Issues the scenario's requests (as `arrivals` lets them in), waits for all, and checks:
 * - replaying queries and buys in completion order against a sequential catalog gives the same
 *   answers, every sale's stockLeft and order id included: each request acted atomically, in the
 *   order it held the lock (the service completes a request right after releasing, so completion
 *   order is lock order for conflicting requests);
 * - every list() snapshot equals the catalog between two buys of that replay;
 * - the units sold plus the stock left equal the initial stock, and stock never goes negative; of M
 *   one-unit buys of a toy with K units, exactly min(K, M) succeed;
 * - every sale's order reads back with its toy, quantity and unit price.
 */
async function checkScenario(scenario: Scenario, workMs: number, arrivals: Arrivals): Promise<void> {
  const catalog = catalogOf(scenario.stocks);
  const service = new StoreService(catalog, { lock: scenario.lock, workMs });
  const completed: { op: "query" | "buy"; toy: string | undefined; quantity: number; result: StoreResult }[] =
    [];
  const snapshots: Record<string, number>[] = [];
  const pending = scenario.requests.map(({ op, name, quantity }, i) =>
    arrivals.gate(i).then(() => {
      const { text, toy } = NAMES[name]!;
      if (op === "list") {
        return service.list().then((toys) => {
          snapshots.push(stockOf(toys));
        });
      }
      const request: StoreRequest = op === "query" ? { op, name: text } : { op, name: text, quantity };
      return runLogged(service, request, (result) => completed.push({ op, toy, quantity, result }));
    }),
  );
  await arrivals.settle(Promise.all(pending));

  const stock = { ...scenario.stocks };
  const orders = { count: 0 };
  const states = [JSON.stringify(stock)];
  for (const { op, toy, quantity, result } of completed) {
    assert.deepEqual(
      result,
      expectedResult(op, toy, quantity, stock, orders),
      `${op} ${quantity} ${toy} out of sequence`,
    );
    if (op === "buy") states.push(JSON.stringify(stock));
  }
  for (const snapshot of snapshots) {
    assert.ok(states.includes(JSON.stringify(snapshot)), `torn snapshot ${JSON.stringify(snapshot)}`);
  }
  const finalStock = stockOf(await service.list());
  for (const [toy, initial] of Object.entries(scenario.stocks)) {
    const buys = completed.filter((c) => c.op === "buy" && c.toy === toy);
    const sales = buys.flatMap((c) => (c.result.kind === "bought" ? [c.result] : []));
    const sold = sales.reduce((sum, s) => sum + s.quantity, 0);
    assert.ok(finalStock[toy]! >= 0);
    assert.equal(sold + finalStock[toy]!, initial, `${toy}: stock not conserved`);
    if (buys.every((c) => c.quantity === 1)) {
      assert.equal(
        sales.length,
        Math.min(initial, buys.length),
        `${toy}: ${sales.length} of ${buys.length} buys succeeded`,
      );
    }
    for (const s of sales) {
      assert.deepEqual(withoutTime(await service.order(s.orderId)), {
        id: s.orderId,
        toy,
        quantity: s.quantity,
        unitPriceCents: PRICES[toy]!,
      });
    }
  }
  assert.equal(completed.length + snapshots.length, scenario.requests.length);
}

/** checkScenario for `numRuns` scenarios, with no work, each in an interleaving fast-check's scheduler picks. */
async function checkInterleavings(scenarios: fc.Arbitrary<Scenario>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(scenarios, fc.scheduler(), (scenario, s) => checkScenario(scenario, 0, scheduled(s))),
    { numRuns },
  );
}

/** checkScenario for `numRuns` scenarios whose requests arrive in waves, with `workMs` of simulated work. */
async function checkInWaves(
  scenarios: fc.Arbitrary<Scenario>,
  workMs: fc.Arbitrary<number>,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(scenarios, workMs, (scenario, ms) => checkScenario(scenario, ms, inWaves())),
    { numRuns },
  );
}

/**
 * A store whose operations take several steps with a pause between each: unsafe unless the caller
 * serializes it. A buy takes its units off `stock`, pauses, then adds them to `sold`; a query reads
 * both with a pause in between, so it notices a buy that is half done (stock + sold != initial) or
 * one that happens while it reads. It also counts overlapping calls.
 */
class TornStore implements CatalogStore {
  readonly #initial: number;
  #stock: number;
  #sold = 0;
  #orders = 0;
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

  async query(name: string): Promise<StockReport> {
    this.#enter("query");
    const stock = this.#stock;
    await this.pause();
    const sold = this.#sold;
    if (stock + sold !== this.#initial) this.faults.push(`a query saw stock ${stock} and sold ${sold}`);
    this.#queries--;
    if (name !== "Robot") return { kind: "not_found" };
    return stock === 0
      ? { kind: "sold_out", name: "Robot", priceCents: 1999 }
      : { kind: "in_stock", name: "Robot", priceCents: 1999, stock };
  }

  async buy(name: string, quantity: number): Promise<SaleResult> {
    this.#enter("buy");
    const stock = this.#stock;
    await this.pause();
    if (name !== "Robot" || stock < quantity) {
      this.#buys--;
      return name !== "Robot" ? { kind: "not_found" } : { kind: "sold_out" };
    }
    this.#stock = stock - quantity;
    await this.pause();
    this.#sold += quantity;
    this.#buys--;
    if (this.#stock < 0) this.faults.push(`stock went to ${this.#stock}`);
    const orderId = String(++this.#orders);
    return {
      kind: "bought",
      toy: "Robot",
      stockLeft: stock - quantity,
      orderId,
      unitPriceCents: 1999,
      quantity,
    };
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
 * Runs queries and buys of Robot (of the quantities given) on a TornStore through a service under
 * `lock`, as `arrivals` lets them in, and checks: no call saw or made a torn state; the answers,
 * replayed in completion order against one sequential Robot, are the same (every sale's stockLeft
 * and order id included); the units sold plus the stock left equal the initial stock.
 */
async function checkTornRun(
  lock: LockKind,
  workMs: number,
  initial: number,
  requests: readonly { readonly op: "query" | "buy"; readonly quantity: number }[],
  pause: () => Promise<unknown>,
  arrivals: Arrivals,
): Promise<void> {
  const store = new TornStore(initial, pause);
  const service = new StoreService(store, { lock, workMs });
  const completed: { request: StoreRequest; result: StoreResult }[] = [];
  const pending = requests.map(({ op, quantity }, i) =>
    arrivals.gate(i).then(() => {
      const request: StoreRequest = op === "query" ? { op, name: "Robot" } : { op, name: "Robot", quantity };
      return runLogged(service, request, (result) => completed.push({ request, result }));
    }),
  );
  await arrivals.settle(Promise.all(pending));
  assert.deepEqual(store.faults, []);
  assert.equal(completed.length, requests.length);
  let stock = initial;
  let orders = 0;
  let sold = 0;
  for (const { request, result } of completed) {
    if (request.op === "query") {
      assert.deepEqual(result, report("Robot", stock), "a query out of sequence");
    } else if (request.op === "buy" && stock < request.quantity) {
      assert.deepEqual(result, { kind: "sold_out" }, `a buy of ${request.quantity} out of sequence`);
    } else if (request.op === "buy") {
      stock -= request.quantity;
      sold += request.quantity;
      assert.deepEqual(result, sale("Robot", stock, String(++orders), request.quantity));
    }
  }
  assert.equal(store.stock, stock);
  assert.ok(store.stock >= 0);
  assert.equal(sold + store.stock, initial, "stock not conserved");
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

/**
 * Under "rwlock", a buy of `quantity` of the 5 Robots, then a query that arrives while the buy is
 * half done: checks that the query waits for the buy and then sees every unit it took gone.
 */
async function checkQueryBehindBuy(quantity: number): Promise<void> {
  const { store, service, openGate } = gatedRwLockService();
  // The buy pauses between taking the units and recording the sale.
  const buy = service.buy("Robot", undefined, quantity);
  const query = service.query("Robot");
  await flush();
  openGate();
  await flush();
  assert.equal(store.stock, 5 - quantity, "the buy is half done");
  assert.equal(store.maxCalls, 1, "the query has not entered the store");
  openGate();
  assert.deepEqual(await buy, sale("Robot", 5 - quantity, "1", quantity));
  await flush();
  openGate();
  assert.deepEqual(await query, report("Robot", 5 - quantity));
  assert.deepEqual(store.faults, []);
}

/** A sink that records what the service reported, and whether it did so inside execute(). */
class RecordingSink implements ResultSink {
  result: StoreResult | undefined;
  error: StoreError | undefined;
  calls = 0;
  decidedCalls = 0;

  complete(result: StoreResult): void {
    this.calls++;
    this.result = result;
  }

  fail(error: StoreError): void {
    this.calls++;
    this.error = error;
  }

  decided(): void {
    this.decidedCalls++;
  }
}

function execute(service: StoreService, request: StoreRequest): RecordingSink {
  const sink = new RecordingSink();
  service.execute(request, sink);
  return sink;
}

/** Waits until the sink is answered, a thousand macrotask turns at most (a bound in turns, not time). */
async function answered(sink: RecordingSink): Promise<void> {
  for (let turn = 0; turn < 1000 && sink.calls === 0; turn++) await flush();
  assert.equal(sink.calls, 1, "answered once");
}

/** A promise and the functions that settle it. */
function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The catalog's store as a plain object, so a test can wrap one of its methods (restock left out if asked). */
function storeOver(catalog: InMemoryCatalog, restock = true): CatalogStore {
  return {
    query: (name) => catalog.query(name),
    buy: (name, quantity) => catalog.buy(name, quantity),
    list: () => catalog.list(),
    order: (id) => catalog.order(id),
    ...(restock ? { restock: (name: string, change: Restock) => catalog.restock(name, change) } : {}),
  };
}

describe("StoreService", () => {
  describe("atomicity with the in-memory catalog", () => {
    it("conserves stock and answers as some sequential order would, for any interleaving (no work)", async () => {
      await checkInterleavings(scenarioArb(1), 200);
    });

    it("conserves stock and answers as some sequential order would, with a millisecond or two of work", async () => {
      await checkInWaves(scenarioArb(1), fc.constantFrom(1, 2), 6);
    });

    it("conserves stock with buys of mixed quantities, all or nothing, for any interleaving (no work)", async () => {
      await checkInterleavings(scenarioArb(4), 150);
    });

    it("conserves stock with buys of mixed quantities, all or nothing, with a millisecond of work", async () => {
      await checkInWaves(scenarioArb(4, 12), fc.constant(1), 8);
    });

    it("sells exactly the stock when many more buys than units arrive at once", async () => {
      for (const lock of ALL_LOCKS) {
        for (const workMs of [0, 1]) {
          const service = new StoreService(catalogOf({ Robot: 5, Kite: 0, "Yo-yo": 1 }), { lock, workMs });
          const results = await Promise.all(Array.from({ length: 12 }, () => service.buy("robot")));
          const stockLeft = results.filter((r) => r.kind === "bought").map((r) => r.stockLeft);
          assert.deepEqual(stockLeft, [4, 3, 2, 1, 0], `${lock}, workMs ${workMs}`);
          assert.equal(results.filter((r) => r.kind === "sold_out").length, 7);
          assert.deepEqual(await service.query("Robot"), report("Robot", 0));
        }
      }
    });

    it("sells whole buys only when buys of several units ask for more than there is, at once", async () => {
      for (const lock of ALL_LOCKS) {
        for (const workMs of [0, 1]) {
          const service = new StoreService(catalogOf({ Robot: 10, Kite: 0, "Yo-yo": 1 }), { lock, workMs });
          const results = await Promise.all(
            [3, 3, 3, 3, 2, 1].map((quantity) => service.buy("Robot", undefined, quantity)),
          );
          assert.deepEqual(
            results,
            [
              sale("Robot", 7, "1", 3),
              sale("Robot", 4, "2", 3),
              sale("Robot", 1, "3", 3),
              { kind: "sold_out" },
              { kind: "sold_out" },
              sale("Robot", 0, "4", 1),
            ],
            `${lock}, workMs ${workMs}`,
          );
          assert.deepEqual(await service.query("Robot"), report("Robot", 0));
        }
      }
    });
  });

  describe("atomicity with a store that is unsafe across awaits", () => {
    it("needs the lock: called directly, two buys of the last unit both succeed and a query sees a torn state", async () => {
      const store = new TornStore(1, flush);
      const [first, second, query] = await Promise.all([
        store.buy("Robot", 1),
        store.buy("Robot", 1),
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
                  (): Promise<QueryResult | BuyResult> =>
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

    const tornRequests = fc.array(
      fc.record({
        op: fc.constantFrom<"query" | "buy">("query", "buy", "buy"),
        quantity: fc.integer({ min: 1, max: 3 }),
      }),
      { minLength: 1, maxLength: 20 },
    );

    it("with buys of mixed quantities, never oversells, never tears a read, and answers as a sequential replay", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...LOCKING),
          fc.integer({ min: 0, max: 8 }),
          tornRequests,
          fc.scheduler(),
          (lock, initial, requests, s) =>
            checkTornRun(lock, 0, initial, requests, () => s.schedule(Promise.resolve()), scheduled(s)),
        ),
        { numRuns: 200 },
      );
    });

    it("with buys of mixed quantities and a millisecond of work, keeps the same replay (the locked path)", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...LOCKING),
          fc.integer({ min: 0, max: 8 }),
          tornRequests.map((requests) => requests.slice(0, 8)),
          (lock, initial, requests) => checkTornRun(lock, 1, initial, requests, flush, inWaves()),
        ),
        { numRuns: 8 },
      );
    });

    it("under rwlock, makes a query that arrives during a buy see the state after it", async () => {
      await checkQueryBehindBuy(1);
    });

    it("under rwlock, makes a buy that arrives during a query wait, so the query sees the state before it", async () => {
      const { store, service, openGate } = gatedRwLockService();
      const query = service.query("Robot"); // paused between reading stock and reading sold
      const buy = service.buy("Robot");
      await flush();
      assert.equal(store.stock, 5, "the buy has not started");
      openGate();
      assert.deepEqual(await query, report("Robot", 5));
      await flush();
      openGate();
      await flush();
      openGate();
      assert.deepEqual(await buy, sale("Robot", 4, "1"));
      assert.deepEqual(store.faults, []);
    });

    it("under rwlock, makes a buy of several units atomic: a query behind it sees all of them gone", async () => {
      await checkQueryBehindBuy(3);
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
          ...storeOver(catalog),
          query: async (name) => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            log.push("in");
            for (let turn = 0; turn < 1000 && maxInside < 5; turn++) await flush();
            inside--;
            return catalog.query(name);
          },
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
      const track = (name: string, request: StoreRequest): Promise<void> =>
        service.run(request).then((result) => {
          const detail =
            "stock" in result ? result.stock : "stockLeft" in result ? result.stockLeft : result.kind;
          log.push(`${name}:${detail}`);
        });
      await Promise.all([
        track("query0", { op: "query", name: "Robot" }),
        track("buy1", { op: "buy", name: "Robot", quantity: 1 }),
        track("buy2", { op: "buy", name: "Robot", quantity: 1 }),
        track("query1", { op: "query", name: "Robot" }),
        track("query2", { op: "query", name: "Robot" }),
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
        ...storeOver(catalog),
        // Stays inside until every buy is in, or a hundred turns passed (a bound in turns, not time).
        buy: async (name, quantity) => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          for (let turn = 0; turn < 100 && maxInside < toys.length; turn++) await flush();
          inside--;
          return catalog.buy(name, quantity);
        },
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
        const service = new StoreService(catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 1 }), { lock });
        assert.deepEqual(
          execute(service, { op: "buy", name: "Robot", quantity: 1 }).result,
          sale("Robot", 2, "1"),
        );
        assert.deepEqual(
          execute(service, { op: "buy", name: "Robot", quantity: 2 }).result,
          sale("Robot", 0, "2", 2),
        );
        assert.deepEqual(execute(service, { op: "query", name: "robot" }).result, report("Robot", 0));
        assert.deepEqual(execute(service, { op: "query", name: "KITE" }).result, report("Kite", 1));
      }
    });

    it("takes no lock for an order: it answers while a buy holds the lock, and a list waits for the buy", async () => {
      const { store, service, openGate } = gatedRwLockService();
      const buy = service.buy("Robot");
      await flush();
      const order = execute(service, { op: "order", id: "1" });
      assert.equal(order.calls, 1, "answered at once, inside execute");
      assert.deepEqual(order.result, { kind: "not_found" });
      const list = execute(service, { op: "list" });
      assert.equal(list.calls, 0, "a list shares the lock the buy holds exclusively");
      openGate();
      await flush();
      openGate();
      assert.deepEqual(await buy, sale("Robot", 4, "1"));
      await flush();
      assert.deepEqual(list.result, { kind: "list", toys: [{ name: "Robot", priceCents: 1999, stock: 4 }] });
      assert.deepEqual(store.faults, []);
    });
  });

  describe("validation", () => {
    const refusingStore = (): CatalogStore & { calls: number } => {
      const store = {
        calls: 0,
        query: (): StockReport => {
          store.calls++;
          return { kind: "not_found" };
        },
        buy: (): SaleResult => {
          store.calls++;
          return { kind: "not_found" };
        },
        restock: (): undefined => {
          store.calls++;
          return undefined;
        },
        list: (): readonly Toy[] => [],
        order: () => undefined,
      };
      return store;
    };

    /** A request of `op` for `name`, as valid as it can be otherwise. */
    const requestFor = (op: "query" | "buy" | "restock", name: string): StoreRequest =>
      op === "query"
        ? { op, name }
        : op === "buy"
          ? { op, name, quantity: 1 }
          : { op, name, change: { addStock: 1 } };

    for (const lock of ALL_LOCKS) {
      for (const op of ["query", "buy", "restock"] as const) {
        it(`refuses an empty, blank or over-long name in a ${op} under ${lock} with bad_request, synchronously`, () => {
          const store = refusingStore();
          const service = new StoreService(store, { lock });
          for (const [name, message] of [
            ["", "empty name"],
            ["   ", "empty name"],
            ["\t\r\n", "empty name"],
            ["x".repeat(257), "name too long (more than 256 characters)"],
          ] as const) {
            const sink = execute(service, requestFor(op, name));
            assert.equal(sink.calls, 1, "reported at once, inside execute");
            assert.ok(sink.error instanceof StoreError);
            assert.equal(sink.error.code, "bad_request");
            assert.equal(sink.error.message, message);
          }
          assert.equal(store.calls, 0, "the store was never consulted");
          // The lock was not taken: the next request still takes the synchronous fast path.
          assert.equal(execute(service, requestFor(op, "x".repeat(256))).calls, 1);
          assert.equal(store.calls, 1);
        });
      }

      it(`refuses a buy of 0, -1, 1.5, MAX_QUANTITY + 1, NaN or infinite units under ${lock} with bad_request, changing nothing`, async () => {
        const store = refusingStore();
        const refusing = new StoreService(store, { lock });
        const service = new StoreService(catalogOf({ Robot: 2, Kite: 1, "Yo-yo": 1 }), { lock });
        const message = `quantity must be a whole number from 1 to ${MAX_QUANTITY}`;
        for (const quantity of [0, -1, 1.5, MAX_QUANTITY + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
          const sink = execute(refusing, { op: "buy", name: "Robot", quantity });
          assert.equal(sink.calls, 1, "reported at once, inside execute");
          assert.ok(sink.error instanceof StoreError);
          assert.deepEqual(
            [sink.error.code, sink.error.message],
            ["bad_request", message],
            `quantity ${quantity}`,
          );
          await assert.rejects(service.buy("Robot", undefined, quantity), { code: "bad_request", message });
          // Refused before the key is looked at: the key stays free.
          await assert.rejects(service.buy("Robot", "refused-key", quantity), {
            code: "bad_request",
            message,
          });
        }
        assert.equal(store.calls, 0, "the store was never consulted");
        assert.deepEqual(stockOf(await service.list()), { Robot: 2, Kite: 1, "Yo-yo": 1 });
        assert.equal(await service.order("1"), undefined, "no order was recorded");
        // The bounds themselves are valid: the most units is sold out here, not refused.
        assert.deepEqual(await service.buy("Robot", undefined, MAX_QUANTITY), { kind: "sold_out" });
        assert.deepEqual(await service.buy("Robot", "refused-key", 1), sale("Robot", 1, "1"));
      });
    }

    it("changes no stock when a buy is refused", async () => {
      const service = new StoreService(catalogOf({ Robot: 2, Kite: 1, "Yo-yo": 1 }), { maxNameLength: 5 });
      await assert.rejects(service.buy(""), { code: "bad_request" });
      await assert.rejects(service.buy("Robots"), { code: "bad_request", message: /more than 5 characters/ });
      await assert.rejects(service.buy(" "), { code: "bad_request" });
      await assert.rejects(service.buy("Kite", "a key"), { code: "bad_request", message: /idempotency key/ });
      await assert.rejects(service.buy("Kite", ""), { code: "bad_request", message: /idempotency key/ });
      assert.deepEqual(stockOf(await service.list()), { Robot: 2, Kite: 1, "Yo-yo": 1 });
      assert.deepEqual(await service.buy("Kite"), sale("Kite", 0, "1"));
    });

    it("refuses a malformed order id or restock with bad_request, changing nothing", async () => {
      const service = new StoreService(catalogOf({ Robot: 2, Kite: 1, "Yo-yo": 1 }));
      await service.buy("Robot");
      for (const id of ["", "1".repeat(65)]) {
        const sink = execute(service, { op: "order", id });
        assert.equal(sink.calls, 1);
        assert.equal(sink.error?.code, "bad_request", JSON.stringify(id));
      }
      assert.deepEqual(execute(service, { op: "order", id: "1".repeat(64) }).result, { kind: "not_found" });
      for (const change of [
        { stock: 1, addStock: 1 },
        { stock: -1 },
        { addStock: -1 },
        { addStock: 1.5 },
        { stock: Number.NaN },
        { priceCents: -5 },
        { priceCents: 9.99 },
      ]) {
        const sink = execute(service, { op: "restock", name: "Robot", change });
        assert.equal(sink.calls, 1);
        assert.equal(sink.error?.code, "bad_request", JSON.stringify(change));
      }
      assert.deepEqual(await service.list(), [
        { name: "Robot", priceCents: 1999, stock: 1 },
        { name: "Kite", priceCents: 850, stock: 1 },
        { name: "Yo-yo", priceCents: 300, stock: 1 },
      ]);
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
        buy: (name, quantity) => call(() => catalog.buy(name, quantity)),
        list: () => call(() => catalog.list()),
        order: (id) => call(() => catalog.order(id)),
        restock: (name, change) => call(() => catalog.restock(name, change)),
      };
      return { store, cause };
    };

    /** One request of each operation. */
    const EVERY_OP: readonly StoreRequest[] = [
      { op: "query", name: "Robot" },
      { op: "buy", name: "Robot", quantity: 1 },
      { op: "restock", name: "Kite", change: { addStock: 1 } },
      { op: "list" },
      { op: "order", id: "1" },
    ];

    for (const lock of ALL_LOCKS) {
      for (const how of ["throws", "rejects"] as const) {
        for (const workMs of [0, 1]) {
          it(`reports internal when the store ${how} (${lock}, workMs ${workMs}), and releases the lock`, async () => {
            for (const request of EVERY_OP) {
              const { store, cause } = failingOnce(how);
              const service = new StoreService(store, { lock, workMs });
              const failed = service.run(request);
              // Queued behind the failing request: it runs only if the lock is released.
              const next = service.buy("Robot");
              await assert.rejects(failed, (error: unknown) => {
                assert.ok(error instanceof StoreError, request.op);
                assert.equal(error.code, "internal");
                assert.equal(error.message, "internal error", "the cause is not in the message");
                assert.equal(error.cause, cause);
                return true;
              });
              assert.deepEqual(await next, sale("Robot", 1, "1"), request.op);
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
          report("Robot", 2),
          sale("Robot", 1, "1"),
          report("Robot", 1),
        ]);
      }
    });

    for (const lock of ALL_LOCKS) {
      it(`answers bad_request to a restock on a store that cannot restock under ${lock}, and releases the lock`, async () => {
        const service = new StoreService(storeOver(catalogOf({ Robot: 2, Kite: 1, "Yo-yo": 1 }), false), {
          lock,
        });
        const sink = execute(service, { op: "restock", name: "Robot", change: { addStock: 3 } });
        assert.equal(sink.calls, 1);
        assert.equal(sink.error?.code, "bad_request");
        assert.equal(sink.error?.message, "this store cannot restock");
        // Released: the next buy of the same toy takes the synchronous fast path.
        assert.deepEqual(
          execute(service, { op: "buy", name: "Robot", quantity: 1 }).result,
          sale("Robot", 1, "1"),
        );
        assert.deepEqual(stockOf(await service.list()), { Robot: 1, Kite: 1, "Yo-yo": 1 });
        await assert.rejects(service.restock("Robot", { stock: 9 }), { code: "bad_request" });
      });
    }

    it("passes on a StoreError the store chose, as it is", async () => {
      const catalog = catalogOf({ Robot: 2, Kite: 1, "Yo-yo": 1 });
      const chosen = new StoreError("unavailable", "the database is away");
      const service = new StoreService({
        ...storeOver(catalog),
        buy: () => Promise.reject(chosen),
      });
      await assert.rejects(service.buy("Robot"), (error: unknown) => error === chosen);
      assert.deepEqual(await service.query("Robot"), report("Robot", 2));
    });
  });

  describe("orders", () => {
    for (const lock of ALL_LOCKS) {
      it(`records each sale as an order, read back by id, under ${lock}`, async () => {
        const service = new StoreService(catalogOf({ Robot: 4, Kite: 0, "Yo-yo": 1 }), { lock, workMs: 1 });
        const results = await Promise.all([
          service.buy("robot"),
          service.buy("Robot", undefined, 2),
          service.buy("Kite"),
        ]);
        const ids = results.flatMap((r) =>
          r.kind === "bought" && r.orderId !== undefined ? [r.orderId] : [],
        );
        assert.equal(new Set(ids).size, 2, "one distinct order per sale, none for the sold-out buy");
        for (const [i, id] of ids.entries()) {
          const order = await service.order(id);
          assert.deepEqual(withoutTime(order), { id, toy: "Robot", quantity: i + 1, unitPriceCents: 1999 });
        }
        assert.equal(await service.order("no such order"), undefined);
      });
    }
  });

  describe("buys of several units", () => {
    for (const lock of ALL_LOCKS) {
      for (const workMs of [0, 1]) {
        it(`sells every unit asked or none, and sells out exactly, under ${lock} (workMs ${workMs})`, async () => {
          const service = new StoreService(catalogOf({ Robot: 5, Kite: 2, "Yo-yo": 0 }), { lock, workMs });
          const first = new RecordingSink();
          service.execute({ op: "buy", name: "robot", quantity: 3 }, first);
          if (workMs === 0) assert.equal(first.calls, 1, "answered inside execute");
          await answered(first);
          assert.deepEqual(first.result, sale("Robot", 2, "1", 3));
          // More than is left: sold out, and nothing changes.
          assert.deepEqual(await service.buy("Robot", undefined, 3), { kind: "sold_out" });
          assert.deepEqual(await service.query("Robot"), report("Robot", 2));
          assert.equal(await service.order("2"), undefined, "the refused buy recorded no order");
          // Exactly what is left: the toy sells out.
          assert.deepEqual(await service.buy("  ROBOT ", undefined, 2), sale("Robot", 0, "2", 2));
          assert.deepEqual(await service.query("Robot"), report("Robot", 0));
          assert.deepEqual(await service.buy("Robot"), { kind: "sold_out" });
          assert.deepEqual(await service.buy("Yo-yo", undefined, 1), { kind: "sold_out" });
          assert.deepEqual(await service.buy("Unicorn", undefined, 2), { kind: "not_found" });
          assert.deepEqual(await service.buy("Kite", undefined, 2), sale("Kite", 0, "3", 2));
          assert.deepEqual(withoutTime(await service.order("1")), {
            id: "1",
            toy: "Robot",
            quantity: 3,
            unitPriceCents: 1999,
          });
          assert.deepEqual(stockOf(await service.list()), { Robot: 0, Kite: 0, "Yo-yo": 0 });
        });
      }
    }
  });

  describe("keyed buys", () => {
    for (const lock of ALL_LOCKS) {
      for (const workMs of [0, 1]) {
        it(`answers a retried keyed buy with its first outcome and sells nothing more, under ${lock} (workMs ${workMs})`, async () => {
          const service = new StoreService(catalogOf({ Robot: 5, Kite: 1, "Yo-yo": 0 }), { lock, workMs });
          const first = await service.buy("Robot", "key-1", 2);
          assert.deepEqual(first, sale("Robot", 3, "1", 2));
          assert.deepEqual(await service.buy(" robot", "key-1", 2), first, "a retry, spelled otherwise");
          // Retries racing the first buy wait for its outcome.
          const racing = await Promise.all([
            service.buy("Kite", "key-2"),
            service.buy("Kite", "key-2"),
            service.buy("KITE", "key-2"),
          ]);
          assert.deepEqual(racing, [sale("Kite", 0, "2"), sale("Kite", 0, "2"), sale("Kite", 0, "2")]);
          assert.deepEqual(stockOf(await service.list()), { Robot: 3, Kite: 0, "Yo-yo": 0 });
          assert.equal(await service.order("3"), undefined, "one order per key");
        });

        it(`refuses a key retried with another quantity or toy with bad_request, selling nothing, under ${lock} (workMs ${workMs})`, async () => {
          const service = new StoreService(catalogOf({ Robot: 5, Kite: 1, "Yo-yo": 0 }), { lock, workMs });
          // While the first buy still runs, and after it.
          const [first, other] = await Promise.allSettled([
            service.buy("Robot", "key-1", 2),
            service.buy("Robot", "key-1", 3),
          ]);
          assert.deepEqual(first, { status: "fulfilled", value: sale("Robot", 3, "1", 2) });
          assert.equal(other.status, "rejected");
          assert.equal((other as PromiseRejectedResult).reason.code, "bad_request");
          for (const [name, quantity] of [
            ["Robot", 1],
            ["Robot", 3],
            ["Kite", 2],
          ] as const) {
            const sink = new RecordingSink();
            service.execute({ op: "buy", name, quantity, requestKey: "key-1" }, sink);
            assert.equal(sink.calls, 1, "refused at once");
            assert.equal(sink.error?.code, "bad_request", `${name} x${quantity}`);
          }
          assert.deepEqual(stockOf(await service.list()), { Robot: 3, Kite: 1, "Yo-yo": 0 });
          assert.equal(await service.order("2"), undefined);
          // The key still answers its first outcome.
          assert.deepEqual(await service.buy("Robot", "key-1", 2), sale("Robot", 3, "1", 2));
        });
      }
    }

    it("remembers a sold-out keyed buy, and forgets one that found no toy or failed", async () => {
      const catalog = catalogOf({ Robot: 2, Kite: 1, "Yo-yo": 0 });
      let failNext = false;
      const service = new StoreService({
        ...storeOver(catalog),
        buy: (name, quantity) => {
          if (!failNext) return catalog.buy(name, quantity);
          failNext = false;
          return Promise.reject(new Error("disk full"));
        },
      });
      assert.deepEqual(await service.buy("Yo-yo", "sold-out", 1), { kind: "sold_out" });
      await service.restock("Yo-yo", { stock: 5 });
      assert.deepEqual(await service.buy("Yo-yo", "sold-out", 1), { kind: "sold_out" }, "the first outcome");
      assert.deepEqual(await service.buy("Unicorn", "missing", 1), { kind: "not_found" });
      assert.deepEqual(
        await service.buy("Kite", "missing", 1),
        sale("Kite", 0, "1"),
        "the key is free again",
      );
      failNext = true;
      await assert.rejects(service.buy("Robot", "failed", 2), { code: "internal" });
      assert.deepEqual(
        await service.buy("Robot", "failed", 2),
        sale("Robot", 0, "2", 2),
        "the key is free again",
      );
      assert.deepEqual(stockOf(await service.list()), { Robot: 0, Kite: 0, "Yo-yo": 5 });
    });
  });

  describe("order, list and restock", () => {
    for (const lock of ALL_LOCKS) {
      it(`runs order, list and restock through execute under ${lock}`, async () => {
        const service = new StoreService(catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 0 }), { lock });
        assert.deepEqual(await service.buy("Robot", undefined, 2), sale("Robot", 1, "1", 2));

        const order = execute(service, { op: "order", id: "1" });
        assert.equal(order.calls, 1);
        assert.equal(order.result?.kind, "order");
        const recorded = order.result?.kind === "order" ? order.result.order : undefined;
        assert.deepEqual(withoutTime(recorded), { id: "1", toy: "Robot", quantity: 2, unitPriceCents: 1999 });
        assert.deepEqual(execute(service, { op: "order", id: "2" }).result, { kind: "not_found" });
        assert.deepEqual(execute(service, { op: "order", id: "no such order" }).result, {
          kind: "not_found",
        });

        assert.deepEqual(execute(service, { op: "list" }).result, {
          kind: "list",
          toys: [
            { name: "Robot", priceCents: 1999, stock: 1 },
            { name: "Kite", priceCents: 850, stock: 1 },
            { name: "Yo-yo", priceCents: 300, stock: 0 },
          ],
        });

        assert.deepEqual(
          execute(service, { op: "restock", name: "yo-yo", change: { addStock: 4, priceCents: 350 } }).result,
          { kind: "restocked", toy: { name: "Yo-yo", priceCents: 350, stock: 4 } },
        );
        assert.deepEqual(execute(service, { op: "restock", name: "ROBOT", change: { stock: 10 } }).result, {
          kind: "restocked",
          toy: { name: "Robot", priceCents: 1999, stock: 10 },
        });
        assert.deepEqual(execute(service, { op: "restock", name: "Unicorn", change: { stock: 1 } }).result, {
          kind: "not_found",
        });
        assert.deepEqual(await service.restock("Unicorn", { stock: 1 }), undefined);
        assert.deepEqual(await service.restock("Kite", { addStock: 2 }), {
          name: "Kite",
          priceCents: 850,
          stock: 3,
        });

        // A sale after a price change is at the new price; the order before it keeps the old one.
        const yoyo = await service.buy("Yo-yo", undefined, 4);
        assert.deepEqual(yoyo, { ...sale("Yo-yo", 0, "2", 4), unitPriceCents: 350 });
        assert.equal((await service.order("1"))?.unitPriceCents, 1999);
        assert.equal((await service.order("2"))?.unitPriceCents, 350);
        assert.deepEqual(stockOf(await service.list()), { Robot: 10, Kite: 3, "Yo-yo": 0 });
      });
    }

    it("tells watchers every stock change it makes, by display name: sales of any quantity and restocks", async () => {
      for (const lock of ALL_LOCKS) {
        for (const workMs of [0, 1]) {
          const service = new StoreService(catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 0 }), { lock, workMs });
          const seen: [string, number][] = [];
          const stop = service.watchStock((name, stock) => seen.push([name, stock]));
          await service.buy("  ROBOT ", undefined, 2);
          await service.buy("robot", "key", 1);
          await service.buy("robot", "key", 1); // a retry sells nothing: nothing to tell
          await service.buy("Robot", undefined, 1); // sold out
          await service.buy("Unicorn");
          await service.restock("yo-yo", { addStock: 3 });
          await service.restock("KITE", { priceCents: 900 });
          await service.restock("Unicorn", { stock: 1 });
          await service.query("Kite");
          await service.list();
          await service.order("1");
          stop();
          await service.buy("Kite");
          assert.deepEqual(
            seen,
            [
              ["Robot", 1],
              ["Robot", 0],
              ["Yo-yo", 3],
              ["Kite", 1],
            ],
            `${lock}, workMs ${workMs}`,
          );
        }
      }
    });
  });

  describe("hooks", () => {
    it("tells onAnswer each request answered and its result, and onFailure each store failure", async () => {
      const answers: [StoreRequest, StoreResult][] = [];
      const failures: StoreError[] = [];
      const catalog = catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 0 });
      let failNext = false;
      const store: CatalogStore = {
        ...storeOver(catalog),
        query: (name) => {
          if (!failNext) return catalog.query(name);
          failNext = false;
          throw new Error("disk full");
        },
      };
      const service = new StoreService(
        store,
        {},
        {
          onAnswer: (request, result) => answers.push([request, result]),
          onFailure: (e) => failures.push(e),
        },
      );
      await service.buy("Robot", undefined, 2);
      await service.query("Kite");
      await assert.rejects(service.buy(""), { code: "bad_request" });
      failNext = true;
      await assert.rejects(service.query("Kite"), { code: "internal" });
      assert.deepEqual(answers, [
        [{ op: "buy", name: "Robot", quantity: 2, requestKey: undefined }, sale("Robot", 1, "1", 2)],
        [{ op: "query", name: "Kite" }, report("Kite", 1)],
      ]);
      assert.deepEqual(
        failures.map((e) => [e.code, (e.cause as Error).message]),
        [["internal", "disk full"]],
      );
    });

    /** A service whose onBug hook resolves `bug` with what it was told. */
    function withBugHook(store: CatalogStore | SharedStore, workMs = 0) {
      const bug = deferred<[string, unknown]>();
      const hooks: ServiceHooks = { onBug: (message, error) => bug.resolve([message, error]) };
      return { service: new StoreService(store, { workMs }, hooks), bug: bug.promise };
    }

    const boom = new Error("the sink broke");
    const throwingSink: ResultSink = {
      complete() {
        throw boom;
      },
      fail() {
        throw boom;
      },
    };

    const catalogStores: readonly [string, () => CatalogStore, number][] = [
      ["a request that waited out its simulated work", () => catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 0 }), 1],
      [
        "a store that answers with a promise",
        () => {
          const catalog = catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 0 });
          return { ...storeOver(catalog), buy: async (name, quantity) => catalog.buy(name, quantity) };
        },
        0,
      ],
      [
        "a store whose answer is committing",
        () => {
          const catalog = catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 0 });
          return {
            ...storeOver(catalog),
            buy: (name, quantity) => new Committing(catalog.buy(name, quantity), Promise.resolve()),
          };
        },
        0,
      ],
      [
        "a store that fails",
        () => ({
          ...storeOver(catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 0 })),
          buy: () => Promise.reject(boom),
        }),
        0,
      ],
    ];

    for (const [what, makeStore, workMs] of catalogStores) {
      it(`calls onBug when a result sink throws, for ${what}, and keeps serving`, async () => {
        const { service, bug } = withBugHook(makeStore(), workMs);
        service.execute({ op: "buy", name: "Robot", quantity: 2 }, throwingSink);
        const [message, error] = await bug;
        assert.equal(message, "a result sink threw");
        assert.equal(error, boom);
        // The lock was released before the sink was called.
        assert.deepEqual(
          await service.query("Robot"),
          report("Robot", what === "a store that fails" ? 3 : 1),
        );
      });
    }

    it("calls onBug when a result sink throws for a shared store", async () => {
      const { store } = recordingSharedStore();
      const { service, bug } = withBugHook(store);
      service.execute({ op: "query", name: "Robot" }, throwingSink);
      assert.deepEqual(await bug, ["a result sink threw", boom]);
    });

    it("calls onBug when a watcher throws, tells the other watchers, and still answers", async () => {
      const { service, bug } = withBugHook(catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 0 }));
      const seen: string[] = [];
      service.watchStock(() => {
        throw boom;
      });
      service.watchStock((name, stock) => seen.push(`${name}:${stock}`));
      assert.deepEqual(
        execute(service, { op: "buy", name: "Robot", quantity: 1 }).result,
        sale("Robot", 2, "1"),
      );
      assert.deepEqual(await bug, ["a stock watcher threw", boom]);
      assert.deepEqual(seen, ["Robot:2"]);
    });
  });

  describe("stores that commit later, and shared stores", () => {
    it("answers a committing outcome once it is stored: decided at once, the lock released, unavailable if storing fails", async () => {
      for (const lock of ALL_LOCKS) {
        const catalog = catalogOf({ Robot: 3, Kite: 1, "Yo-yo": 0 });
        const syncs: ReturnType<typeof deferred<void>>[] = [];
        const service = new StoreService(
          {
            ...storeOver(catalog),
            buy: (name, quantity) => {
              const sync = deferred<void>();
              syncs.push(sync);
              return new Committing(catalog.buy(name, quantity), sync.promise);
            },
          },
          { lock },
        );
        const first = execute(service, { op: "buy", name: "Robot", quantity: 2 });
        assert.deepEqual([first.decidedCalls, first.calls], [1, 0], "decided, not yet answered");
        // The lock is free while the sale is stored, and the sale is visible.
        assert.deepEqual(execute(service, { op: "query", name: "Robot" }).result, report("Robot", 1));
        const second = execute(service, { op: "buy", name: "Robot", quantity: 1 });
        assert.equal(second.decidedCalls, 1);
        syncs[0]!.resolve();
        const cause = new Error("fsync failed");
        syncs[1]!.reject(cause);
        await flush();
        assert.deepEqual(first.result, sale("Robot", 1, "1", 2));
        assert.equal(second.error?.code, "unavailable", lock);
        assert.equal(second.error?.cause, cause);
        assert.equal(first.calls + second.calls, 2);
      }
    });

    it("hands a shared store the request, its section and its key, and takes no lock of its own", async () => {
      const { store, calls } = recordingSharedStore();
      const service = new StoreService(store, { lock: "per-toy", workMs: 3 });
      const section: Section = { lock: "per-toy", workMs: 3 };
      assert.deepEqual(await service.buy("Robot", "key-1", 2), sale("Robot", 3, "1", 2));
      // A shared store keeps its own keys: the retry reaches it too.
      await service.buy("Robot", "key-1", 2);
      assert.deepEqual(await service.query("Robot"), report("Robot", 5));
      assert.deepEqual(await service.restock("Robot", { addStock: 1 }), {
        name: "Robot",
        priceCents: 1999,
        stock: 6,
      });
      assert.equal(await service.order("7"), undefined);
      assert.deepEqual(await service.list(), []);
      assert.deepEqual(calls, [
        ["buy", "Robot", section, 2, "key-1"],
        ["buy", "Robot", section, 2, "key-1"],
        ["query", "Robot", section],
        ["restock", "Robot", { addStock: 1 }],
        ["order", "7"],
        ["list"],
      ]);
      // Validation still comes first.
      await assert.rejects(service.buy("Robot", undefined, 0), { code: "bad_request" });
      assert.equal(calls.length, 6);
    });

    it("answers unavailable when a shared store fails, and passes on a StoreError it chose", async () => {
      const { store, fail } = recordingSharedStore();
      const service = new StoreService(store);
      const cause = new Error("connection reset");
      fail(cause);
      await assert.rejects(service.buy("Robot"), (error: unknown) => {
        assert.ok(error instanceof StoreError);
        assert.deepEqual(
          [error.code, error.message, error.cause],
          ["unavailable", "store unavailable", cause],
        );
        return true;
      });
      const chosen = new StoreError("bad_request", "idempotency key already used to buy another toy");
      fail(chosen);
      await assert.rejects(service.buy("Robot", "key-1", 3), (error: unknown) => error === chosen);
    });
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

/**
 * A shared store of 5 Robots that records every call (with the section and
 * key it was handed) and answers from fixed values; `fail(error)` makes its
 * next buy reject with `error`.
 */
function recordingSharedStore(): {
  store: SharedStore;
  calls: unknown[][];
  fail: (error: unknown) => void;
} {
  const calls: unknown[][] = [];
  let failure: unknown;
  const store: SharedStore = {
    shared: true,
    query: async (name, section) => {
      calls.push(["query", name, section]);
      return report("Robot", 5);
    },
    buy: async (name, section, quantity, requestKey) => {
      calls.push(["buy", name, section, quantity, requestKey]);
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      return sale("Robot", 5 - quantity, "1", quantity);
    },
    order: async (id) => {
      calls.push(["order", id]);
      return undefined;
    },
    list: async () => {
      calls.push(["list"]);
      return [];
    },
    restock: async (name, change) => {
      calls.push(["restock", name, change]);
      return { name: "Robot", priceCents: 1999, stock: 6 };
    },
    close: async () => {},
  };
  return {
    store,
    calls,
    fail: (error) => {
      failure = error;
    },
  };
}
