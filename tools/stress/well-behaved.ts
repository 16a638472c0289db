// Well-behaved sessions: a client connects, sends a mix of queries and buys
// one at a time, checks every answer, and reconnects after a while. They
// count what was acknowledged (for the books) and every error they saw
// (there must be none).

import { GrpcStoreClient } from "../../src/client/grpc-client.js";
import { SocketStoreClient } from "../../src/client/socket-client.js";
import type { StoreClient } from "../../src/client/store-client.js";
import { isStoreError } from "../../src/errors.js";
import type { Rng } from "../../src/measure/random.js";

/** A toy the well-behaved clients trade in (large stock: it never sells out). */
export interface StressToy {
  readonly name: string;
  readonly priceCents: number;
  readonly stock: number;
}

export interface ValidTally {
  readonly sessions: { socket: number; grpc: number };
  readonly requests: { socket: number; grpc: number };
  /** Round-trip times in ms of the answered requests, per transport. */
  readonly latencies: { socket: number[]; grpc: number[] };
  /** Buys acknowledged as bought, per toy. */
  readonly acked: Map<string, number>;
  /** Buys that failed with an error: the client cannot know whether they ran. */
  unknownBuys: number;
  /** Errors by "transport: code". */
  readonly errors: Map<string, number>;
  /** Answers that were not the right ones (wrong price, stock going up, wrong kind). */
  readonly wrong: string[];
  /** A few error messages, for the report. */
  readonly errorSamples: string[];
}

export function newValidTally(): ValidTally {
  return {
    sessions: { socket: 0, grpc: 0 },
    requests: { socket: 0, grpc: 0 },
    latencies: { socket: [], grpc: [] },
    acked: new Map(),
    unknownBuys: 0,
    errors: new Map(),
    wrong: [],
    errorSamples: [],
  };
}

export interface ValidContext {
  readonly transport: "socket" | "grpc";
  readonly port: number;
  readonly toys: readonly StressToy[];
  /** Sold out from the start. */
  readonly soldOut: string;
  readonly requestsPerSession: number;
  readonly tally: ValidTally;
  readonly stopped: () => boolean;
}

const CALL_TIMEOUT_MS = 15_000;

async function openClient(ctx: ValidContext): Promise<StoreClient> {
  if (ctx.transport === "socket") {
    return SocketStoreClient.connect({ port: ctx.port, defaultTimeoutMs: CALL_TIMEOUT_MS });
  }
  const client = new GrpcStoreClient({
    port: ctx.port,
    ownConnection: true,
    defaultTimeoutMs: CALL_TIMEOUT_MS,
  });
  await client.waitForReady(5000);
  return client;
}

function recordError(ctx: ValidContext, what: string, error: unknown): void {
  const code = isStoreError(error) ? error.code : "thrown";
  const key = `${ctx.transport}: ${code}`;
  ctx.tally.errors.set(key, (ctx.tally.errors.get(key) ?? 0) + 1);
  if (ctx.tally.errorSamples.length < 10) {
    ctx.tally.errorSamples.push(
      `${key} on ${what}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function wrong(ctx: ValidContext, text: string): void {
  if (ctx.tally.wrong.length < 1000) ctx.tally.wrong.push(`${ctx.transport}: ${text}`);
}

/** One session: connect, run requests until its count or the stop, close. Errors end the session. */
async function runSession(ctx: ValidContext, rng: Rng): Promise<void> {
  let client: StoreClient;
  try {
    client = await openClient(ctx);
  } catch (error) {
    recordError(ctx, "connect", error);
    return;
  }
  ctx.tally.sessions[ctx.transport]++;
  // Within a session requests are sequential, so the stock it sees never goes up.
  const lastSeen = new Map<string, number>();
  const latencies = ctx.tally.latencies[ctx.transport];
  try {
    for (let i = 0; i < ctx.requestsPerSession && !ctx.stopped(); i++) {
      const roll = rng.next();
      const toy = rng.pick(ctx.toys);
      ctx.tally.requests[ctx.transport]++;
      const sentAt = performance.now();
      if (roll < 0.3) {
        let result: Awaited<ReturnType<StoreClient["buy"]>>;
        try {
          result = await client.buy(toy.name);
        } catch (error) {
          ctx.tally.unknownBuys++;
          recordError(ctx, `buy ${toy.name}`, error);
          return;
        }
        latencies.push(performance.now() - sentAt);
        if (result.kind !== "bought") {
          wrong(ctx, `buy ${toy.name}: ${result.kind}`);
          continue;
        }
        ctx.tally.acked.set(toy.name, (ctx.tally.acked.get(toy.name) ?? 0) + 1);
        if (result.stockLeft !== undefined) {
          if (result.stockLeft >= (lastSeen.get(toy.name) ?? toy.stock)) {
            wrong(ctx, `buy ${toy.name}: ${result.stockLeft} left, not below ${lastSeen.get(toy.name)}`);
          }
          lastSeen.set(toy.name, result.stockLeft);
        }
        continue;
      }
      const name = roll < 0.9 ? toy.name : roll < 0.95 ? ctx.soldOut : "Nope";
      let result: Awaited<ReturnType<StoreClient["query"]>>;
      try {
        result = await client.query(name);
      } catch (error) {
        recordError(ctx, `query ${name}`, error);
        return;
      }
      latencies.push(performance.now() - sentAt);
      if (name === ctx.soldOut) {
        if (result.kind !== "sold_out") wrong(ctx, `query ${name}: ${result.kind}`);
      } else if (name === "Nope") {
        if (result.kind !== "not_found") wrong(ctx, `query ${name}: ${result.kind}`);
      } else if (result.kind !== "in_stock" || result.priceCents !== toy.priceCents) {
        wrong(ctx, `query ${name}: ${JSON.stringify(result)}`);
      } else {
        if (result.stock > (lastSeen.get(name) ?? toy.stock)) {
          wrong(ctx, `query ${name}: stock ${result.stock} went up from ${lastSeen.get(name)}`);
        }
        lastSeen.set(name, result.stock);
      }
    }
  } finally {
    await client.close();
  }
}

/** Runs `count` sessions at once, each replaced by a new one when it ends, until `stopped()`. */
export async function runValidSessions(ctx: ValidContext, count: number, rng: Rng): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async () => {
      const own = rng.fork();
      while (!ctx.stopped()) await runSession(ctx, own);
    }),
  );
}
