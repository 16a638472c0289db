// One load run (`toystore load`): start the client processes, hold them at
// the start barrier until every client is connected, open it, and merge what
// they measured into LoadResults.

import { resolveEntry } from "../measure/entry-point.js";
import { collectEnvironment } from "../measure/environment.js";
import { ProcessFleet } from "../measure/fleet.js";
import { decodeHistogram, mergeHistograms, summarize } from "../measure/latency-histogram.js";
import { addCounts, measured, overallStopReason } from "../measure/results.js";
import { type EncodedClientTally, type LoadPlan, prepareGroup } from "./client-group.js";
import { type ConnectFn, loadConnect } from "./connect-loader.js";
import { type LoadOptions, type LoadOptionsInput, resolveLoadOptions } from "./load-options.js";
import type { ClientResult, LoadResults } from "./results.js";
import { mergeSessions } from "./session-results.js";

export interface RunLoadHooks {
  /** Ends the run early: clients finish the request in flight and report; stop reason "aborted". */
  readonly signal?: AbortSignal;
  /**
   * Module whose `connect` export opens clients (file URL or absolute path),
   * used by every load process. Default: the project's src/client/connect. Tests
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
  readonly fleet?: LoadFleet;
  /** Called when every client is connected, just before the barrier opens. */
  readonly onStart?: () => void;
  /** How long the load processes may take to start, connect and prime their clients, ms. Default 60 000. */
  readonly readyTimeoutMs?: number;
}

/**
 * Runs N clients against a running server and returns the merged results.
 * By default each client is its own OS process (as in the original design), forked from
 * dist/study/load/load-process.js (or the .ts through tsx when run from source),
 * and each opens its own connection.
 * Throws if a load process cannot start or connect; that run's processes are then
 * killed (a caller's fleet forks fresh ones on its next use).
 */
export async function runLoad(input: LoadOptionsInput, hooks: RunLoadHooks = {}): Promise<LoadResults> {
  const options = resolveLoadOptions(input);
  const environment = collectEnvironment();
  const tallies = options.inProcess
    ? await runInProcess(options, hooks)
    : await runInProcesses(options, hooks);
  return { ...mergeTallies(options, tallies), environment };
}

async function runInProcess(options: LoadOptions, hooks: RunLoadHooks): Promise<EncodedClientTally[]> {
  const connect = hooks.connect ?? (await loadConnect(hooks.connectModule ?? null));
  const clients = Array.from({ length: options.clients }, (_, i) => i);
  const group = await prepareGroup(connect, { process: 0, clients, options, connectModule: null });
  try {
    hooks.onStart?.();
    return await group.run(hooks.signal ?? new AbortController().signal);
  } finally {
    await group.close();
  }
}

/** The processes that run load clients, reusable from run to run. */
export type LoadFleet = ProcessFleet<LoadPlan, EncodedClientTally[]>;

/** A fleet of load processes (load/load-process, compiled or through tsx; see entry-point.ts). */
export function createLoadFleet(): LoadFleet {
  return new ProcessFleet(resolveEntry("study/load/load-process"), "load process");
}

async function runInProcesses(options: LoadOptions, hooks: RunLoadHooks): Promise<EncodedClientTally[]> {
  const fleet = hooks.fleet ?? createLoadFleet();
  const connectModule = hooks.connectModule ?? null;
  const plans = partition(options.clients, options.clientsPerProcess).map((clients, k) => ({
    process: k,
    clients,
    options,
    connectModule,
  }));
  try {
    return (await fleet.run(plans, hooks)).flat();
  } finally {
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
  const session = mergeSessions(options.buyProbability, sorted);
  return {
    kind: "toystore-load",
    version: 1,
    options,
    ...measured(mergeHistograms(histograms), {
      elapsedMs: Math.max(0, ...sorted.map((tally) => tally.elapsedMs)),
      errors: addCounts(sorted.map((tally) => tally.errors)),
      stopReason: overallStopReason(sorted.map((tally) => tally.stopReason)),
      exactSumMicros: sorted.reduce((sum, tally) => sum + tally.sumMicros, 0),
    }),
    meanOfClientMeansMs:
      withRequests.length === 0
        ? 0
        : withRequests.reduce((sum, c) => sum + c.meanMs, 0) / withRequests.length,
    perClient,
    outcomes: addCounts(sorted.map((tally) => tally.outcomes)),
    failovers: sorted.reduce((sum, tally) => sum + tally.failovers, 0),
    ...(session === undefined ? {} : { session }),
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
