// The gRPC contracts at run time: where proto/toystore.proto and the original
// design's proto/toystore_original.proto live, the one set of proto-loader
// options (shared by the server, the client and the type generator), and the
// loaded service definitions.

import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { ToyStoreDefinition as OriginalToyStoreDefinition } from "../../generated/original/ToyStore.js";
import type { ProtoGrpcType as OriginalProtoGrpcType } from "../../generated/original/toystore_original.js";
import type { ToyStoreDefinition } from "../../generated/toystore/v1/ToyStore.js";
import type { ProtoGrpcType } from "../../generated/toystore.js";

/**
 * The folder holding the .proto files. This module sits three levels below the
 * repository root both as source (src/transport/grpc/) and compiled
 * (dist/transport/grpc/), and the proto stays at the root, so one relative URL
 * works for tsx and for node on dist/.
 */
export const PROTO_DIR = fileURLToPath(new URL("../../../proto/", import.meta.url));

/** The contract's file name, relative to PROTO_DIR. */
export const PROTO_FILE = "toystore.proto";

/** The contract's absolute path, for tools that load it by path. */
export const PROTO_PATH = fileURLToPath(new URL(PROTO_FILE, new URL("../../../proto/", import.meta.url)));

/** The fully qualified service name, as health checks and reflection name it. */
export const TOYSTORE_SERVICE_NAME = "toystore.v1.ToyStore";

/** The original design's contract (no package: its methods are /ToyStore/Query and /ToyStore/Buy), relative to PROTO_DIR. */
export const ORIGINAL_PROTO_FILE = "toystore_original.proto";

/** The original design's service name, as health checks and reflection name it. */
export const ORIGINAL_SERVICE_NAME = "ToyStore";

/**
 * How messages are decoded. The generated types in src/generated/ describe
 * objects decoded with exactly these options; scripts/gen-proto.ts passes the
 * same object to proto-loader-gen-types, and a test fails if the committed
 * types drift from the proto.
 *
 * - `longs: Number`: int64 fields decode as plain numbers. Counts and cents
 *   are safe integers in the catalog, so nothing is lost, and no Long object
 *   or string parsing costs anything on the hot path.
 * - `enums: String`: statuses read as their names ("QUERY_STATUS_IN_STOCK").
 * - `defaults: true`: absent fields decode as their zero value, so decoded
 *   messages have every field (the generated `__Output` types say so).
 */
export const PROTO_LOADER_OPTIONS = Object.freeze({
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} satisfies protoLoader.Options);

/** The loaded contract: the raw package definition (for reflection) and the typed tree. */
export interface ToyStoreContract {
  readonly packageDefinition: protoLoader.PackageDefinition;
  readonly service: ToyStoreDefinition;
  readonly proto: ProtoGrpcType;
}

/** The original design's contract, loaded: the raw package definition (for reflection) and the typed tree. */
export interface OriginalContract {
  readonly packageDefinition: protoLoader.PackageDefinition;
  readonly service: OriginalToyStoreDefinition;
  readonly proto: OriginalProtoGrpcType;
}

let cached: ToyStoreContract | undefined;
let cachedOriginal: OriginalContract | undefined;

/** Parses one proto of PROTO_DIR with the shared options. */
function loadProto(file: string): protoLoader.PackageDefinition {
  return protoLoader.loadSync(file, { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_DIR] });
}

/**
 * Loads proto/toystore.proto once per process (parsing is a few milliseconds;
 * every server and client after the first reuses the result).
 */
export function loadToyStoreContract(): ToyStoreContract {
  if (cached === undefined) {
    const packageDefinition = loadProto(PROTO_FILE);
    // The casts here and in loadOriginalContract are the only places where the
    // generated types meet the runtime value; the drift test keeps them
    // describing the same protos.
    const proto = grpc.loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;
    cached = { packageDefinition, service: proto.toystore.v1.ToyStore.service, proto };
  }
  return cached;
}

/** Loads proto/toystore_original.proto once per process, as loadToyStoreContract does its own. */
export function loadOriginalContract(): OriginalContract {
  if (cachedOriginal === undefined) {
    const packageDefinition = loadProto(ORIGINAL_PROTO_FILE);
    const proto = grpc.loadPackageDefinition(packageDefinition) as unknown as OriginalProtoGrpcType;
    cachedOriginal = { packageDefinition, service: proto.ToyStore.service, proto };
  }
  return cachedOriginal;
}
