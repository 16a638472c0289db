// Unit tests of the restock timer on a fake clock: its options (off by
// default, durations with their unit, --restock-to refused alone), rounds on
// the period's cadence that put sold-out toys back and tell the stock
// watchers, ticks skipped while a round still runs, the early retry a shared
// store's not_due asks for, failures to the hook, and stop().

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CatalogStore, RefillResult, SharedStore } from "../catalog/catalog-store.js";
import { InMemoryCatalog } from "../catalog/memory-store.js";
import { readFlags } from "../cli/flags.js";
import { OptionError } from "../options/schema.js";
import type { RefillOutcome } from "./operations/index.js";
import {
  REAL_SCHEDULER,
  RESTOCK_TIMER_OPTIONS,
  resolveRestockTimerOptions,
  type Scheduler,
  startRestockTimer,
} from "./restock-timer.js";
import { StoreService } from "./store-service.js";

/** Lets the promise reactions of a round run (an in-memory round settles within a few). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A clock that moves only when told, and the timers set on it. */
class FakeScheduler implements Scheduler {
  #now = 1000;
  readonly #timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  /** The delay of every timer set, in order. */
  readonly delays: number[] = [];

  now(): number {
    return this.#now;
  }

  schedule(fn: () => void, ms: number): { cancel(): void } {
    const timer = { at: this.#now + ms, fn, cancelled: false };
    this.#timers.push(timer);
    this.delays.push(ms);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Moves the clock by `ms`, firing each timer due on the way at its time, and lets the rounds settle. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.#timers.splice(this.#timers.indexOf(due), 1);
      this.#now = due.at;
      due.fn();
      await settle();
    }
    this.#now = until;
    await settle();
  }
}

const TOYS = [
  { name: "Robot", priceCents: 1999, stock: 2 },
  { name: "Kite", priceCents: 850, stock: 0 },
  { name: "Owl", priceCents: 500, stock: 1 },
];

const stocks = async (service: StoreService): Promise<number[]> =>
  (await service.list()).map((toy) => toy.stock);

