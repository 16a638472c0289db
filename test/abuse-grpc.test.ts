// The gRPC transport under hostile and broken clients, beyond what
// grpc-server.test.ts covers (size limit, empty and long names, a full queue,
// deadlines and cancellations while queued): requests that are not protobuf
// or not UTF-8, calls abandoned while running, many streams on one connection,
// streams that never send their request, a flood past the queue, garbage on
// the port, and idle connections. Nothing here asserts a duration.

import assert from "node:assert/strict";
import http2 from "node:http2";
import { connect } from "node:net";
import { describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { isStoreError } from "../src/errors.js";
import { loadToyStoreContract } from "../src/transport/grpc/contract.js";
import { seededBytes } from "./helpers/abuse-socket.js";
import { startTestGrpcServer, type TestGrpcServer, waitFor } from "./helpers/grpc-server.js";

/** The most calls the server held at once (running + queued), sampled every millisecond. */
function sampleHeld(store: TestGrpcServer): {
  readonly peak: { held: number; queued: number };
  stop(): void;
} {
  const peak = { held: 0, queued: 0 };
  const take = () => {
    const { busy, queued } = store.server.stats().pool;
    peak.held = Math.max(peak.held, busy + queued);
    peak.queued = Math.max(peak.queued, queued);
  };
  const timer = setInterval(take, 1);
  timer.unref();
  return {
    peak,
    stop() {
      clearInterval(timer);
      take();
    },
  };
}

/** Sends raw bytes as a Query or Buy request and resolves with the status code and the reply bytes. */
function rawCall(
  client: grpc.Client,
  method: string,
  bytes: Buffer,
): Promise<{ code: grpc.status; details: string; reply?: Buffer }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/toystore.v1.ToyStore/${method}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      (error, reply) =>
        resolve(
          error ? { code: error.code, details: error.details } : { code: grpc.status.OK, details: "", reply },
        ),
    );
  });
}

/** A QueryRequest/BuyRequest with field 1 (name) holding these bytes, encoded by hand. */
function nameField(name: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x0a, name.length]), name]);
}

describe("gRPC requests that are not what they claim", () => {
  test("bytes that are not protobuf get an error status; names not UTF-8, with NUL or line breaks are just unknown", async () => {
    const store = await startTestGrpcServer();
    const client = new grpc.Client(store.target, grpc.credentials.createInsecure());
    const { BuyResponse } = loadToyStoreContract().proto.toystore.v1;
    try {
      const garbage = await rawCall(client, "Buy", Buffer.from([0xff, 0xff, 0xff]));
      assert.equal(garbage.code, grpc.status.INTERNAL, garbage.details); // grpc-js: "Error deserializing request"

      const names = [
        Buffer.from([0x54, 0xff, 0x78]), // "T", an invalid byte, "x"
        Buffer.from([0x54, 0x75, 0x78, 0xc3]), // "Tux" and half a character
        Buffer.from("T\0ux"),
        Buffer.from("Tux\nBuy: Tux"), // a socket request smuggled in a name goes nowhere
      ];
      for (const name of names) {
        const answer = await rawCall(client, "Buy", nameField(name));
        assert.equal(answer.code, grpc.status.OK, `${name.toString("hex")}: ${answer.details}`);
        assert.equal(BuyResponse.deserialize(answer.reply!).status, "BUY_STATUS_NOT_FOUND");
      }
      assert.deepEqual(await store.client().query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 100 });
    } finally {
      client.close();
      await store.close();
    }
  });
});

describe("gRPC calls abandoned while running", () => {
  // A call that is running has taken its lock and done (part of) its work:
  // the server finishes it, and a buy is applied, though the client saw an error.
  test("a buy cancelled while running frees its handler, and is applied", async () => {
    const store = await startTestGrpcServer({ maxConcurrency: 1, workMs: 200 });
    const { ToyStore } = loadToyStoreContract().proto.toystore.v1;
    const raw = new ToyStore(store.target, grpc.credentials.createInsecure());
    try {
      let code: grpc.status | undefined;
      const call = raw.Buy({ name: "Fox" }, (error) => {
        code = error ? error.code : grpc.status.OK;
      });
      await waitFor(() => store.server.stats().pool.busy === 1, "the buy to run");
      call.cancel();
      await waitFor(() => code !== undefined, "the client to see the cancellation");
      assert.equal(code, grpc.status.CANCELLED);
      await waitFor(() => store.server.stats().pool.busy === 0, "the handler to be freed");
      assert.deepEqual(await store.client().query("Fox"), { kind: "in_stock", priceCents: 1575, stock: 99 });
    } finally {
      raw.close();
      await store.close();
    }
  });

  test("a buy whose deadline passes while it runs answers DEADLINE_EXCEEDED, frees its handler, and is applied", async () => {
    const store = await startTestGrpcServer({ maxConcurrency: 1, workMs: 400 });
    try {
      const client = store.client();
      const pending = client.buy("Fox", { timeoutMs: 100 });
      await waitFor(() => store.server.stats().pool.busy === 1, "the buy to run");
      await assert.rejects(pending, (error) => isStoreError(error) && error.code === "deadline_exceeded");
      await waitFor(() => store.server.stats().pool.busy === 0, "the handler to be freed");
      assert.equal(store.server.stats().expiredInQueue, 0, "it expired while running, not while queued");
      assert.deepEqual(await client.query("Fox"), { kind: "in_stock", priceCents: 1575, stock: 99 });
    } finally {
      await store.close();
    }
  });
});

