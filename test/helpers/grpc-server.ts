// Test helpers for the gRPC transport: a real server on 127.0.0.1, port 0, over
// a fresh catalog, plus clients that are closed with it.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_CATALOG } from "../../src/catalog/default-catalog.js";
import { InMemoryCatalog } from "../../src/catalog/memory-store.js";
import type { Toy } from "../../src/catalog/toy.js";
import { type GrpcClientOptions, GrpcStoreClient } from "../../src/client/grpc-client.js";
import type { LockKind } from "../../src/concurrency/section-lock.js";
import { isStoreError, type StoreError } from "../../src/errors.js";
import { StoreService } from "../../src/service/store-service.js";
import {
  type GrpcServerHandle,
  type GrpcServerStartOptions,
  startGrpcServer,
} from "../../src/transport/grpc/grpc-server.js";

/** The server's limits and `metrics` (passed through), the catalog and the service's lock and work. */
export interface TestGrpcServerOptions extends Omit<GrpcServerStartOptions, "service" | "host" | "port"> {
  readonly toys?: readonly Toy[];
  readonly workMs?: number;
  readonly lock?: LockKind;
}

export interface TestGrpcServer {
  readonly server: GrpcServerHandle;
  readonly service: StoreService;
  readonly port: number;
  /** "127.0.0.1:PORT", for raw grpc-js clients. */
  readonly target: string;
  /** A GrpcStoreClient on this server, closed by close(). */
  client(options?: Omit<GrpcClientOptions, "host" | "port">): GrpcStoreClient;
  /** Closes the clients, then the server (gracefully, forced after 2 s). */
  close(): Promise<void>;
}

export async function startTestGrpcServer(options: TestGrpcServerOptions = {}): Promise<TestGrpcServer> {
  const { toys = DEFAULT_CATALOG, workMs = 0, lock = "rwlock", ...serverOptions } = options;
  const service = new StoreService(new InMemoryCatalog(toys), { workMs, lock });
  const server = await startGrpcServer({
    shutdownGraceMs: 2000,
    ...serverOptions,
    service,
    host: "127.0.0.1",
    port: 0,
  });
  const clients: GrpcStoreClient[] = [];
  return {
    server,
    service,
    port: server.address.port,
    target: `127.0.0.1:${server.address.port}`,
    client(clientOptions = {}) {
      const client = new GrpcStoreClient({ ...clientOptions, host: "127.0.0.1", port: server.address.port });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
    },
  };
}

/** Polls `condition` every few milliseconds; throws naming `what` if it is still false after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const giveUpAt = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Resolves with the StoreError the promise rejects with; fails if it resolves or rejects otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isStoreError(error), `expected a StoreError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the call to reject");
}
