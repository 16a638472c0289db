// The event stream (stock-events.ts) over a feed the test drives, as the
// PostgreSQL store's would announce every server's changes: a stream is
// answered once the feed listens and starts with a snapshot; the changes that
// arrive while the snapshot is read come after it; a resync sends every stream
// a fresh snapshot and drops what came before the gap; a snapshot the store
// cannot read yet is tried again; the feed is watched only while someone reads.

import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, it } from "node:test";
import type { SharedStore, StockFeed } from "../src/catalog/catalog-store.js";
import type { Toy } from "../src/catalog/toy.js";
import { StoreService } from "../src/service/store-service.js";
import { StockEvents } from "../src/transport/http/stock-events.js";
import { type EventStreamReader, openEventStream, snapshotOf } from "./helpers/event-stream.js";

/** A feed the test drives, listening or not. */
class FakeFeed implements StockFeed {
  listening = true;
  readonly #subscribers = new Set<{ change: (name: string, stock: number) => void; resync: () => void }>();

  get watchers(): number {
    return this.#subscribers.size;
  }

  watchStock(change: (name: string, stock: number) => void, resync: () => void): () => void {
    const subscriber = { change, resync };
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  announce(name: string, stock: number): void {
    for (const subscriber of this.#subscribers) subscriber.change(name, stock);
  }

  /** Listening (again). */
  resync(): void {
    this.listening = true;
    for (const subscriber of this.#subscribers) subscriber.resync();
  }
}

/** A shared store whose list answers what `toys` holds when the test lets it (`hold`), or fails (`failNext`). */
class FakeStore {
  toys: Toy[] = [
    { name: "Robot", priceCents: 1999, stock: 5 },
    { name: "Kite", priceCents: 500, stock: 2 },
  ];
  lists = 0;
  /** While set, list() waits for release(). */
  #held: (() => void)[] | undefined;
  #failures = 0;
  readonly feed = new FakeFeed();

  hold(): void {
    this.#held = [];
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const go of held) go();
  }

  failNext(times: number): void {
    this.#failures = times;
  }

  get store(): SharedStore {
    const unused = (): Promise<never> => Promise.reject(new Error("not in this test"));
    return {
      shared: true,
      query: unused,
      buy: unused,
      order: unused,
      restock: unused,
      close: async () => {},
      feed: this.feed,
      list: async () => {
        this.lists++;
        const snapshot = this.toys.map((toy) => ({ ...toy }));
        if (this.#held !== undefined) await new Promise<void>((go) => this.#held?.push(go));
        if (this.#failures > 0) {
          this.#failures--;
          throw new Error("the database is away");
        }
        return snapshot;
      },
    };
  }
}

const stockEvents = (events: EventStreamReader): string[] =>
  events.events.filter((e) => e.event === "stock").map((e) => e.data);

describe("the event stream over a store's feed", () => {
  let server: Server | undefined;
  let events: StockEvents | undefined;
  const readers: EventStreamReader[] = [];

  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    events?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** An HTTP server whose every request is an event stream, on `fake`. */
  async function serve(fake: FakeStore): Promise<{ url: string; events: StockEvents }> {
    events = new StockEvents(new StoreService(fake.store), { maxStreams: 10, maxBacklogBytes: 65_536 });
    const streams = events;
    server = createServer((req, res) => {
      if (!streams.attach(req, res)) res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, events: streams };
  }

  async function read(url: string): Promise<EventStreamReader> {
    const reader = await openEventStream(url);
    readers.push(reader);
    return reader;
  }

  it("starts each stream with a snapshot, then one stock event per announced change", async () => {
    const fake = new FakeStore();
    const { url } = await serve(fake);
    const reader = await read(url);
    await reader.waitFor("snapshot", (all) => all.length >= 1);
    assert.deepEqual(snapshotOf(reader.events[0]!), { Robot: 5, Kite: 2 });
    fake.feed.announce("Robot", 4);
    await reader.waitFor("the sale", (all) => all.length >= 2);
    assert.deepEqual(stockEvents(reader), ['{"name":"Robot","stock":4}']);
  });

  it("answers a stream only once the feed listens, with a snapshot read after that", async () => {
    const fake = new FakeStore();
    fake.feed.listening = false;
    const { url, events } = await serve(fake);
    let answered = false;
    const opening = read(url).then((reader) => {
      answered = true;
      return reader;
    });
    // The stream is taken (the feed watched) but not answered.
    while (events.streams === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(fake.feed.watchers, 1);
    fake.feed.announce("Robot", 4); // before the feed listens: the snapshot will carry it
    fake.toys[0] = { name: "Robot", priceCents: 1999, stock: 4 };
    assert.equal(answered, false);
    assert.equal(fake.lists, 0, "no snapshot read before the feed listens");
    fake.feed.resync();
    const reader = await opening;
    await reader.waitFor("snapshot", (all) => all.length >= 1);
    assert.deepEqual(snapshotOf(reader.events[0]!), { Robot: 4, Kite: 2 });
    assert.deepEqual(stockEvents(reader), []);
  });

  it("sends the changes that came while the snapshot was read after it, in order", async () => {
    const fake = new FakeStore();
    const { url } = await serve(fake);
    fake.hold();
    const reader = await read(url);
    while (fake.lists === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Committed after the list read its rows: the snapshot is older than these.
    fake.feed.announce("Robot", 4);
    fake.feed.announce("Robot", 3);
    fake.release();
    await reader.waitFor("the snapshot and both sales", (all) => all.length >= 3);
    assert.deepEqual(
      reader.events.map((e) => e.event),
      ["snapshot", "stock", "stock"],
    );
    assert.deepEqual(snapshotOf(reader.events[0]!), { Robot: 5, Kite: 2 });
    assert.deepEqual(stockEvents(reader), ['{"name":"Robot","stock":4}', '{"name":"Robot","stock":3}']);
  });

  it("on a resync sends every stream a fresh snapshot, without what it held from before the gap", async () => {
    const fake = new FakeStore();
    const { url } = await serve(fake);
    const first = await read(url);
    const second = await read(url);
    await first.waitFor("snapshot", (all) => all.length >= 1);
    await second.waitFor("snapshot", (all) => all.length >= 1);
    // A new reader whose snapshot is being read when the connection is lost.
    fake.hold();
    const lists = fake.lists;
    const third = await read(url);
    while (fake.lists === lists) await new Promise((resolve) => setTimeout(resolve, 5));
    fake.feed.announce("Kite", 1); // held for the third, before the gap
    fake.feed.listening = false;
    // Lost while listening: Robot sold to 2 unheard; then listening again.
    fake.toys[0] = { name: "Robot", priceCents: 1999, stock: 2 };
    fake.toys[1] = { name: "Kite", priceCents: 500, stock: 1 };
    fake.feed.resync();
    fake.release();
    for (const reader of [first, second, third]) {
      await reader.waitFor("a fresh snapshot", (all) => snapshotOf(all.at(-1)!).Robot === 2);
    }
    assert.deepEqual(
      first.events.map((e) => e.event),
      ["snapshot", "stock", "snapshot"],
    );
    assert.deepEqual(
      third.events.map((e) => e.event),
      ["snapshot"],
      "one snapshot, read after the resync, and nothing held from before it",
    );
    assert.deepEqual(snapshotOf(third.events[0]!), { Robot: 2, Kite: 1 });
    fake.feed.announce("Robot", 1);
    await third.waitFor("the sale after the resync", (all) => all.length >= 2);
    assert.deepEqual(stockEvents(third), ['{"name":"Robot","stock":1}']);
  });

  it("tries a snapshot the store cannot read again, holding the changes meanwhile", async () => {
    const fake = new FakeStore();
    const { url } = await serve(fake);
    fake.failNext(1);
    const reader = await read(url);
    while (fake.lists === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    fake.feed.announce("Kite", 1);
    await reader.waitFor("snapshot, then the change", (all) => all.length >= 2);
    assert.deepEqual(
      reader.events.map((e) => e.event),
      ["snapshot", "stock"],
    );
    assert.equal(fake.lists, 2);
  });

  it("watches the feed only while a stream is open", async () => {
    const fake = new FakeStore();
    const { url, events } = await serve(fake);
    assert.equal(fake.feed.watchers, 0);
    const reader = await read(url);
    assert.equal(fake.feed.watchers, 1);
    reader.close();
    while (events.streams > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(fake.feed.watchers, 0);
  });

  it("answers 503 to a stream still waiting for the feed when the server shuts down", async () => {
    const fake = new FakeStore();
    fake.feed.listening = false;
    const { url, events } = await serve(fake);
    const response = fetch(url);
    while (events.streams === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    events.close();
    assert.equal((await response).status, 503);
  });
});
