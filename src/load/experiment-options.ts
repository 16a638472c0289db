// The options of an experiment (`toystore experiment`): the matrix of cells
// and the server settings, the seed's defaults, the --quick preset, and their
// validation.

import type { Op } from "../catalog/toy.js";
import type { Transport } from "../client/store-client.js";
import type { LockKind } from "../concurrency/section-lock.js";
import { LOAD_DEFAULTS } from "./load-options.js";

/** An experiment, fully resolved; plain data, recorded in results.json. */
export interface ExperimentOptions {
  readonly transports: readonly Transport[];
  readonly locks: readonly LockKind[];
  readonly ops: readonly Op[];
  /** N values: the cells' client counts. */
  readonly clients: readonly number[];
  /** S: simulated work per request, held inside the lock, in milliseconds. */
  readonly workMs: number;
  /** R: sequential requests per client. */
  readonly requests: number;
  /** Workers of the socket server's pool (c for socket queries under the read-write lock). */
  readonly socketPoolSize: number;
  /** Handlers the gRPC server runs at once (c for gRPC queries under the read-write lock). */
  readonly grpcMaxConcurrency: number;
  /** Clients multiplexed per OS process; 1 = one process per client, as in the seed. */
  readonly clientsPerProcess: number;
  /** Untimed queries per client before the start barrier, to warm cold code (see LoadOptions.primeRequests). */
  readonly primeRequests: number;
  /** Toy names the clients pick from, uniformly. */
  readonly toys: readonly string[];
  readonly seed: number;
  /** Whether the --quick preset was asked for (its values are already applied above). */
  readonly quick: boolean;
}

/** The seed's study: 2 transports x 2 locks x 2 ops x {1, 5, 10} clients, 200 ms of work, 10 requests each. */
export const EXPERIMENT_DEFAULTS = {
  transports: ["socket", "grpc"],
  locks: ["mutex", "rwlock"],
  ops: ["query", "buy"],
  clients: [1, 5, 10],
  workMs: 200,
  requests: 10,
  socketPoolSize: 5,
  grpcMaxConcurrency: 10,
  clientsPerProcess: LOAD_DEFAULTS.clientsPerProcess,
  primeRequests: 1,
  toys: LOAD_DEFAULTS.toys,
  seed: LOAD_DEFAULTS.seed,
  quick: false,
} as const satisfies ExperimentOptions;

/** What --quick changes: the same matrix, scaled down to finish in well under a minute. */
export const QUICK_PRESET = { workMs: 50, requests: 3 } as const;

export type ExperimentOptionsInput = Partial<ExperimentOptions>;

/**
 * Fills in defaults, applies the quick preset to whatever was not set
 * explicitly, and validates. Throws a RangeError naming the option.
 */
export function resolveExperimentOptions(input: ExperimentOptionsInput = {}): ExperimentOptions {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const options: ExperimentOptions = {
    ...EXPERIMENT_DEFAULTS,
    ...(input.quick === true ? QUICK_PRESET : {}),
    ...given,
  };
  checkList("transports", options.transports, (t) => t === "socket" || t === "grpc");
  checkList("locks", options.locks, (l) => l === "mutex" || l === "rwlock");
  checkList("ops", options.ops, (o) => o === "query" || o === "buy");
  checkList("clients", options.clients, isPositiveInteger);
  checkList("toys", options.toys, (t) => t.length > 0);
  check(Number.isFinite(options.workMs) && options.workMs >= 0, "workMs", options.workMs);
  check(isPositiveInteger(options.requests), "requests", options.requests);
  check(isPositiveInteger(options.socketPoolSize), "socketPoolSize", options.socketPoolSize);
  check(isPositiveInteger(options.grpcMaxConcurrency), "grpcMaxConcurrency", options.grpcMaxConcurrency);
  check(isPositiveInteger(options.clientsPerProcess), "clientsPerProcess", options.clientsPerProcess);
  check(
    Number.isSafeInteger(options.primeRequests) && options.primeRequests >= 0,
    "primeRequests",
    options.primeRequests,
  );
  check(Number.isSafeInteger(options.seed), "seed", options.seed);
  return options;
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}

function check(ok: boolean, name: string, value: unknown): void {
  if (!ok) throw new RangeError(`experiment: invalid ${name}: ${JSON.stringify(value)}`);
}

function checkList<T>(name: string, values: readonly T[], valid: (value: T) => boolean): void {
  check(values.length > 0 && values.every(valid) && new Set(values).size === values.length, name, values);
}
