// Tests for where the service's stock watchers hear from: a shared store's
// feed when it has one (every server's changes, this one's included, so its
// own are not told twice; resync passed on; the feed listened to only while
// someone watches), else the changes the service makes itself.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SharedStore, StockFeed } from "../catalog/catalog-store.js";
import { InMemoryCatalog } from "../catalog/memory-store.js";
import { StoreService } from "./store-service.js";

/** A feed the test drives: what it was asked to watch, and the means to announce and resync. */
function fakeFeed(listening?: boolean) {
  const subscribers = new Set<{ change: (name: string, stock: number) => void; resync: () => void }>();
  let subscriptions = 0;
  const feed: StockFeed = {
    watchStock(change, resync) {
      const subscriber = { change, resync };
      subscribers.add(subscriber);
      subscriptions++;
      return () => subscribers.delete(subscriber);
    },
    ...(listening === undefined ? {} : { listening }),
  };
  return {
    feed,
    /** Watchers of the feed now. */
    watching: () => subscribers.size,
    /** Times the feed was watched. */
    subscriptions: () => subscriptions,
    announce: (name: string, stock: number) => {
      for (const subscriber of subscribers) subscriber.change(name, stock);
    },
    resync: () => {
      for (const subscriber of subscribers) subscriber.resync();
    },
  };
}

/** A shared store that sells from 5 Robots and restocks to 9, with `feed` if given. */
function sharedStore(feed?: StockFeed): SharedStore {
  let stock = 5;
  return {
    shared: true,
    query: async () => ({ kind: "in_stock", name: "Robot", priceCents: 1999, stock }),
    buy: async (_name, _section, quantity) => {
      stock -= quantity;
      return { kind: "bought", toy: "Robot", stockLeft: stock, orderId: "1", unitPriceCents: 1999, quantity };
    },
    order: async () => undefined,
    list: async () => [{ name: "Robot", priceCents: 1999, stock }],
    restock: async () => {
      stock = 9;
      return { name: "Robot", priceCents: 1999, stock };
    },
    close: async () => {},
    ...(feed === undefined ? {} : { feed }),
  };
}

describe("stock watchers", () => {
  describe("on a store with a feed", () => {
    it("tell what the feed announces, and not the changes this service makes (they come back through the feed)", async () => {
      const fake = fakeFeed();
      const service = new StoreService(sharedStore(fake.feed));
      const seen: string[] = [];
      service.watchStock((name, stock) => seen.push(`${name}:${stock}`));
      await service.buy("Robot", undefined, 2);
      await service.restock("Robot", { stock: 9 });
      assert.deepEqual(seen, [], "the service's own changes are not told by it");
      fake.announce("Robot", 3); // this server's sale, back through the feed
      fake.announce("Kite", 0); // another server's
      assert.deepEqual(seen, ["Robot:3", "Kite:0"]);
    });

    it("pass a resync on to every watcher that asked for it", () => {
      const fake = fakeFeed();
      const service = new StoreService(sharedStore(fake.feed));
      const told: string[] = [];
      service.watchStock(() => {}, { resync: () => told.push("first") });
      service.watchStock(() => {}); // asked for none: hears nothing of it
      service.watchStock(() => {}, { resync: () => told.push("third") });
      fake.resync();
      assert.deepEqual(told, ["first", "third"]);
    });

    it("listen to the feed only while someone watches: once for all the watchers, again after the last one stopped", () => {
      const fake = fakeFeed();
      const service = new StoreService(sharedStore(fake.feed));
      assert.equal(fake.watching(), 0, "no watcher, no listening");
      const stopA = service.watchStock(() => {});
      const stopB = service.watchStock(() => {});
      assert.deepEqual([fake.watching(), fake.subscriptions()], [1, 1]);
      stopA();
      stopA(); // idempotent: B still watches
      assert.equal(fake.watching(), 1);
      stopB();
      assert.equal(fake.watching(), 0, "the last watcher out stops the feed");
      const seen: number[] = [];
      const stopC = service.watchStock((_name, stock) => seen.push(stock));
      assert.deepEqual([fake.watching(), fake.subscriptions()], [1, 2]);
      fake.announce("Robot", 4);
      stopC();
      fake.announce("Robot", 3);
      assert.deepEqual(seen, [4]);
    });

    it("say whether they hear every change: as the feed says it listens, and yes when it does not say", () => {
      assert.equal(new StoreService(sharedStore(fakeFeed(false).feed)).watchingLive, false);
      assert.equal(new StoreService(sharedStore(fakeFeed(true).feed)).watchingLive, true);
      assert.equal(new StoreService(sharedStore(fakeFeed().feed)).watchingLive, true);
    });

    it("call onBug for a watcher that throws on a change or a resync, and still tell the others", () => {
      const fake = fakeFeed();
      const bugs: string[] = [];
      const service = new StoreService(
        sharedStore(fake.feed),
        {},
        { onBug: (message) => bugs.push(message) },
      );
      const boom = (): never => {
        throw new Error("boom");
      };
      const told: string[] = [];
      service.watchStock(boom, { resync: boom });
      service.watchStock((name) => told.push(name), { resync: () => told.push("resync") });
      fake.announce("Robot", 1);
      fake.resync();
      assert.deepEqual(told, ["Robot", "resync"]);
      assert.deepEqual(bugs, ["a stock watcher threw", "a stock watcher threw"]);
    });
  });

  describe("on a store without a feed", () => {
    it("tell the changes this service makes, as before, and are always live", async () => {
      const service = new StoreService(
        new InMemoryCatalog([
          { name: "Robot", priceCents: 1999, stock: 3 },
          { name: "Kite", priceCents: 500, stock: 1 },
        ]),
      );
      assert.equal(service.watchingLive, true);
      const seen: string[] = [];
      const stop = service.watchStock((name, stock) => seen.push(`${name}:${stock}`), {
        resync: () => seen.push("resync"),
      });
      await service.buy("robot", undefined, 2);
      await service.restock("KITE", { addStock: 4 });
      stop();
      await service.buy("Robot");
      assert.deepEqual(seen, ["Robot:1", "Kite:5"]);
    });

    it("tell a shared store's changes (one that does not announce) from this service", async () => {
      const service = new StoreService(sharedStore());
      const seen: string[] = [];
      service.watchStock((name, stock) => seen.push(`${name}:${stock}`));
      await service.buy("Robot", undefined, 2);
      assert.deepEqual(seen, ["Robot:3"]);
    });

    it("count the same function watched twice as two watchers, each stopped by its own stop", async () => {
      const service = new StoreService(new InMemoryCatalog([{ name: "Robot", priceCents: 1999, stock: 3 }]));
      const seen: number[] = [];
      const watcher = (_name: string, stock: number): number => seen.push(stock);
      const stopFirst = service.watchStock(watcher);
      service.watchStock(watcher);
      await service.buy("Robot");
      stopFirst();
      await service.buy("Robot");
      assert.deepEqual(seen, [2, 2, 1]);
    });
  });
});
