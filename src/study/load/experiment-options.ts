// The options of an experiment (`toystore experiment`): the matrix of cells
// and the server settings, the Toy Store study's values as defaults, the
// --quick preset, and their validation. Options shared with `load` and
// `serve` are those components' own fields. --servers-per-cell and
// --query-cache (the caching study) are here too.

import { TRANSPORTS, type Transport } from "../../client/store-client.js";
import { LOCK_KINDS, type LockKind } from "../../concurrency/section-lock.js";
import { numberParser, oneOf, type Rule, wholeNumber } from "../../options/rules.js";
import {
  defaultsOf,
  type Field,
  integer,
  list,
  OptionError,
  resolveOptions,
  type Schema,
  toggle,
} from "../../options/schema.js";
import { STORE_SERVICE_OPTIONS } from "../../service/store-service-options.js";
import { POSTGRES_CACHE_OPTIONS } from "../../stores/postgres/cache-options.js";
import { GRPC_SERVER_OPTIONS } from "../../transport/grpc/grpc-options.js";
import { HTTP_SERVER_OPTIONS } from "../../transport/http/http-options.js";
import { SOCKET_SERVER_OPTIONS } from "../../transport/socket/socket-options.js";
import { EXPERIMENT_STORE, type ExperimentStore, storeLabel } from "./cell-stores.js";
import { LOAD_OPTIONS, type Op, ORDER_LOOKUP_TRANSPORTS } from "./load-options.js";
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
  /**
   * The labs' experiment: session clients (`load --session`) instead of the
   * Toy Store study's matrix, one cell per transport, store, lock, client
   * count and buy probability; `ops` and `toyChoices` do not apply. Absent
   * (false) in results written before it.
   */
  readonly session: boolean;
  /** With `session`: the buy probabilities P, one cell each. */
  readonly buyProbabilities: readonly number[];
  /**
   * Servers each cell starts on its store (more than one: a store they share,
   * postgres), client i on server i mod their number. Absent (1) in results
   * written before it.
   */
  readonly serversPerCell: number;
  /**
   * The caching study (with `session`, on postgres): each cell once per
   * setting, its servers started with `serve --query-cache` when "on", and
   * their cache and announcement figures read from /api/stats at its end.
   * null: not run (the servers as before). Absent (null) in results written before it.
   */
  readonly queryCache: readonly QueryCacheSetting[] | null;
  /** With `queryCache`: the servers' `--query-cache-size`; null: the server's own default. */
  readonly queryCacheSize: number | null;
}

/** A cell of the caching study runs its servers with the query cache off or on. */
export type QueryCacheSetting = "off" | "on";
const QUERY_CACHE_SETTINGS: readonly QueryCacheSetting[] = ["off", "on"];

/** The Toy Store study's transports, the default; HTTP is there to be asked for. */
const STUDY_TRANSPORTS: readonly Transport[] = ["socket", "grpc"];
const TOY_CHOICES = ["uniform", "same", "distinct"] as const;
const OPS = ["query", "buy"] as const;

/** The labs' buy probabilities, the default of --buy-probability. */
const LAB_BUY_PROBABILITIES: readonly number[] = [0, 0.2, 0.4, 0.6, 0.8];
/** The labs' client count, the default of --clients with --session. */
export const SESSION_CLIENTS: readonly number[] = [5];

const PROBABILITY: Rule<number> = (() => {
  const valid = (n: number) => Number.isFinite(n) && n >= 0 && n <= 1;
  return { expected: "a number from 0 to 1", valid, parse: numberParser(valid) };
})();

/** What the caching study runs unless told otherwise: the lab's server, one transport, queries sharing the lock. */
export const CACHING_DEFAULTS = { transports: ["socket"], locks: ["rwlock"] } as const;

/** --query-cache: a list of settings like any list, but null (the study not run) when not given. */
const QUERY_CACHE_FIELD: Field<readonly QueryCacheSetting[] | null> = (() => {
  const settings = list(
    "--query-cache",
    "with --session on postgres, the caching study: comma-separated off, on; each cell once per setting, its servers started with serve --query-cache when on, and their cache hit ratio and announcement delays (the staleness window) read from /api/stats at its end",
    QUERY_CACHE_SETTINGS,
    oneOf(QUERY_CACHE_SETTINGS),
  );
  return {
    ...settings,
    default: null,
    shown: "not run",
    valid: (value) => value === null || settings.valid(value),
  };
})();

/** --query-cache-size: passed on to the servers; null leaves the server's own default. */
const QUERY_CACHE_SIZE_FIELD: Field<number | null> = (() => {
  const size = POSTGRES_CACHE_OPTIONS.queryCacheSize;
  return {
    ...size,
    help: "with --query-cache: the servers' --query-cache-size (toys each server's cache holds)",
    default: null,
    shown: `the server's, ${size.default}`,
    valid: (n) => n === null || size.valid(n),
  };
})();

/** What --quick changes: the same matrix, scaled down to finish in well under a minute. */
export const QUICK_PRESET = { workMs: 50, requests: 3 } as const;