describe("the restock timer's options", () => {
  it("is off by default, and puts toys back to 100", () => {
    assert.deepEqual(resolveRestockTimerOptions(), { restockEveryMs: null, restockTo: 100 });
    assert.deepEqual(resolveRestockTimerOptions({ restockEveryMs: 500 }), {
      restockEveryMs: 500,
      restockTo: 100,
    });
  });

  it("reads durations with their unit from the command line", () => {
    const read = (every: string, to?: string) =>
      resolveRestockTimerOptions(
        readFlags(RESTOCK_TIMER_OPTIONS, {
          restockEvery: every,
          ...(to === undefined ? {} : { restockTo: to }),
        }),
      );
    assert.deepEqual(read("10s", "7"), { restockEveryMs: 10_000, restockTo: 7 });
    assert.equal(read("500ms").restockEveryMs, 500);
    assert.equal(read("2m").restockEveryMs, 120_000);
    assert.equal(read("1.5s").restockEveryMs, 1500);
    assert.equal(read("24h").restockEveryMs, 86_400_000);
  });

  it("refuses a bad duration or stock, naming the flag, the values it takes and what it got", () => {
    const message = (given: Record<string, string>): string => {
      try {
        readFlags(RESTOCK_TIMER_OPTIONS, given);
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    const expected = "a duration such as 500ms, 10s or 2m, from 10ms to 24h";
    for (const bad of ["10", "5ms", "0s", "25h", "1.5ms", "ten seconds", "-1s", "10 s"])
      assert.equal(message({ restockEvery: bad }), `--restock-every must be ${expected}, got "${bad}"`, bad);
    for (const bad of ["0", "-3", "2.5", "lots"])
      assert.equal(message({ restockTo: bad }), `--restock-to must be an integer >= 1, got "${bad}"`);
    assert.throws(() => resolveRestockTimerOptions({ restockEveryMs: 9 }), {
      name: "OptionError",
      message: `--restock-every must be ${expected}, got 9`,
    });
  });

  it("refuses --restock-to given without --restock-every; the timer takes the options once resolved", () => {
    assert.throws(
      () => resolveRestockTimerOptions({ restockTo: 50 }),
      (error: unknown) =>
        error instanceof OptionError &&
        error.message === "--restock-to needs --restock-every to say how often, e.g. --restock-every 10s",
    );
    // Resolved, the options hold the default stock: the timer takes them as they are.
    const scheduler = new FakeScheduler();
    const service = new StoreService(new InMemoryCatalog(TOYS));
    startRestockTimer(service, resolveRestockTimerOptions(), { scheduler });
    assert.equal(scheduler.pending, 0);
    startRestockTimer(service, resolveRestockTimerOptions({ restockEveryMs: 100 }), { scheduler });
    assert.equal(scheduler.pending, 1);
    assert.throws(() => startRestockTimer(service, { restockEveryMs: 100, restockTo: 0 }), {
      name: "OptionError",
      message: "--restock-to must be an integer >= 1, got 0",
    });
  });
});

describe("the restock timer", () => {
  it("does nothing when off", async () => {
    const scheduler = new FakeScheduler();
    const timer = startRestockTimer(new StoreService(new InMemoryCatalog(TOYS)), {}, { scheduler });
    assert.equal(scheduler.pending, 0);
    await timer.stop();
  });

  it("puts the sold-out toys back once a period, the first a period after it starts, and tells the watchers", async () => {
    const scheduler = new FakeScheduler();
    const service = new StoreService(new InMemoryCatalog(TOYS));
    const told: [string, number][] = [];
    service.watchStock((name, stock) => told.push([name, stock]));
    const rounds: RefillOutcome[] = [];
    const timer = startRestockTimer(
      service,
      { restockEveryMs: 100, restockTo: 5 },
      { scheduler, onRound: (outcome) => rounds.push(outcome) },
    );
    await scheduler.advance(99);
    assert.deepEqual(rounds, []);
    assert.deepEqual(await stocks(service), [2, 0, 1]);

    await scheduler.advance(1);
    assert.deepEqual(rounds, [{ kind: "refilled", toys: [{ name: "Kite", priceCents: 850, stock: 5 }] }]);
    assert.deepEqual(await stocks(service), [2, 5, 1]);
    assert.deepEqual(told, [["Kite", 5]]);

    // Owl sells out between rounds; only it comes back at the next one, and in-stock toys are left alone.
    await service.buy("Owl");
    await service.buy("Robot");
    await scheduler.advance(100);
    assert.deepEqual(rounds[1], { kind: "refilled", toys: [{ name: "Owl", priceCents: 500, stock: 5 }] });
    assert.deepEqual(await stocks(service), [1, 5, 5]);
    assert.deepEqual(told.slice(1), [
      ["Owl", 0],
      ["Robot", 1],
      ["Owl", 5],
    ]);

    await scheduler.advance(300);
    assert.equal(rounds.length, 5, "one round per period");
    assert.deepEqual(rounds.slice(2), Array(3).fill({ kind: "refilled", toys: [] }));
    assert.deepEqual(scheduler.delays, [100, 100, 100, 100, 100, 100]);
    await timer.stop();
    assert.equal(scheduler.pending, 0);
  });

  it("never runs two rounds at once: the ticks that come while a round runs are skipped", async () => {
    const scheduler = new FakeScheduler();
    const inner = new InMemoryCatalog(TOYS);
    let finish = (): void => {};
    let started = 0;
    // A store whose rounds end when the test says: the service holds the catalog's lock until then.
    const store: CatalogStore = {
      query: (name) => inner.query(name),
      buy: (name, quantity) => inner.buy(name, quantity),
      list: () => inner.list(),
      order: (id) => inner.order(id),
      refill: (to) => {
        started += 1;
        return new Promise<RefillResult>((resolve) => {
          finish = () => resolve(inner.refill(to));
        });
      },
    };
    const skipped: number[] = [];
    const rounds: RefillOutcome[] = [];
    const timer = startRestockTimer(
      new StoreService(store),
      { restockEveryMs: 100, restockTo: 3 },
      { scheduler, onSkipped: (n) => skipped.push(n), onRound: (outcome) => rounds.push(outcome) },
    );
    await scheduler.advance(100);
    assert.equal(started, 1);
    assert.equal(scheduler.pending, 0, "no timer while a round runs");
    await scheduler.advance(250);
    assert.equal(started, 1);
    finish();
    await settle();
    assert.equal(rounds.length, 1);
    // Ticks 2 and 3 came while it ran (at 200 and 300): skipped, and the next is tick 4, not one run late.
    assert.deepEqual(skipped, [2]);
    assert.deepEqual(scheduler.delays.at(-1), 50);
    await scheduler.advance(50);
    assert.equal(started, 2);
    finish();
    await timer.stop();
  });

  it("retries when a shared store says the round is due sooner than its next tick, keeping its cadence", async () => {
    const scheduler = new FakeScheduler();
    const answers: RefillResult[] = [
      { kind: "not_due", dueInMs: 30.2 },
      { kind: "refilled", toys: [] },
      { kind: "not_due", dueInMs: 500 },
      { kind: "refilled", toys: [] },
    ];
    const calls: unknown[][] = [];
    const store = {
      shared: true,
      refill: async (...args: unknown[]) => {
        calls.push(args);
        return answers.shift();
      },
    } as unknown as SharedStore;
    const timer = startRestockTimer(
      new StoreService(store),
      { restockEveryMs: 100, restockTo: 9 },
      { scheduler },
    );
    await scheduler.advance(100);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0], [9, 100, { lock: "rwlock", workMs: 0 }]);
    // Due in 30.2 ms: retried at 31, then back on the cadence (tick 2 at 200, not 231).
    await scheduler.advance(31);
    assert.equal(calls.length, 2);
    await scheduler.advance(69);
    assert.equal(calls.length, 3);
    // Due after the next tick: no retry, the tick comes first.
    await scheduler.advance(99);
    assert.equal(calls.length, 3);
    await scheduler.advance(1);
    assert.equal(calls.length, 4);
    assert.deepEqual(scheduler.delays, [100, 31, 69, 100, 100]);
    await timer.stop();
  });

  it("gives a failed round to the hook and goes on; a hook that throws does not stop it", async () => {
    const scheduler = new FakeScheduler();
    const inner = new InMemoryCatalog(TOYS);
    let failures = 1;
    const store = {
      query: (name: string) => inner.query(name),
      buy: (name: string, quantity: number) => inner.buy(name, quantity),
      list: () => inner.list(),
      order: (id: string) => inner.order(id),
      refill: (to: number) => {
        if (failures-- > 0) throw new Error("disk on fire");
        return inner.refill(to);
      },
    } satisfies CatalogStore;
    const errors: unknown[] = [];
    const rounds: RefillOutcome[] = [];
    const timer = startRestockTimer(
      new StoreService(store, {}, { onBug: () => {} }),
      { restockEveryMs: 100, restockTo: 4 },
      {
        scheduler,
        onError: (error) => errors.push(error),
        onRound: (outcome) => {
          rounds.push(outcome);
          throw new Error("a careless hook");
        },
      },
    );
    const stderr = process.stderr.write;
    const lines: string[] = [];
    process.stderr.write = ((line: string) => lines.push(line) > 0) as typeof process.stderr.write;
    try {
      await scheduler.advance(100);
      assert.equal(errors.length, 1);
      assert.deepEqual(
        [(errors[0] as { code?: string }).code, (errors[0] as Error).message],
        ["internal", "internal error"],
      );
      await scheduler.advance(200);
    } finally {
      process.stderr.write = stderr;
    }
    assert.equal(rounds.length, 2);
    assert.deepEqual(rounds[0], { kind: "refilled", toys: [{ name: "Kite", priceCents: 850, stock: 4 }] });
    assert.deepEqual(lines, Array(2).fill("toystore: restock timer: a careless hook\n"));
    await timer.stop();
  });

  it("stops: no round after stop(), which waits for the round in flight", async () => {
    const scheduler = new FakeScheduler();
    let finish = (): void => {};
    let started = 0;
    const store = {
      shared: true,
      refill: () => {
        started += 1;
        return new Promise<RefillResult>((resolve) => {
          finish = () => resolve({ kind: "refilled", toys: [] });
        });
      },
    } as unknown as SharedStore;
    const timer = startRestockTimer(new StoreService(store), { restockEveryMs: 100 }, { scheduler });
    await scheduler.advance(100);
    assert.equal(started, 1);
    let stopped = false;
    const stopping = timer.stop().then(() => (stopped = true));
    await settle();
    assert.equal(stopped, false, "the round in flight is still running");
    finish();
    await stopping;
    assert.equal(scheduler.pending, 0);
    await scheduler.advance(1000);
    assert.equal(started, 1);
    await timer.stop();

    const idle = startRestockTimer(new StoreService(store), { restockEveryMs: 100 }, { scheduler });
    assert.equal(scheduler.pending, 1);
    await idle.stop();
    assert.equal(scheduler.pending, 0);
  });

  it("does not keep the process alive: its real timer is unref'd", async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const before = timeouts();
    const timer = startRestockTimer(new StoreService(new InMemoryCatalog(TOYS)), { restockEveryMs: 60_000 });
    assert.equal(timeouts(), before);
    let fired = false;
    const handle = REAL_SCHEDULER.schedule(() => (fired = true), 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(fired);
    handle.cancel();
    await timer.stop();
  });
});
