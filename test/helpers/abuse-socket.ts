// Helpers for the socket abuse tests: a sampler that records the most a
// server held at any moment, a well-behaved client's check, and a seeded
// random byte source (so a failing case can be replayed).

import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { SocketServerHandle, SocketServerStats } from "../../src/transport/socket/socket-server.js";
import { RawConnection, startTestSocketServer, type TestSocketServer } from "./socket-server.js";

/**
 * A test server that is closed after the test even when the test fails
 * half-way (a server left open would keep the test process alive). A test
 * that passes closes it itself, through `close()`, which checks for leaks.
 */
export async function startAbuseServer(
  t: TestContext,
  options: Parameters<typeof startTestSocketServer>[0],
): Promise<TestSocketServer> {
  const server = await startTestSocketServer(options);
  t.after(() => server.server.close(100));
  return server;
}

/** The largest values a server's stats reached while sampled. */
export interface PeakStats {
  connections: number;
  inFlight: number;
  bufferedOutBytes: number;
  bufferedInBytes: number;
  perConnectionInFlight: number;
  perConnectionOutBytes: number;
  perConnectionInBytes: number;
  samples: number;
}

/**
 * Samples a server's stats every `everyMs` (in the test's process, between
 * the server's own events) and keeps the peaks. Stop it before asserting.
 */
export class StatsSampler {
  readonly peak: PeakStats = {
    connections: 0,
    inFlight: 0,
    bufferedOutBytes: 0,
    bufferedInBytes: 0,
    perConnectionInFlight: 0,
    perConnectionOutBytes: 0,
    perConnectionInBytes: 0,
    samples: 0,
  };
  readonly #server: SocketServerHandle;
  readonly #timer: NodeJS.Timeout;

  constructor(server: SocketServerHandle, everyMs = 1) {
    this.#server = server;
    this.#timer = setInterval(() => this.sample(), everyMs);
    // A test that fails before stop() must not be kept alive by the sampler.
    this.#timer.unref();
  }

  sample(): SocketServerStats {
    const s = this.#server.stats();
    const p = this.peak;
    p.connections = Math.max(p.connections, s.connections);
    p.inFlight = Math.max(p.inFlight, s.inFlight);
    p.bufferedOutBytes = Math.max(p.bufferedOutBytes, s.bufferedOutBytes);
    p.bufferedInBytes = Math.max(p.bufferedInBytes, s.bufferedInBytes);
    p.perConnectionInFlight = Math.max(p.perConnectionInFlight, s.maxPerConnection.inFlight);
    p.perConnectionOutBytes = Math.max(p.perConnectionOutBytes, s.maxPerConnection.bufferedOutBytes);
    p.perConnectionInBytes = Math.max(p.perConnectionInBytes, s.maxPerConnection.bufferedInBytes);
    p.samples++;
    return s;
  }

  stop(): PeakStats {
    clearInterval(this.#timer);
    this.sample();
    return this.peak;
  }
}

/**
 * A well-behaved client's round trip on a fresh connection: two queries that
 * nobody in the abuse tests buys from (default catalog), answered in order.
 */
export async function assertServed(port: number): Promise<void> {
  const c = await RawConnection.open(port);
  try {
    await c.write("Query: Fox\nQuery: Nope\n");
    assert.deepEqual(await c.lines(2), ["15.75 100", "-1"], "a well-behaved client is served");
  } finally {
    await c.close();
  }
}

/**
 * Resolves when the connection has closed, however it closed. (RawConnection's
 * `closed` rejects when the socket saw an error first, as a reset or a write
 * after the server's FIN does: routine in these tests.)
 */
export function whenClosed(c: RawConnection): Promise<void> {
  return c.closed.catch(() => {});
}

/** Closes the connection from the client's side, whatever state it is in. */
export function drop(c: RawConnection): Promise<void> {
  c.socket.destroy();
  return whenClosed(c);
}

/** Deterministic bytes from a seed (xorshift32): the same seed gives the same bytes. */
export function seededBytes(seed: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Resolves after `ms` (for pacing a client, never for asserting a duration). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
