// One load run (`toystore load`): start the client processes, hold them at
// the start barrier until every client is connected, open it, and merge what
// they measured into LoadResults.

import { collectEnvironment } from "../measure/environment.js";
import {
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  summarize,
} from "../measure/latency-histogram.js";
import { withTimeout } from "../measure/with-timeout.js";
import { connectGroup, primeGroup, runGroup } from "./client-group.js";
import { type ConnectFn, loadConnect } from "./connect-loader.js";
import { type LoadOptions, type LoadOptionsInput, resolveLoadOptions } from "./load-options.js";
import type { ClientResult, Counts, LoadResults, StopReason } from "./results.js";
import { WorkerFleet } from "./worker-fleet.js";
import type { WorkerProcess } from "./worker-process.js";
import type { EncodedClientTally } from "./worker-protocol.js";

export interface RunLoadHooks {
  /** Ends the run early: clients finish the request in flight and report; stop reason "aborted". */
  readonly signal?: AbortSignal;
  /**
   * Module whose `connect` export opens clients (file URL or absolute path),
   * used by every worker. Default: the project's src/client/connect. Tests
   * point it at a fake.
   */
  readonly connectModule?: string;
  /** In-process runs only: the connect function itself (takes precedence over `connectModule`). */
  readonly connect?: ConnectFn;
  /**
   * Worker processes to run the clients in, kept for the caller's next run
   * (an experiment passes one fleet to every cell). Default: a fleet of this
   * run's own, closed at its end.
   */
  readonly fleet?: WorkerFleet;
  /** Called when every client is connected, just before the barrier opens. */
  readonly onStart?: () => void;
  /** How long the workers may take to start, connect and prime their clients, ms. Default 60 000. */
  readonly readyTimeoutMs?: number;
}

/**
 * Runs N clients against a running server and returns the merged results.
 * By default each client is its own OS process (as in the seed), forked from
 * dist/load/load-worker.js (or the .ts through tsx when run from source),
 * and each opens its own connection.
 * Throws if a worker cannot start or connect; that run's workers are then
 * killed (a caller's fleet forks fresh ones on its next use).
 */
export async function runLoad(input: LoadOptionsInput, hooks: RunLoadHooks = {}): Promise<LoadResults> {
  const options = resolveLoadOptions(input);
  const environment = collectEnvironment();
  const tallies = options.inProcess ? await runInProcess(options, hooks) : await runInWorkers(options, hooks);
  return { ...mergeTallies(options, tallies), environment };
}

async function runInProcess(options: LoadOptions, hooks: RunLoadHooks): Promise<EncodedClientTally[]> {
  const connect = hooks.connect ?? (await loadConnect(hooks.connectModule ?? null));
  const indices = Array.from({ length: options.clients }, (_, i) => i);
  const group = await connectGroup(connect, options, indices);
  try {
    await primeGroup(group, options);
    hooks.onStart?.();
    return await runGroup(group, 0, options, hooks.signal);
  } finally {
    await group.close();
  }
}

async function runInWorkers(options: LoadOptions, hooks: RunLoadHooks): Promise<EncodedClientTally[]> {
  const fleet = hooks.fleet ?? new WorkerFleet();
  const groups = partition(options.clients, options.clientsPerProcess);
  let workers: WorkerProcess[] = [];
  const stop = () => {
    for (const worker of workers) worker.send({ type: "stop" });
  };
  hooks.signal?.addEventListener("abort", stop, { once: true });
  try {
    workers = fleet.take(groups.length);
    groups.forEach((clients, k) => {
      workers[k]!.send({
        type: "plan",
        plan: { process: k, clients, options, connectModule: hooks.connectModule ?? null },
      });
    });
    const readyTimeoutMs = hooks.readyTimeoutMs ?? 60_000;
    await withTimeout(
      Promise.all(workers.map((worker) => worker.expect("ready"))),
      readyTimeoutMs,
      `load workers did not connect in time (${readyTimeoutMs} ms)`,
    );
    // The barrier: every client is connected; all start now. Results are
    // awaited only after every "start" is sent, so no worker waits on another.
    hooks.onStart?.();
    for (const worker of workers) worker.send({ type: "start" });
    const results = await Promise.all(workers.map((worker) => worker.expect("result")));
    return results.flatMap((result) => result.clients);
  } catch (error) {
    // A failed run leaves workers in an unknown state: replace them.
    await fleet.discard(workers);
    throw error;
  } finally {
    hooks.signal?.removeEventListener("abort", stop);
    if (hooks.fleet === undefined) await fleet.close();
  }
}

/** Merges the clients' measurements into the run's results (everything but the environment). */
export function mergeTallies(
  options: LoadOptions,
  tallies: readonly EncodedClientTally[],
): Omit<LoadResults, "environment"> {
  const sorted = [...tallies].sort((a, b) => a.client - b.client);
  const histograms = sorted.map((tally) => decodeHistogram(tally.histogram));
  const merged = mergeHistograms(histograms);
  const sumMicros = sorted.reduce((sum, tally) => sum + tally.sumMicros, 0);
  const perClient: ClientResult[] = sorted.map((tally, k) => ({
    client: tally.client,
    process: tally.process,
    count: tally.count,
    meanMs: tally.count === 0 ? 0 : tally.sumMicros / tally.count / 1000,
    maxMs: summarize(histograms[k]!).max,
    errors: tally.errors,
    outcomes: tally.outcomes,
    elapsedMs: tally.elapsedMs,
    stopReason: tally.stopReason,
  }));
  const withRequests = perClient.filter((client) => client.count > 0);
  const elapsedMs = Math.max(0, ...sorted.map((tally) => tally.elapsedMs));
  return {
    kind: "toystore-load",
    version: 1,
    options,
    latency: summarize(merged, sumMicros),
    meanOfClientMeansMs:
      withRequests.length === 0
        ? 0
        : withRequests.reduce((sum, c) => sum + c.meanMs, 0) / withRequests.length,
    perClient,
    throughputPerSecond: elapsedMs === 0 ? 0 : (merged.totalCount * 1000) / elapsedMs,
    elapsedMs,
    errors: addCounts(sorted.map((tally) => tally.errors)),
    outcomes: addCounts(sorted.map((tally) => tally.outcomes)),
    stopReason: overallStopReason(sorted.map((tally) => tally.stopReason)),
    histogram: encodeHistogram(merged),
  };
}

/** Client numbers 0..clients-1 in consecutive groups of at most `perGroup`. */
export function partition(clients: number, perGroup: number): number[][] {
  const groups: number[][] = [];
  for (let first = 0; first < clients; first += perGroup) {
    groups.push(Array.from({ length: Math.min(perGroup, clients - first) }, (_, i) => first + i));
  }
  return groups;
}

function addCounts(all: readonly Counts[]): Counts {
  const total: Counts = {};
  for (const counts of all) for (const [key, n] of Object.entries(counts)) total[key] = (total[key] ?? 0) + n;
  return total;
}

/** The most telling reason any client stopped: a lost connection, then an abort, then the time bound. */
function overallStopReason(reasons: readonly StopReason[]): StopReason {
  for (const reason of ["connection_lost", "aborted", "duration"] as const)
    if (reasons.includes(reason)) return reason;
  return "completed";
}
