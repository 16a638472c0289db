// The original design's ToyStore (proto/toystore_original.proto, /ToyStore/Query
// and /ToyStore/Buy) served beside toystore.v1.ToyStore on one port: a grpc-js
// client loaded from that proto alone gets the original answers, both services
// see one store, and health, reflection and metrics know the second service.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { BuyResponse__Output } from "../src/generated/original/BuyResponse.js";
import type { Item__Output } from "../src/generated/original/Item.js";
import type { ToyStoreClient } from "../src/generated/original/ToyStore.js";
import { StoreMetrics } from "../src/observability/store-metrics.js";
import { ORIGINAL_PROTO_FILE, PROTO_DIR } from "../src/transport/grpc/contract.js";
import { startTestGrpcServer, type TestGrpcServer } from "./helpers/grpc-server.js";
import { HealthClient } from "./helpers/health.js";
import { decodeFileDescriptor, reflect } from "./helpers/reflection.js";

/** The original client's view: the proto loaded as its own clients would (no toystore code in between). */
function originalClient(target: string): ToyStoreClient {
  const definition = protoLoader.loadSync(ORIGINAL_PROTO_FILE, { includeDirs: [PROTO_DIR], defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    ToyStore: new (target: string, credentials: grpc.ChannelCredentials) => ToyStoreClient;
  };
  return new loaded.ToyStore(target, grpc.credentials.createInsecure());
}

type Answer<T> = { ok: true; value: T } | { ok: false; error: grpc.ServiceError };

function call<T>(
  send: (request: { name: string }, options: grpc.CallOptions, callback: grpc.requestCallback<T>) => unknown,
  name: string,
): Promise<Answer<T>> {
  return new Promise((resolve) => {
    send({ name }, { deadline: Date.now() + 5000 }, (error, value) =>
      resolve(error ? { ok: false, error } : { ok: true, value: value! }),
    );
  });
}

async function answered<T>(answer: Promise<Answer<T>>): Promise<T> {
  const settled = await answer;
  if (!settled.ok) assert.fail(`the call failed: ${settled.error.message}`);
  return settled.value;
}

async function failed(answer: Promise<Answer<unknown>>): Promise<grpc.ServiceError> {
  const settled = await answer;
  if (settled.ok) assert.fail(`expected a failed call, got ${JSON.stringify(settled.value)}`);
  return settled.error;
}

describe("the original design's ToyStore beside toystore.v1", () => {
  const metrics = new StoreMetrics();
  let store: TestGrpcServer;
  let client: ToyStoreClient;
  const query = (name: string) => call<Item__Output>(client.Query.bind(client), name);
  const buy = (name: string) => call<BuyResponse__Output>(client.Buy.bind(client), name);

  before(async () => {
    store = await startTestGrpcServer({
      metrics,
      toys: [
        { name: "Tux", priceCents: 1999, stock: 2 },
        { name: "Whale", priceCents: 3450, stock: 10 },
        { name: "Lion", priceCents: 4200, stock: 0 },
      ],
    });
    client = originalClient(store.target);
  });
  after(async () => {
    client.close();
    await store.close();
  });

  test("Query answers an Item: display name, the nearest float to the price, stock", async () => {
    assert.deepEqual(await answered(query("tux")), { name: "Tux", price: Math.fround(19.99), stock: 2 });
    assert.deepEqual(await answered(query("Lion")), { name: "Lion", price: 42, stock: 0 });
  });

  test("Buy answers status 1 while in stock, and 0 after the last one is bought", async () => {
    assert.deepEqual(await answered(buy("Tux")), { status: 1 });
    assert.deepEqual(await answered(buy("Tux")), { status: 1 });
    assert.deepEqual(await answered(buy("Tux")), { status: 0 });
    assert.deepEqual(await answered(query("Tux")), { name: "Tux", price: Math.fround(19.99), stock: 0 });
    assert.deepEqual(await answered(buy("Lion")), { status: 0 });
  });

  test("an unknown toy is INVALID_ARGUMENT 'Item not found', on Query and on Buy", async () => {
    for (const error of [await failed(query("Unicorn")), await failed(buy("Unicorn"))]) {
      assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
      assert.equal(error.details, "Item not found");
      assert.deepEqual(error.metadata.get("toystore-outcome"), ["not_found"]);
    }
  });

  test("an empty, blank or over-long name is a clear INVALID_ARGUMENT and changes nothing", async () => {
    const before = await answered(query("Whale"));
    for (const [name, reason] of [
      ["", /empty name/],
      ["   ", /empty name/],
      ["x".repeat(257), /name too long/],
    ] as const) {
      for (const error of [await failed(query(name)), await failed(buy(name))]) {
        assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
        assert.match(error.details, reason);
        assert.deepEqual(error.metadata.get("toystore-error-code"), ["bad_request"]);
      }
    }
    assert.deepEqual(await answered(query("Whale")), before);
  });

  test("one store behind both: each service sees the other's buys", async () => {
    const v1 = store.client();
    const stock = (await v1.query("Whale")).kind === "in_stock" ? (await answered(query("Whale"))).stock : -1;
    assert.deepEqual(await answered(buy("Whale")), { status: 1 });
    assert.deepEqual(await v1.query("Whale"), { kind: "in_stock", priceCents: 3450, stock: stock - 1 });
    assert.equal((await v1.buy("Whale")).kind, "bought");
    assert.equal((await answered(query("Whale"))).stock, stock - 2);
  });

  test("metrics record its calls as the same operations, query and buy", async () => {
    const text = await metrics.text();
    const count = (op: string, outcome: string) => {
      const series = `toystore_requests_total{transport="grpc",op="${op}",outcome="${outcome}"} `;
      const line = text.split("\n").find((l) => l.startsWith(series));
      return line === undefined ? 0 : Number(line.slice(series.length));
    };
    assert.ok(count("query", "not_found") >= 1, "query not_found");
    assert.ok(count("buy", "not_found") >= 1, "buy not_found");
    assert.ok(count("buy", "sold_out") >= 2, "buy sold_out");
    assert.ok(count("query", "bad_request") >= 3, "query bad_request");
    assert.ok(count("buy", "bought") >= 3, "buy bought");
  });
});

describe("health and reflection know the original ToyStore", () => {
  let store: TestGrpcServer;
  before(async () => {
    store = await startTestGrpcServer();
  });
  after(() => store.close());

  test("health answers SERVING for ToyStore", async () => {
    const health = new HealthClient(store.target, grpc.credentials.createInsecure());
    try {
      const reply = await new Promise<{ status: string }>((resolve, reject) =>
        health.check({ service: "ToyStore" }, (error, value) => (error ? reject(error) : resolve(value!))),
      );
      assert.equal(reply.status, "SERVING");
    } finally {
      health.close();
    }
  });

  test("reflection lists both services and describes the original one, with no package", async () => {
    const listed = await reflect(store.target, "v1", { listServices: "*" });
    const names = listed.listServicesResponse?.service.map((s) => s.name) ?? [];
    assert.ok(names.includes("toystore.v1.ToyStore"), `services: ${names.join(", ")}`);
    // @grpc/reflection 1.0 names the symbols of a file with no package with a
    // leading period (".ToyStore"); accept the plain name too, for when it does not.
    const original = names.find((name) => name === "ToyStore" || name === ".ToyStore");
    assert.ok(original, `services: ${names.join(", ")}`);

    const described = await reflect(store.target, "v1", { fileContainingSymbol: original });
    const bytes = described.fileDescriptorResponse?.fileDescriptorProto[0];
    assert.ok(bytes, `no descriptor in ${JSON.stringify(described)}`);
    const file = decodeFileDescriptor(bytes);
    assert.equal(file.package, "");
    const service = file.service.find((s) => s.name === "ToyStore");
    assert.deepEqual(service?.method.map((m) => [m.name, m.inputType, m.outputType]).sort(), [
      ["Buy", ".ItemName", ".BuyResponse"],
      ["Query", ".ItemName", ".Item"],
    ]);
    const item = file.messageType.find((m) => m.name === "Item");
    assert.deepEqual(
      item?.field.map((f) => [f.name, f.number, f.type]),
      [
        ["name", 1, "TYPE_STRING"],
        ["price", 2, "TYPE_FLOAT"],
        ["stock", 3, "TYPE_INT32"],
      ],
    );
  });
});

// Reflection, as grpcurl uses it (v1), decoded with the descriptor proto.
