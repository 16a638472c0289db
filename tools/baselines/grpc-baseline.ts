// The minimal @grpc/grpc-js server: toystore.v1.ToyStore with empty handlers
// answering constants, the runtime's ceiling for the gRPC transport.
//
// Run: node --import tsx tools/baselines/grpc-baseline.ts [--port 0] [--host 127.0.0.1]

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { formatHostPort } from "../../src/net/host-port.js";
import {
  PROTO_LOADER_OPTIONS,
  PROTO_PATH,
  TOYSTORE_SERVICE_NAME as SERVICE_NAME,
} from "../../src/transport/grpc/contract.js";
import { isMainModule, type ListenOptions, type RunningServer, runBaselineMain } from "./baseline-args.js";

/** Constant responses, the size and shape our server sends for a toy in stock (a Buy: one unit). */
const QUERY_RESPONSE = Object.freeze({ status: "QUERY_STATUS_IN_STOCK", stock: 100, priceCents: 1999 });
const BUY_RESPONSE = Object.freeze({
  status: "BUY_STATUS_BOUGHT",
  stockLeft: 99,
  orderId: "1",
  unitPriceCents: 1999,
  quantity: 1,
});

/** Grace period for calls in flight before close() cancels them. */
const CLOSE_GRACE_MS = 1000;

/** Starts the baseline; resolves once it is bound. */
export async function startGrpcBaseline(options: ListenOptions): Promise<RunningServer> {
  const definition = protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
  const service = definition[SERVICE_NAME] as grpc.ServiceDefinition;
  const server = new grpc.Server();
  server.addService(service, {
    Query: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback(null, QUERY_RESPONSE),
    Buy: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback(null, BUY_RESPONSE),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      formatHostPort(options.host, options.port),
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    );
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise((done) => {
      const force = setTimeout(() => server.forceShutdown(), CLOSE_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(force);
        done();
      });
    });
    return closing;
  };
  return { host: options.host, port, close };
}

if (isMainModule(import.meta.url)) {
  await runBaselineMain("grpc-baseline", startGrpcBaseline);
}
