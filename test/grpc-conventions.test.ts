// The gRPC conventions users expect: server reflection (as grpcurl uses it)
// and the standard health service.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { startTestGrpcServer, type TestGrpcServer, waitFor } from "./helpers/grpc-server.js";
import { HealthClient } from "./helpers/health.js";

const require = createRequire(import.meta.url);
const REFLECTION_PROTO_DIR = path.join(path.dirname(require.resolve("@grpc/reflection")), "../proto");

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

interface FileDescriptor {
  name: string;
  package: string;
  service: { name: string; method: { name: string; inputType: string; outputType: string }[] }[];
  messageType: { name: string; field: { name: string; number: number; type: string }[] }[];
}

const loaderOptions = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };

/** Sends one request on a reflection stream, as grpcurl does, and returns the first answer. */
function reflect(target: string, version: "v1" | "v1alpha", request: object): Promise<ReflectionResponse> {
  const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, {
    ...loaderOptions,
    includeDirs: [REFLECTION_PROTO_DIR],
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: typeof grpc.Client }> };
  };
  const Reflection = loaded.grpc.reflection[version]!.ServerReflection;
  const client = new Reflection(target, grpc.credentials.createInsecure()) as grpc.Client & {
    serverReflectionInfo(): grpc.ClientDuplexStream<object, ReflectionResponse>;
  };
  return new Promise((resolve, reject) => {
    const stream = client.serverReflectionInfo();
    stream.once("data", (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
    });
    stream.once("error", reject);
    stream.once("close", () => client.close());
    stream.write(request);
  });
}

function decodeFileDescriptor(bytes: Buffer): FileDescriptor {
  const definition = protoLoader.loadSync("google/protobuf/descriptor.proto", loaderOptions);
  const type = definition["google.protobuf.FileDescriptorProto"] as protoLoader.MessageTypeDefinition<
    object,
    object
  >;
  return type.deserialize(bytes) as unknown as FileDescriptor;
}

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