/**
 * The Toy Store study: 2 transports x 2 locks x 2 ops x {1, 5, 10} clients,
 * 200 ms of work, 10 requests each, a socket pool of 5 and 10 gRPC handlers.
 */
export const EXPERIMENT_OPTIONS: Schema<ExperimentOptions> = {
  transports: {
    ...list("--transports", `comma-separated: ${TRANSPORTS.join(", ")}`, STUDY_TRANSPORTS, oneOf(TRANSPORTS)),
    shown: `${STUDY_TRANSPORTS.join(",")}; ${CACHING_DEFAULTS.transports.join(",")} with --query-cache`,
  },
  stores: list(
    "--stores",
    "comma-separated: memory; sqlite (a new file per cell); postgres (a throwaway local cluster, a new database per cell); or a postgres:// URL (a new database per cell on that server)",
    ["memory"],
    EXPERIMENT_STORE,
  ),
  locks: {
    ...list("--locks", `comma-separated: ${LOCK_KINDS.join(", ")}`, ["mutex", "rwlock"], oneOf(LOCK_KINDS)),
    shown: `mutex,rwlock; ${CACHING_DEFAULTS.locks.join(",")} with --query-cache`,
  },
  toyChoices: list(
    "--toy-choices",
    "comma-separated: uniform (each request a random toy), same (every client one toy), distinct (each client its own toy)",
    ["uniform"],
    oneOf(TOY_CHOICES),
  ),
  ops: list("--ops", "comma-separated: query, buy", OPS, oneOf(OPS)),
  clients: {
    ...list("--clients", "comma-separated client counts", [1, 5, 10], wholeNumber(1, 100_000)),
    shown: `1,5,10; ${SESSION_CLIENTS.join(",")} with --session`,
  },
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
  session: toggle(
    "--session",
    "the labs' experiment: session clients (each queries a random toy and buys 1 to 5 with --buy-probability when in stock, then checks its orders), latency per request type against the buy probability",
  ),
  buyProbabilities: list(
    "--buy-probability",
    "with --session: comma-separated buy probabilities, one cell each",
    LAB_BUY_PROBABILITIES,
    PROBABILITY,
  ),
  serversPerCell: integer(
    "--servers-per-cell",
    "servers each cell starts on its store, the clients spread over them (client i on server i mod N); more than 1 needs postgres",
    1,
    1,
    16,
  ),
  queryCache: QUERY_CACHE_FIELD,
  queryCacheSize: QUERY_CACHE_SIZE_FIELD,
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
    ...(input.session === true ? { clients: SESSION_CLIENTS } : {}),
    ...(input.queryCache !== undefined && input.queryCache !== null ? CACHING_DEFAULTS : {}),
    ...given,
  });
  checkServers(options);
  if (options.session) {
    checkSession(options, input);
    return options;
  }
  if (input.buyProbabilities !== undefined)
    throw new OptionError(
      "--buy-probability needs --session: the Toy Store study's cells send only queries or only buys",
    );
  // With random toys, per-toy locks collide by chance: no exact prediction exists for those cells.
  if (options.locks.includes("per-toy") && options.toyChoices.includes("uniform")) {
    throw new OptionError(
      "--locks per-toy needs --toy-choices same or distinct (or both): with random toys there is no exact prediction",
    );
  }
  return options;
}

/** Throws when several servers or the caching study are asked of a store they cannot share, or without sessions. */
function checkServers(options: ExperimentOptions): void {
  const owned = options.stores.filter((store) => storeLabel(store) !== "postgres");
  if (options.serversPerCell > 1 && owned.length > 0)
    throw new OptionError(
      `--servers-per-cell ${options.serversPerCell} needs a store the servers share (postgres); ${owned.join(", ")} belongs to one process`,
    );
  if (options.queryCache === null) {
    if (options.queryCacheSize !== null) throw new OptionError("--query-cache-size needs --query-cache");
    return;
  }
  if (!options.session)
    throw new OptionError(
      "--query-cache needs --session: the caching study runs session clients against the buy probability",
    );
  if (owned.length > 0)
    throw new OptionError(
      `--query-cache needs --stores postgres (or a postgres:// URL): ${owned.join(", ")} answers queries from memory already`,
    );
}

/** Throws when a session experiment is given what does not apply to it, or a transport that cannot read orders back. */
function checkSession(options: ExperimentOptions, input: ExperimentOptionsInput): void {
  const meaningless = (["ops", "toyChoices"] as const).filter((key) => input[key] !== undefined);
  if (meaningless.length > 0)
    throw new OptionError(
      `--session cannot be used with ${meaningless.map((key) => EXPERIMENT_OPTIONS[key].flag).join(", ")}: session clients query random toys and buy with --buy-probability`,
    );
  const blind = options.transports.filter((transport) => !ORDER_LOOKUP_TRANSPORTS.includes(transport));
  if (blind.length > 0)
    throw new OptionError(
      `--session reads every order back, and ${blind.join(", ")} has no order lookup; use --transports from ${ORDER_LOOKUP_TRANSPORTS.join(", ")}`,
    );
}
