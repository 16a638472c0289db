// The options of an experiment (`toystore experiment`): the matrix of cells
// and the server settings, the Toy Store study's values as defaults, the
// --quick preset, and their validation. Options shared with `load` and
// `serve` are those components' own fields.

import { TRANSPORTS, type Transport } from "../../client/store-client.js";
import { LOCK_KINDS, type LockKind } from "../../concurrency/section-lock.js";
import { oneOf, wholeNumber } from "../../options/rules.js";
import { defaultsOf, list, OptionError, resolveOptions, type Schema, toggle } from "../../options/schema.js";
import { STORE_SERVICE_OPTIONS } from "../../service/store-service-options.js";
import { GRPC_SERVER_OPTIONS } from "../../transport/grpc/grpc-options.js";
import { HTTP_SERVER_OPTIONS } from "../../transport/http/http-options.js";
import { SOCKET_SERVER_OPTIONS } from "../../transport/socket/socket-options.js";
import { EXPERIMENT_STORE, type ExperimentStore } from "./cell-stores.js";
import { LOAD_OPTIONS, type Op } from "./load-options.js";
import type { ToyChoice } from "./prediction.js";

/** An experiment, fully resolved; plain data, recorded in results.json. */
export interface ExperimentOptions {
  readonly transports: readonly Transport[];
  /** The stores the cells run on, each cell on a new one (see CellStores). */
  readonly stores: readonly ExperimentStore[];
  readonly locks: readonly LockKind[];
  readonly ops: readonly Op[];
  /** How clients pick toys, one set of cells each: "uniform" (the Toy Store study's), "same", "distinct". */
  readonly toyChoices: readonly ToyChoice[];
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
  /**
   * Requests the HTTP server runs at once (c for HTTP queries under the
   * read-write lock). Absent in results written before the HTTP transport.
   */
  readonly httpMaxConcurrency: number;
  /** Clients multiplexed per OS process; 1 = one process per client, as in the original design. */
  readonly clientsPerProcess: number;
  /** Untimed queries per client before the start barrier, to warm cold code (see LoadOptions.primeRequests). */
  readonly primeRequests: number;
  /** Toy names the clients pick from with toy choice "uniform" (the others use toys of the experiment's own). */
  readonly toys: readonly string[];
  readonly seed: number;
  /** Whether the --quick preset was asked for (its values are already applied above). */
  readonly quick: boolean;
}

/** The Toy Store study's transports, the default; HTTP is there to be asked for. */
const STUDY_TRANSPORTS: readonly Transport[] = ["socket", "grpc"];
const TOY_CHOICES = ["uniform", "same", "distinct"] as const;
const OPS = ["query", "buy"] as const;

/** What --quick changes: the same matrix, scaled down to finish in well under a minute. */
export const QUICK_PRESET = { workMs: 50, requests: 3 } as const;

/**
 * The Toy Store study: 2 transports x 2 locks x 2 ops x {1, 5, 10} clients,
 * 200 ms of work, 10 requests each, a socket pool of 5 and 10 gRPC handlers.
 */
export const EXPERIMENT_OPTIONS: Schema<ExperimentOptions> = {
  transports: list(
    "--transports",
    `comma-separated: ${TRANSPORTS.join(", ")}`,
    STUDY_TRANSPORTS,
    oneOf(TRANSPORTS),
  ),
  stores: list(
    "--stores",
    "comma-separated: memory; sqlite (a new file per cell); postgres (a throwaway local cluster, a new database per cell); or a postgres:// URL (a new database per cell on that server)",
    ["memory"],
    EXPERIMENT_STORE,
  ),
  locks: list("--locks", `comma-separated: ${LOCK_KINDS.join(", ")}`, ["mutex", "rwlock"], oneOf(LOCK_KINDS)),
  toyChoices: list(
    "--toy-choices",
    "comma-separated: uniform (each request a random toy), same (every client one toy), distinct (each client its own toy)",
    ["uniform"],
    oneOf(TOY_CHOICES),
  ),
  ops: list("--ops", "comma-separated: query, buy", OPS, oneOf(OPS)),
  clients: list("--clients", "comma-separated client counts", [1, 5, 10], wholeNumber(1, 100_000)),
  workMs: {
    ...STORE_SERVICE_OPTIONS.workMs,
    default: 200,
    shown: `200; ${QUICK_PRESET.workMs} with --quick`,
  },
  requests: {
    ...LOAD_OPTIONS.requests,
    short: undefined,
    help: "sequential requests per client",
    default: 10,
    shown: `10; ${QUICK_PRESET.requests} with --quick`,
  },
  socketPoolSize: { ...SOCKET_SERVER_OPTIONS.poolSize, help: "socket server's worker pool" },
  grpcMaxConcurrency: { ...GRPC_SERVER_OPTIONS.maxConcurrency, help: "gRPC server's concurrent handlers" },
  httpMaxConcurrency: {
    ...HTTP_SERVER_OPTIONS.maxConcurrency,
    help: "HTTP server's requests running at once",
  },
  clientsPerProcess: LOAD_OPTIONS.clientsPerProcess,
  primeRequests: { ...LOAD_OPTIONS.primeRequests, default: 1, shown: "1" },
  toys: LOAD_OPTIONS.toys,
  seed: LOAD_OPTIONS.seed,
  quick: toggle(
    "--quick",
    `a small run: ${QUICK_PRESET.workMs} ms of work, ${QUICK_PRESET.requests} requests per client`,
  ),
};

export const EXPERIMENT_DEFAULTS: ExperimentOptions = Object.freeze(defaultsOf(EXPERIMENT_OPTIONS));

export type ExperimentOptionsInput = Partial<ExperimentOptions>;

/**
 * Fills in defaults, applies the quick preset to whatever was not set
 * explicitly, and validates. Throws an OptionError naming the flag.
 */
export function resolveExperimentOptions(input: ExperimentOptionsInput = {}): ExperimentOptions {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const options = resolveOptions(EXPERIMENT_OPTIONS, {
    ...(input.quick === true ? QUICK_PRESET : {}),
    ...given,
  });
  // With random toys, per-toy locks collide by chance: no exact prediction exists for those cells.
  if (options.locks.includes("per-toy") && options.toyChoices.includes("uniform")) {
    throw new OptionError(
      "--locks per-toy needs --toy-choices same or distinct (or both): with random toys there is no exact prediction",
    );
  }
  return options;
}
