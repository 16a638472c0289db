// For the conformance suite: per transport, how to start a server on an
// ephemeral port and connect real clients to it.

import type { Toy } from "../../src/catalog/toy.js";
import { connect } from "../../src/client/connect.js";
import type { StoreClient, Transport } from "../../src/client/store-client.js";
import { startTestGrpcServer } from "./grpc-server.js";
import { startTestSocketServer } from "./socket-server.js";

export interface ClientFixture {
  readonly transport: Transport;
  start(options: { toys: readonly Toy[] }): Promise<{
    connect(): Promise<StoreClient>;
    close(): Promise<void>;
  }>;
}

export const clientFixtures: readonly ClientFixture[] = [
  {
    transport: "socket",
    async start({ toys }) {
      const server = await startTestSocketServer({ toys });
      return {
        connect: () => connect({ transport: "socket", port: server.port }),
        close: () => server.close(),
      };
    },
  },
  {
    transport: "grpc",
    async start({ toys }) {
      const server = await startTestGrpcServer({ toys });
      return {
        connect: () => connect({ transport: "grpc", port: server.port }),
        close: () => server.close(),
      };
    },
  },
];
