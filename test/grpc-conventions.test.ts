// The gRPC conventions users expect: server reflection (as grpcurl uses it)
// and the standard health service.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { startTestGrpcServer, type TestGrpcServer, waitFor } from "./helpers/grpc-server.js";
import { HealthClient } from "./helpers/health.js";
import { decodeFileDescriptor, reflect } from "./helpers/reflection.js";

describe("gRPC server reflection", () => {
  let store: TestGrpcServer;
  before(async () => {
    store = await startTestGrpcServer();
  });
  after(() => store.close());

  for (const version of ["v1", "v1alpha"] as const) {
    test(`${version}: list_services names toystore.v1.ToyStore and grpc.health.v1.Health`, async () => {
      const response = await reflect(store.target, version, { listServices: "*" });
      const names = response.listServicesResponse?.service.map((s) => s.name) ?? [];
      assert.ok(names.includes("toystore.v1.ToyStore"), `services: ${names.join(", ")}`);
      assert.ok(names.includes("grpc.health.v1.Health"), `services: ${names.join(", ")}`);
    });
  }

  test("file_containing_symbol describes the contract: methods, and name in field 1", async () => {
    const response = await reflect(store.target, "v1", { fileContainingSymbol: "toystore.v1.ToyStore" });
    const bytes = response.fileDescriptorResponse?.fileDescriptorProto[0];
    assert.ok(bytes, `no descriptor in ${JSON.stringify(response)}`);
    const file = decodeFileDescriptor(bytes);
    // proto-loader names the file after the package it holds.
    assert.match(file.name, /toystore/);
    assert.equal(file.package, "toystore.v1");
    const methods = file.service.find((s) => s.name === "ToyStore")?.method.map((m) => m.name);
    assert.deepEqual(methods?.sort(), ["Buy", "GetOrder", "ListToys", "Query"]);
    for (const message of ["QueryRequest", "BuyRequest"]) {
      const field = file.messageType.find((m) => m.name === message)?.field[0];
      assert.deepEqual([field?.name, field?.number, field?.type], ["name", 1, "TYPE_STRING"]);
    }
  });
});

describe("gRPC health service", () => {
  test("answers SERVING while up, and NOT_SERVING once shutdown starts", async () => {
    const store = await startTestGrpcServer({ shutdownGraceMs: 100 });
    const health = new HealthClient(store.target, grpc.credentials.createInsecure());
    try {
      for (const service of ["", "toystore.v1.ToyStore"]) {
        const reply = await new Promise<{ status: string }>((resolve, reject) =>
          health.check({ service }, (error, value) => (error ? reject(error) : resolve(value!))),
        );
        assert.equal(reply.status, "SERVING", `service "${service}"`);
      }

      // A Watch stream sees the change; it is the one call that stays open over
      // a shutdown, so the server cancels it when the grace period ends.
      const seen: string[] = [];
      const watch = health.watch({ service: "toystore.v1.ToyStore" });
      watch.on("data", (reply: { status: string }) => seen.push(reply.status));
      const ended = new Promise<void>((resolve) => watch.on("error", () => resolve()).on("end", resolve));
      await waitFor(() => seen.length === 1, "the first health status");
      await store.server.close();
      await ended;
      assert.deepEqual(seen, ["SERVING", "NOT_SERVING"]);
    } finally {
      health.close();
      await store.close();
    }
  });
});
