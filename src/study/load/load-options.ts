// The options of one load run (`toystore load`): declared once with their
// flags and defaults (src/options/schema.ts), validated once, here.

import { DEFAULT_CATALOG } from "../../catalog/default-catalog.js";
import { MAX_QUANTITY } from "../../catalog/toy.js";
import { checkTarget, type Target } from "../../client/target.js";
import { NON_EMPTY_LINE } from "../../options/rules.js";
import {
  choice,
  decimal,
  defaultsOf,
  integer,
  list,
  positiveOrNull,
  resolveOptions,
  type Schema,
  seconds,
  toggle,
} from "../../options/schema.js";

/** The study's two requests: the original design's Query and Buy. */
export type Op = "query" | "buy";

/** What each client sends: only queries, only buys, or a mix drawn with `buyRatio`. */
export type LoadOp = Op | "mix";

/** How a client picks the toy of each request. */
export type LoadToyChoice = "uniform" | "per-client";

/** A load run's own options (where it connects aside), fully resolved. */
export interface LoadRunOptions {
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
  /** Units each buy asks for, all or nothing; 1 sends the plain buy. */
  readonly quantity: number;
  /** Toy names; each request picks one uniformly (or see toyChoice). One name = a fixed toy. */
  readonly toys: readonly string[];
  /** "uniform" (default): each request draws a toy; "per-client": client i always asks for toys[i mod length]. */
  readonly toyChoice: LoadToyChoice;
  /**
   * Open loop: total requests per second over all clients, sent on schedule
   * whatever the responses; latency is measured from the intended send time.
   * null = closed loop (each client waits for its reply before the next request).
   */
  readonly ratePerSecond: number | null;
  /** Open loop only: requests one client keeps in flight at most; the schedule waits (and the wait is counted) beyond it. */
  readonly maxInFlight: number;
  /** Clients multiplexed in one OS process; 1 = one process per client, as in the original design. */
  readonly clientsPerProcess: number;
  /** Runs every client inside the calling process (no fork): for tests and debugging, not for measurements. */
  readonly inProcess: boolean;
  /** Deadline per call in milliseconds; null = none. */
  readonly timeoutMs: number | null;
  /** Seed of the generator that picks toys and ops (client i uses seed + i), so runs are repeatable. */
  readonly seed: number;
}

/**
 * A load run, fully resolved. Plain data (null, never undefined), so that the
 * results file carries every option that shaped the numbers.
 */
export type LoadOptions = Target & LoadRunOptions;

export const LOAD_OPTIONS: Schema<LoadRunOptions> = {
  clients: integer("--clients", "concurrent clients", 1, 1, 100_000, { short: "-c" }),
  requests: integer("--requests", "sequential requests per client (ignored with --duration)", 10, 1, 1e9, {
    short: "-n",
  }),
  durationMs: seconds("--duration", "measure for this many seconds instead of a request count", null, {
    above: true,
  }),
  warmupMs: seconds("--warmup", "send for this many seconds after the start, before measuring", 0),
  primeRequests: integer(
    "--prime",
    "untimed queries per client before the start barrier (warms cold code)",
    0,
    0,
    1e6,
  ),
  op: choice<LoadOp>("--op", "what clients send", "query", ["query", "buy", "mix"]),
  buyRatio: decimal("--buy-ratio", "fraction of buys with --op mix", 0.5, { min: 0, max: 1 }),
  quantity: integer("--quantity", "units each buy asks for, all or nothing", 1, 1, MAX_QUANTITY),
  toys: list(
    "--toys",
    "comma-separated toys to pick from uniformly",
    DEFAULT_CATALOG.map((toy) => toy.name),
    NON_EMPTY_LINE,
  ),
  toyChoice: choice<LoadToyChoice>(
    "--toy-choice",
    "uniform: each request draws a toy from --toys; per-client: client i always asks for toy i",
    "uniform",
    ["uniform", "per-client"],
  ),
  ratePerSecond: positiveOrNull(
    "--rate",
    "open loop: total requests per second over all clients, latency from the intended send time",
    "<r>",
  ),
  maxInFlight: integer("--max-in-flight", "open loop: requests in flight per client at most", 1000, 1, 1e6),
  clientsPerProcess: integer(
    "--clients-per-process",
    "clients multiplexed per OS process (1: one process each)",
    1,
    1,
    1e6,
  ),
  inProcess: toggle("--in-process", "run every client in this process (debugging; not for measurements)"),
  timeoutMs: positiveOrNull("--timeout-ms", "deadline per request", "<ms>"),
  seed: integer("--seed", "random seed of the toy and op choices", 1, 0, 2 ** 32 - 1),
};

/** Defaults for everything but where to connect. */
export const LOAD_DEFAULTS: LoadRunOptions = Object.freeze(defaultsOf(LOAD_OPTIONS));

/** What callers give: where to connect, and any option to override. */
export type LoadOptionsInput = Partial<LoadRunOptions> & Omit<Target, "host"> & { readonly host?: string };

/** Fills in defaults and validates. Throws an OptionError naming the flag and the bad value. */
export function resolveLoadOptions(input: LoadOptionsInput): LoadOptions {
  const { transport, host, port, servers, failoverMs } = checkTarget({
    ...input,
    host: input.host ?? "127.0.0.1",
  });
  const spread = servers === undefined ? {} : { servers, failoverMs };
  return { transport, host, port, ...spread, ...resolveOptions(LOAD_OPTIONS, input) };
}