describe("gRPC under many calls", () => {
  test("one connection gets at most maxConcurrentStreams calls at once; its other calls wait and are all answered", async () => {
    const store = await startTestGrpcServer({ maxConcurrentStreams: 8, maxConcurrency: 2, workMs: 2 });
    const sampler = sampleHeld(store);
    try {
      const client = store.client();
      const results = await Promise.all(Array.from({ length: 300 }, () => client.query("Whale")));
      sampler.stop();
      assert.ok(results.every((r) => r.kind === "in_stock"));
      assert.ok(sampler.peak.held <= 8, `the server held ${sampler.peak.held} calls at once`);
      assert.equal(store.server.stats().pool.rejected, 0);
    } finally {
      sampler.stop();
      await store.close();
    }
  });

  test("a flood from many connections past the queue gets RESOURCE_EXHAUSTED, and the queue never exceeds maxQueued", async () => {
    const store = await startTestGrpcServer({ maxConcurrency: 1, maxQueued: 10, workMs: 2 });
    const sampler = sampleHeld(store);
    try {
      const clients = Array.from({ length: 5 }, () => store.client({ ownConnection: true }));
      await Promise.all(clients.map((c) => c.waitForReady()));
      const outcomes = await Promise.all(
        clients.flatMap((c) =>
          Array.from({ length: 100 }, () =>
            c.query("Whale").then(
              () => "ok",
              (error: unknown) => (isStoreError(error) ? error.code : String(error)),
            ),
          ),
        ),
      );
      sampler.stop();
      const busy = outcomes.filter((o) => o === "busy").length;
      assert.equal(outcomes.filter((o) => o === "ok").length + busy, 500, "only answers and busy refusals");
      assert.ok(busy > 0, "the flood went past the queue");
      assert.equal(store.server.stats().pool.rejected, busy);
      assert.ok(sampler.peak.queued <= 10, `the queue peaked at ${sampler.peak.queued}`);
      assert.equal((await clients[0]!.query("Whale")).kind, "in_stock", "served once the flood is over");
    } finally {
      sampler.stop();
      await store.close();
    }
  });

  test("streams that never send their request are capped per connection, hold no handler, and do not stop shutdown", async () => {
    const store = await startTestGrpcServer({ maxConcurrentStreams: 4, shutdownGraceMs: 200 });
    // Node's client assumes 100 streams until the server says otherwise: a hostile client assumes more.
    const session = http2.connect(`http://127.0.0.1:${store.port}`, { peerMaxConcurrentStreams: 10_000 });
    session.on("error", () => {});
    try {
      // The streams are opened at once, before the server's settings arrive: a
      // hostile client ignores them anyway, so the server itself must refuse.
      const refused: number[] = [];
      const closed: Promise<void>[] = [];
      for (let i = 0; i < 7; i++) {
        const stream = session.request(
          {
            ":method": "POST",
            ":path": "/toystore.v1.ToyStore/Buy",
            "content-type": "application/grpc",
            te: "trailers",
          },
          { endStream: false },
        );
        stream.on("error", () => {});
        closed.push(
          new Promise((resolve) =>
            stream.on("close", () => {
              if (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) refused.push(i);
              resolve();
            }),
          ),
        );
      }
      await waitFor(() => refused.length === 3, "the streams beyond the cap to be refused");
      assert.deepEqual(refused, [4, 5, 6]);
      const { busy, queued } = store.server.stats().pool;
      assert.equal(busy + queued, 0, "a stream without its request holds no handler");
      assert.equal((await store.client().query("Tux")).kind, "in_stock", "others are served");
      // Shutdown waits for open calls; these never end by themselves, so the grace period ends them.
      await store.server.close();
      await Promise.all(closed);
    } finally {
      session.destroy();
      await store.close();
    }
  });
});

describe("gRPC port under garbage and idleness", () => {
  test("a connection that does not speak HTTP/2 is closed, and others are served", async () => {
    const store = await startTestGrpcServer();
    try {
      for (const bytes of [Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), seededBytes(7, 4096)]) {
        const socket = connect({ host: "127.0.0.1", port: store.port });
        socket.on("error", () => {});
        socket.resume();
        const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
        socket.write(bytes);
        await closed;
      }
      assert.equal((await store.client().query("Tux")).kind, "in_stock");
    } finally {
      await store.close();
    }
  });

  test("a connection with no call open for idleConnectionTimeoutMs is closed", async () => {
    const store = await startTestGrpcServer({ idleConnectionTimeoutMs: 100 });
    const session = http2.connect(`http://127.0.0.1:${store.port}`);
    session.on("error", () => {});
    try {
      await new Promise<void>((resolve) => session.once("close", () => resolve()));
      // A real client reconnects when it needs to.
      assert.equal((await store.client().query("Tux")).kind, "in_stock");
    } finally {
      session.destroy();
      await store.close();
    }
  });
});
