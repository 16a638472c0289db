// The baseline servers in tools/baselines/: byte-level replies of the line baseline and
// a round trip through the gRPC one, on ephemeral ports.

import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { PROTO_LOADER_OPTIONS, PROTO_PATH } from "../src/transport/grpc/contract.js";
import type { RunningServer } from "../tools/baselines/baseline-args.js";
import { startGrpcBaseline } from "../tools/baselines/grpc-baseline.js";
import { baselineForSuite } from "./helpers/baseline-suite.js";

/** Writes the chunks one by one and collects `count` reply lines. */
function exchange(port: number, chunks: string[], count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let received = "";
    socket.setEncoding("utf8");
    socket.on("error", reject);
    socket.on("data", (data: string) => {
      received += data;
      const lines = received.split("\n");
      if (lines.length > count) {
        socket.destroy();
        resolve(lines.slice(0, count));
      }
    });
    socket.once("connect", async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        await new Promise((done) => setTimeout(done, 10));
      }
    });
  });
}

describe("line baseline", () => {
  const baseline = baselineForSuite("line");

  it("answers Query, Buy and anything else with fixed lines, in order", async () => {
    assert.deepEqual(await exchange(baseline().port, ["Query: Tux\nBuy: Tux\nSell: Tux\n"], 3), [
      "19.99 100",
      "1",
      "ERR bad request",
    ]);
  });

  it("reassembles a request split across chunks", async () => {
    assert.deepEqual(await exchange(baseline().port, ["Que", "ry: Tux\nBu", "y: Tux\n"], 2), [
      "19.99 100",
      "1",
    ]);
  });
});

type Unary = (
  request: { name: string },
  callback: (error: grpc.ServiceError | null, reply: unknown) => void,
) => void;

describe("gRPC baseline", () => {
  let server: RunningServer;
  let client: grpc.Client;
  before(async () => {
    server = await startGrpcBaseline({ host: "127.0.0.1", port: 0 });
    const proto = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS));
    const ToyStore = (proto.toystore as grpc.GrpcObject).v1 as grpc.GrpcObject;
    const Service = ToyStore.ToyStore as grpc.ServiceClientConstructor;
    client = new Service(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it("answers Query and Buy with constant in-stock responses", async () => {
    const call = (method: string) =>
      new Promise<unknown>((resolve, reject) => {
        const unary = (client as unknown as Record<string, Unary>)[method]!;
        unary.call(client, { name: "Tux" }, (error, reply) => (error ? reject(error) : resolve(reply)));
      });
    assert.deepEqual(await call("Query"), { status: "QUERY_STATUS_IN_STOCK", stock: 100, priceCents: 1999 });
    assert.deepEqual(await call("Buy"), {
      status: "BUY_STATUS_BOUGHT",
      stockLeft: 99,
      orderId: "1",
      unitPriceCents: 1999,
      quantity: 1,
    });
  });
});
