// A group of clients run by one process: connect them all (before the
// barrier), run them all at once (after it), and hand back their measurements
// as plain data. Used by each load process, and by the parent in-process.

import type { StoreClient } from "../../client/store-client.js";
import type { PreparedRun } from "../measure/fleet-process.js";
import { encodeHistogram } from "../measure/latency-histogram.js";
import type { Counts, StopReason } from "../measure/results.js";
import { type ClientTally, runClient } from "./client-loop.js";
import type { ConnectFn } from "./connect-loader.js";
import type { LoadOptions, Op } from "./load-options.js";
import { checkOrders } from "./order-check.js";
import type { OrderCheck } from "./results.js";
import { type OpTally, runSession, type SessionTally } from "./session-loop.js";

/** What one load process runs: a group of clients. */
export interface LoadPlan {
  /** 0-based number of this process among the run's processes. */
  readonly process: number;
  /** 0-based numbers of the clients this process runs, each on its own connection. */
  readonly clients: readonly number[];
  readonly options: LoadOptions;
  /** Module whose `connect` opens clients (file URL); null = the project's src/client/connect. */
  readonly connectModule: string | null;
}

/** One client's measurements, as plain data. */
export interface EncodedClientTally {
  readonly client: number;
  readonly process: number;
  readonly count: number;
  /** Exact sum of the recorded latencies, microseconds. */
  readonly sumMicros: number;
  /** HDR histogram of the latencies, microseconds (measure/latency-histogram encodeHistogram). */
  readonly histogram: string;
  readonly errors: Counts;
  readonly outcomes: Counts;
  readonly elapsedMs: number;
  readonly stopReason: StopReason;
  readonly failovers: number;
  /** A session client's own figures (`load --session`); absent otherwise. */
  readonly session?: EncodedSessionTally;
}

/** One request type's measurements within a client, as plain data. */
export interface EncodedOpTally {
  readonly count: number;
  readonly sumMicros: number;
  readonly histogram: string;
  readonly errors: Counts;
  readonly outcomes: Counts;
}

/** A session client's figures, as plain data: each request type alone, and its orders read back. */
export interface EncodedSessionTally {
  readonly ops: Readonly<Record<Op, EncodedOpTally>>;
  readonly orders: OrderCheck;
}

/** Connected clients, ready to start. */
export interface ConnectedGroup {
  readonly clients: readonly { readonly index: number; readonly client: StoreClient }[];
  /** Closes every client; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Opens one connection per client index, all at once. If any fails, the ones
 * that opened are closed and the first error is thrown.
 */
async function connectGroup(
  connect: ConnectFn,
  options: Pick<LoadOptions, "transport" | "host" | "port" | "servers" | "failoverMs">,
  indices: readonly number[],
): Promise<ConnectedGroup> {
  const target = { transport: options.transport, host: options.host, port: options.port };
  // With several servers, client i starts at server i (mod their number): spread evenly.
  const spread =
    options.servers === undefined ? {} : { servers: options.servers, failoverMs: options.failoverMs };
  const settled = await Promise.allSettled(
    indices.map((index) => connect({ ...target, ...spread, first: index })),
  );
  const opened: { index: number; client: StoreClient }[] = [];
  settled.forEach((outcome, k) => {
    if (outcome.status === "fulfilled") opened.push({ index: indices[k]!, client: outcome.value });
  });
  const close = async () => {
    await Promise.allSettled(opened.map(({ client }) => client.close()));
  };
  const failure = settled.find((outcome) => outcome.status === "rejected");
  if (failure !== undefined) {
    await close();
    throw (failure as PromiseRejectedResult).reason;
  }
  return { clients: opened, close };
}

/**
 * Sends each client's priming queries (untimed, before the barrier), all
 * clients at once, each client's one after the other. Errors are ignored
 * here: a broken connection shows up again, counted, in the measured run.
 */
async function primeGroup(
  group: ConnectedGroup,
  options: Pick<LoadOptions, "primeRequests" | "toys">,
): Promise<void> {
  await Promise.all(
    group.clients.map(async ({ client, index }) => {
      for (let i = 0; i < options.primeRequests; i++) {
        await client.query(options.toys[(index + i) % options.toys.length]!).catch(() => undefined);
      }
    }),
  );
}

/**
 * Runs every client of the group concurrently, from the same tick (the
 * barrier has just opened), and returns their encoded measurements in
 * client order. Encoding happens only after the last client is done, so it
 * never competes with a measured request; so does a session's order check.
 */
async function runGroup(
  group: ConnectedGroup,
  process: number,
  options: LoadOptions,
  signal?: AbortSignal,
): Promise<EncodedClientTally[]> {
  if (options.session) return runSessionGroup(group, process, options, signal);
  const tallies = await Promise.all(
    group.clients.map(({ client, index }) => runClient(client, index, options, signal)),
  );
  return tallies.map((tally, k) => encodeTally(tally, group.clients[k]!.index, process));
}

/**
 * The session clients of the group, run as runGroup runs clients; once the
 * last is done, each reads its orders back on its own connection, all at once.
 */
async function runSessionGroup(
  group: ConnectedGroup,
  process: number,
  options: LoadOptions,
  signal?: AbortSignal,
): Promise<EncodedClientTally[]> {
  const tallies: SessionTally[] = await Promise.all(
    group.clients.map(({ client, index }) => runSession(client, index, options, signal)),
  );
  const checks = await Promise.all(
    group.clients.map(({ client, index }, k) =>
      checkOrders(client, index, tallies[k]!.orders, options.timeoutMs, signal),
    ),
  );
  return tallies.map((tally, k) => ({
    ...encodeTally(tally, group.clients[k]!.index, process),
    session: {
      ops: { query: encodeOpTally(tally.ops.query), buy: encodeOpTally(tally.ops.buy) },
      orders: checks[k]!,
    },
  }));
}

function encodeOpTally(tally: OpTally): EncodedOpTally {
  const { count, sumMicros, errors, outcomes } = tally;
  return { count, sumMicros, histogram: encodeHistogram(tally.histogram), errors, outcomes };
}

function encodeTally(tally: ClientTally, client: number, process: number): EncodedClientTally {
  return {
    client,
    process,
    count: tally.count,
    sumMicros: tally.sumMicros,
    histogram: encodeHistogram(tally.histogram),
    errors: tally.errors,
    outcomes: tally.outcomes,
    elapsedMs: tally.elapsedMs,
    stopReason: tally.stopReason,
    failovers: tally.failovers,
  };
}

/**
 * A plan made ready: its clients connected (all at once) and primed, before
 * the barrier; `run` runs them all from the same tick, `close` closes them.
 * The same in a load process and in-process.
 */
export async function prepareGroup(
  connect: ConnectFn,
  plan: LoadPlan,
): Promise<PreparedRun<EncodedClientTally[]>> {
  const group = await connectGroup(connect, plan.options, plan.clients);
  await primeGroup(group, plan.options);
  return {
    run: (signal) => runGroup(group, plan.process, plan.options, signal),
    close: () => group.close(),
  };
}
