// The options of one load run (`toystore load`): declared once with their
// flags and defaults (src/options/schema.ts), validated once, here.

import { DEFAULT_CATALOG } from "../../catalog/default-catalog.js";
import { MAX_QUANTITY } from "../../catalog/toy.js";
import type { Transport } from "../../client/store-client.js";
import { checkTarget, type Target } from "../../client/target.js";
import { NON_EMPTY_LINE, numberParser } from "../../options/rules.js";
import {
  choice,
  decimal,
  defaultsOf,
  type Field,
  integer,
  list,
  OptionError,
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
  /**
   * The labs' client (session-loop.ts): each client queries a random toy and, when
   * it is in stock, buys 1 to 5 of it with probability `buyProbability`, then
   * reads every order it was told about back. `requests` counts its queries.
   */
  readonly session: boolean;
  /** With `session`, the chance a query that found the toy in stock is followed by a buy; null without it. */
  readonly buyProbability: number | null;
}

/**
 * A load run, fully resolved. Plain data (null, never undefined), so that the
 * results file carries every option that shaped the numbers.
 */
export type LoadOptions = Target & LoadRunOptions;

/** What --buy-probability is when --session comes without it. */
export const DEFAULT_BUY_PROBABILITY = 0.5;

/** The options a session makes meaningless: what it sends is decided by the session, and it waits for each answer. */
const NOT_WITH_SESSION = ["op", "buyRatio", "quantity", "ratePerSecond", "maxInFlight"] as const;

/** The transports whose clients can read an order back, which a session's check needs. */
export const ORDER_LOOKUP_TRANSPORTS: readonly Transport[] = ["socket", "grpc", "http"];

/** A number from 0 to 1, or null (the default) for "not given". */
function probabilityOrNull(flag: string, help: string): Field<number | null> {
  const valid = (n: number) => Number.isFinite(n) && n >= 0 && n <= 1;
  return {
    flag,
    arg: "<p>",
    help,
    default: null,
    shown: `${DEFAULT_BUY_PROBABILITY} with --session`,
    expected: "a number from 0 to 1",
    valid: (n) => n === null || valid(n),
    parse: numberParser(valid),
  };
}

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
  session: toggle(
    "--session",
    "the labs' client: query a random toy, buy 1 to 5 of it with --buy-probability when in stock, check every order at the end (--requests counts queries)",
  ),
  buyProbability: probabilityOrNull(
    "--buy-probability",
    "with --session: chance that a query finding the toy in stock is followed by a buy",
  ),
};

/** Defaults for everything but where to connect. */
export const LOAD_DEFAULTS: LoadRunOptions = Object.freeze(defaultsOf(LOAD_OPTIONS));

/** What callers give: where to connect, and any option to override. */
export type LoadOptionsInput = Partial<LoadRunOptions> & Omit<Target, "host"> & { readonly host?: string };

/**
 * Fills in defaults and validates. Throws an OptionError naming the flag and
 * the bad value, or the options that do not go together (--session with
 * --op, --buy-probability without --session, a session over a transport that
 * cannot read orders back).
 */
export function resolveLoadOptions(input: LoadOptionsInput): LoadOptions {
  const { transport, host, port, servers, failoverMs } = checkTarget({
    ...input,
    host: input.host ?? "127.0.0.1",
  });
  const spread = servers === undefined ? {} : { servers, failoverMs };
  const options = resolveOptions(LOAD_OPTIONS, input);
  checkSession(options, input, transport);
  // The original protocol's buy is one unit: refused here rather than as every buy failing.
  if (transport === "original-socket" && options.quantity > 1)
    throw new OptionError("--quantity: the original socket protocol buys one unit at a time");
  const buyProbability = options.session ? (options.buyProbability ?? DEFAULT_BUY_PROBABILITY) : null;
  return { transport, host, port, ...spread, ...options, buyProbability };
}

/** Throws when the session options do not fit together or with the others given. */
function checkSession(options: LoadRunOptions, input: Partial<LoadRunOptions>, transport: Transport): void {
  if (!options.session) {
    if (options.buyProbability !== null)
      throw new OptionError(
        "--buy-probability needs --session (with --op mix, --buy-ratio sets the share of buys)",
      );
    return;
  }
  const conflicting = NOT_WITH_SESSION.filter((key) => input[key] !== undefined && input[key] !== null).map(
    (key) => LOAD_OPTIONS[key].flag,
  );
  if (conflicting.length > 0)
    throw new OptionError(
      `--session cannot be used with ${conflicting.join(", ")}: a session decides what it sends (a query, then a buy of 1 to 5 with --buy-probability) and waits for each answer`,
    );
  if (!ORDER_LOOKUP_TRANSPORTS.includes(transport))
    throw new OptionError(
      `--session reads every order back, and --transport ${transport} has no order lookup; use ${ORDER_LOOKUP_TRANSPORTS.join(", ")}`,
    );
}
