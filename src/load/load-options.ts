// The options of one load run (`toystore load`), their defaults, and their
// validation: checked once, here, with messages that name the option.

import { DEFAULT_CATALOG } from "../catalog/default-catalog.js";
import type { Op } from "../catalog/toy.js";
import type { Transport } from "../client/store-client.js";

/** What each client sends: only queries, only buys, or a mix drawn with `buyRatio`. */
export type LoadOp = Op | "mix";

/**
 * A load run, fully resolved. Plain data (null, never undefined), so that the
 * results file carries every option that shaped the numbers.
 */
export interface LoadOptions {
  readonly transport: Transport;
  readonly host: string;
  readonly port: number;
  /** N: concurrent clients, each with its own connection. */
  readonly clients: number;
  /** R: sequential requests per client (closed loop), or per client over the run (open loop). Ignored when `durationMs` is set. */
  readonly requests: number;
  /** Bounds the measured phase by time instead of by request count; null = use `requests`. */
  readonly durationMs: number | null;
  /** Time spent sending after the barrier, before measuring starts; those requests are not recorded. */
  readonly warmupMs: number;
  /**
   * Untimed queries each client sends before the start barrier, so that the
   * first measured request does not pay for cold code (V8 compiles lazily, and
   * every client process and server is fresh). Queries, so no stock changes.
   */
  readonly primeRequests: number;
  readonly op: LoadOp;
  /** Fraction of buys when `op` is "mix", in [0, 1]. */
  readonly buyRatio: number;
  /** Toy names; each request picks one uniformly. One name = a fixed toy. */
  readonly toys: readonly string[];
  /**
   * Open loop: total requests per second over all clients, sent on schedule
   * whatever the responses; latency is measured from the intended send time.
   * null = closed loop (each client waits for its reply before the next request).
   */
  readonly ratePerSecond: number | null;
  /** Open loop only: requests one client keeps in flight at most; the schedule waits (and the wait is counted) beyond it. */
  readonly maxInFlight: number;
  /** Clients multiplexed in one OS process; 1 = one process per client, as in the seed. */
  readonly clientsPerProcess: number;
  /** Runs every client inside the calling process (no fork): for tests and debugging, not for measurements. */
  readonly inProcess: boolean;
  /** Deadline per call in milliseconds; null = none. */
  readonly timeoutMs: number | null;
  /** Seed of the generator that picks toys and ops (client i uses seed + i), so runs are repeatable. */
  readonly seed: number;
}

/** Defaults for everything but where to connect. */
export const LOAD_DEFAULTS = {
  host: "127.0.0.1",
  clients: 1,
  requests: 10,
  durationMs: null,
  warmupMs: 0,
  primeRequests: 0,
  op: "query",
  buyRatio: 0.5,
  toys: DEFAULT_CATALOG.map((toy) => toy.name),
  ratePerSecond: null,
  maxInFlight: 1000,
  clientsPerProcess: 1,
  inProcess: false,
  timeoutMs: null,
  seed: 1,
} as const satisfies Omit<LoadOptions, "transport" | "port">;

/** What callers give: where to connect, and any option to override. */
export type LoadOptionsInput = Partial<LoadOptions> & Pick<LoadOptions, "transport" | "port">;

/** Fills in defaults and validates. Throws a RangeError naming the option and the bad value. */
export function resolveLoadOptions(input: LoadOptionsInput): LoadOptions {
  const options: LoadOptions = { ...LOAD_DEFAULTS, ...(withoutUndefined(input) as LoadOptionsInput) };
  check(options.transport === "socket" || options.transport === "grpc", "transport", options.transport);
  check(typeof options.host === "string" && options.host.length > 0, "host", options.host);
  check(Number.isInteger(options.port) && options.port > 0 && options.port < 65536, "port", options.port);
  checkPositiveInteger("clients", options.clients);
  checkPositiveInteger("requests", options.requests);
  check(
    options.durationMs === null || (Number.isFinite(options.durationMs) && options.durationMs > 0),
    "durationMs",
    options.durationMs,
  );
  check(Number.isFinite(options.warmupMs) && options.warmupMs >= 0, "warmupMs", options.warmupMs);
  check(
    Number.isSafeInteger(options.primeRequests) && options.primeRequests >= 0,
    "primeRequests",
    options.primeRequests,
  );
  check(options.op === "query" || options.op === "buy" || options.op === "mix", "op", options.op);
  check(options.buyRatio >= 0 && options.buyRatio <= 1, "buyRatio", options.buyRatio);
  check(options.toys.length > 0 && options.toys.every((toy) => toy.length > 0), "toys", options.toys);
  check(
    options.ratePerSecond === null || (Number.isFinite(options.ratePerSecond) && options.ratePerSecond > 0),
    "ratePerSecond",
    options.ratePerSecond,
  );
  checkPositiveInteger("maxInFlight", options.maxInFlight);
  checkPositiveInteger("clientsPerProcess", options.clientsPerProcess);
  check(
    options.timeoutMs === null || (Number.isFinite(options.timeoutMs) && options.timeoutMs > 0),
    "timeoutMs",
    options.timeoutMs,
  );
  check(Number.isSafeInteger(options.seed), "seed", options.seed);
  return options;
}

function check(ok: boolean, name: string, value: unknown): void {
  if (!ok) throw new RangeError(`load: invalid ${name}: ${JSON.stringify(value)}`);
}

function checkPositiveInteger(name: string, value: number): void {
  check(Number.isSafeInteger(value) && value >= 1, name, value);
}

/** Drops keys set to undefined, so that they do not hide the defaults when spread. */
function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
