// A gRPC server reflection client, as grpcurl uses it, for the tests of what
// the server says about its services.

import { createRequire } from "node:module";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const require = createRequire(import.meta.url);
const REFLECTION_PROTO_DIR = path.join(path.dirname(require.resolve("@grpc/reflection")), "../proto");

export interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

export interface FileDescriptor {
  name: string;
  package: string;
  service: { name: string; method: { name: string; inputType: string; outputType: string }[] }[];
  messageType: { name: string; field: { name: string; number: number; type: string }[] }[];
}

const loaderOptions = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };

/** Sends one request on a reflection stream, as grpcurl does, and returns the first answer. */
export function reflect(
  target: string,
  version: "v1" | "v1alpha",
  request: object,
): Promise<ReflectionResponse> {
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

/** A FileDescriptorProto from a reflection answer, decoded. */
export function decodeFileDescriptor(bytes: Buffer): FileDescriptor {
  const definition = protoLoader.loadSync("google/protobuf/descriptor.proto", loaderOptions);
  const type = definition["google.protobuf.FileDescriptorProto"] as protoLoader.MessageTypeDefinition<
    object,
    object
  >;
  return type.deserialize(bytes) as unknown as FileDescriptor;
}
